import { FlywheelError } from '@flywheel/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Stores } from '../ports/stores.js';
import { createInMemoryStores } from '../testing/in-memory-stores.js';
import { type ApiKeyService, createApiKeyService } from './api-key-service.js';

// FNV-1a: deterministic and not reversible to the key, like the production HMAC.
const hasher = {
  hash(key: string) {
    let hash = 0x811c9dc5;
    for (let index = 0; index < key.length; index++)
      hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193) >>> 0;
    return hash.toString(16).padStart(8, '0');
  },
};

async function rejection(promise: Promise<unknown>): Promise<FlywheelError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FlywheelError.is(error)) throw new Error(`expected a FlywheelError, got ${String(error)}`);
  return error;
}

describe('api key service', () => {
  let stores: Stores;
  let apiKeys: ApiKeyService;
  let clock: number;

  beforeEach(async () => {
    stores = createInMemoryStores();
    clock = Date.parse('2026-01-01T00:00:00Z');
    apiKeys = createApiKeyService({ stores, hasher, now: () => new Date(clock), cacheTtlMs: 1000 });
    await stores.projects.create({ id: 'proj_a', name: 'a', createdAt: '2026-01-01T00:00:00.000Z' });
  });

  it('stores only the hash and display parts, and returns the key once', async () => {
    const { key, record } = await apiKeys.create({ projectId: 'proj_a', name: 'ci', scopes: ['gateway'] });
    expect(record.hash).toBe(hasher.hash(key));
    expect(JSON.stringify(await stores.apiKeys.list('proj_a'))).not.toContain(key);
    expect(record.prefix + record.suffix).toBe(key.slice(0, 10) + key.slice(-4));
    expect(record.scopes).toEqual(['gateway']);
  });

  it('issues a process key that only this service accepts and that is never stored', async () => {
    const { key, record } = apiKeys.issueProcessKey({
      projectId: 'proj_a',
      name: 'flywheel eval (local run)',
      scopes: ['gateway', 'read', 'write'],
    });
    expect(await apiKeys.verify(key)).toEqual(record);
    expect(record).toMatchObject({
      projectId: 'proj_a',
      scopes: ['gateway', 'read', 'write'],
      instanceAdmin: false,
    });
    // Still valid long after the cache of verified keys would have expired.
    clock += 60_000;
    expect((await apiKeys.verify(key)).id).toBe(record.id);
    expect(await apiKeys.list('proj_a')).toEqual([]);
    expect(await stores.apiKeys.findByHash(record.hash)).toBeUndefined();
    const other = createApiKeyService({ stores, hasher });
    expect((await rejection(other.verify(key))).code).toBe('invalid_api_key');
  });

  it('verifies a valid key to its record', async () => {
    const { key, record } = await apiKeys.create({ projectId: 'proj_a', name: 'ci' });
    expect(await apiKeys.verify(key)).toEqual(record);
  });

  it('tells a missing key apart from a wrong one', async () => {
    expect((await rejection(apiKeys.verify(undefined))).code).toBe('missing_api_key');
    expect((await rejection(apiKeys.verify('  '))).code).toBe('missing_api_key');
    expect((await rejection(apiKeys.verify('Bearer nonsense'))).code).toBe('invalid_api_key');
    expect((await rejection(apiKeys.verify(`fw_sk_${'x'.repeat(43)}`))).code).toBe('invalid_api_key');
  });

  it('refuses a revoked key at once, even when it was cached as valid', async () => {
    const { key, record } = await apiKeys.create({ projectId: 'proj_a', name: 'ci' });
    await apiKeys.verify(key);
    await apiKeys.revoke('proj_a', record.id);
    expect((await rejection(apiKeys.verify(key))).code).toBe('invalid_api_key');
  });

  it('sees a revoke made by another process once the cache entry expires', async () => {
    const { key, record } = await apiKeys.create({ projectId: 'proj_a', name: 'ci' });
    await apiKeys.verify(key);
    await stores.apiKeys.revoke('proj_a', record.id, new Date(clock).toISOString());
    clock += 1001;
    expect((await rejection(apiKeys.verify(key))).code).toBe('invalid_api_key');
  });

  it("reuses a connection's hash for the same key, and still refuses the key once revoked", async () => {
    let hashed = 0;
    const counting = {
      hash(key: string) {
        hashed++;
        return hasher.hash(key);
      },
    };
    apiKeys = createApiKeyService({ stores, hasher: counting, now: () => new Date(clock), cacheTtlMs: 1000 });
    const first = await apiKeys.create({ projectId: 'proj_a', name: 'first' });
    const second = await apiKeys.create({ projectId: 'proj_a', name: 'second' });
    const memo = {};
    hashed = 0;
    expect((await apiKeys.verify(first.key, memo)).id).toBe(first.record.id);
    expect((await apiKeys.verify(first.key, memo)).id).toBe(first.record.id);
    expect(hashed).toBe(1);
    // Another key on the same connection is hashed, never answered with the first key's record.
    expect((await apiKeys.verify(second.key, memo)).id).toBe(second.record.id);
    expect(hashed).toBe(2);
    expect((await rejection(apiKeys.verify(`${second.key.slice(0, -1)}x`, memo))).code).toBe(
      'invalid_api_key',
    );
    expect(hashed).toBe(3);
    await apiKeys.verify(second.key, memo);
    await apiKeys.revoke('proj_a', second.record.id);
    expect((await rejection(apiKeys.verify(second.key, memo))).code).toBe('invalid_api_key');
    // Revoked elsewhere: seen once the verified-key cache entry expires, memo or not.
    await apiKeys.verify(first.key, memo);
    await stores.apiKeys.revoke('proj_a', first.record.id, new Date(clock).toISOString());
    clock += 1001;
    expect((await rejection(apiKeys.verify(first.key, memo))).code).toBe('invalid_api_key');
  });

  it('answers api_key_not_found when revoking a key of another project', async () => {
    await stores.projects.create({ id: 'proj_b', name: 'b', createdAt: '2026-01-01T00:00:00.000Z' });
    const { record } = await apiKeys.create({ projectId: 'proj_b', name: 'b key' });
    expect((await rejection(apiKeys.revoke('proj_a', record.id))).code).toBe('api_key_not_found');
    expect((await stores.apiKeys.get('proj_b', record.id))?.revokedAt).toBeNull();
  });

  it('accepts a given key of the right format and refuses a malformed one', async () => {
    const given = `fw_sk_${'G'.repeat(43)}`;
    const { key } = await apiKeys.create({ projectId: 'proj_a', name: 'given', key: given });
    expect(key).toBe(given);
    expect((await apiKeys.verify(given)).name).toBe('given');
    expect(
      (await rejection(apiKeys.create({ projectId: 'proj_a', name: 'bad', key: 'fw_sk_short' }))).code,
    ).toBe('invalid_setting');
  });
});
