import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { isDisallowedAddress } from '@flywheel/providers';
import { type FakeOpenAIServer, startFakeOpenAI } from '@flywheel/providers/testing';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox, parseEncryptionKey } from '../secrets/secret-box.js';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// /api/providers stores provider keys encrypted (S-14) and refuses base URLs that reach inside
// the network, at save and again at connect time (S-1, S-2); a request body never picks the
// upstream or its credentials (S-3).

const encryptionKey = randomBytes(32).toString('base64');
const secret = 'sk-live-0123456789abcdefPLAINTEXT';

function api(app: GatewayTestApp, method: string, path: string, body?: unknown, key = app.key) {
  return fetch(`${app.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function chat(app: GatewayTestApp, model: string, extra: Record<string, unknown> = {}) {
  return api(app, 'POST', '/v1/chat/completions', {
    model,
    messages: [{ role: 'user', content: 'hi' }],
    ...extra,
  });
}

async function keyWithScopes(app: GatewayTestApp, scopes: string[]): Promise<string> {
  const response = await api(app, 'POST', '/api/keys', { name: scopes.join('+'), scopes });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

const noModels = 'models: []\n';

describe('provider credentials', () => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await startGatewayTestApp(noModels, { fakes: [], env: { FLYWHEEL_ENCRYPTION_KEY: encryptionKey } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates, lists and deletes a credential', async () => {
    const created = await api(t, 'POST', '/api/providers', {
      name: 'deepseek',
      provider: 'openai-compatible',
      base_url: 'https://api.deepseek.example/v1/',
      api_key: secret,
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.any(String),
      name: 'deepseek',
      provider: 'openai-compatible',
      base_url: 'https://api.deepseek.example/v1',
      api_key_display: 'sk-l…TEXT',
      created_at: expect.any(String),
    });

    const listed = await api(t, 'GET', '/api/providers');
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { data: unknown[] }).data).toEqual([body]);

    const deleted = await api(t, 'DELETE', `/api/providers/${String(body.id)}`);
    expect(deleted.status).toBe(204);
    const after = await api(t, 'GET', '/api/providers');
    expect(((await after.json()) as { data: unknown[] }).data).toEqual([]);

    const again = await api(t, 'DELETE', `/api/providers/${String(body.id)}`);
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('provider_not_found');
  });

  it('never returns the key, only api_key_display', async () => {
    const created = await api(t, 'POST', '/api/providers', {
      name: 'never-shown',
      provider: 'openai',
      api_key: secret,
    });
    expect(created.status).toBe(201);
    const createdText = await created.text();
    expect(createdText).not.toContain(secret);
    expect(createdText).not.toContain('api_key"');
    const listed = await (await api(t, 'GET', '/api/providers')).text();
    expect(listed).toContain('never-shown');
    expect(listed).not.toContain(secret);
  });

  it('keeps no plaintext key in the database', async () => {
    const created = await api(t, 'POST', '/api/providers', {
      name: 'at-rest',
      provider: 'openai',
      api_key: secret,
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const database = new Database(t.storage.location, { readonly: true, fileMustExist: true });
    try {
      const row = database.prepare('select * from provider_credentials where id = ?').get(id) as Record<
        string,
        unknown
      >;
      expect(row.api_key_sealed).toMatch(/^v1:/);
      expect(JSON.stringify(row)).not.toContain(secret);
      // The sealed key opens with the server's key and the row id, and only so.
      const box = createSecretBox(parseEncryptionKey(encryptionKey));
      expect(box.decrypt(String(row.api_key_sealed), id)).toBe(secret);
      expect(() => box.decrypt(String(row.api_key_sealed), 'cred_other')).toThrow();
    } finally {
      database.close();
    }
    // Nor anywhere in the database files (main file and write-ahead log).
    const folder = dirname(t.storage.location);
    for (const file of readdirSync(folder).filter((name) => name.startsWith('flywheel.db'))) {
      expect(readFileSync(join(folder, file)).includes(Buffer.from(secret)), file).toBe(false);
    }
  });

  it('needs the admin scope: a read-only key gets 403 on create, list and delete', async () => {
    const reader = await keyWithScopes(t, ['read']);
    const create = await api(
      t,
      'POST',
      '/api/providers',
      { name: 'by-reader', provider: 'openai', api_key: secret },
      reader,
    );
    expect(create.status).toBe(403);
    expect(await errorCode(create)).toBe('insufficient_scope');
    const list = await api(t, 'GET', '/api/providers', undefined, reader);
    expect(list.status).toBe(403);
    const remove = await api(t, 'DELETE', '/api/providers/cred_anything', undefined, reader);
    expect(remove.status).toBe(403);
    const names = (
      (await (await api(t, 'GET', '/api/providers')).json()) as { data: Array<{ name: string }> }
    ).data;
    expect(names.map((credential) => credential.name)).not.toContain('by-reader');
  });

  it('answers 409 conflict for a second credential with the same name', async () => {
    const body = { name: 'twice', provider: 'openai', api_key: secret };
    expect((await api(t, 'POST', '/api/providers', body)).status).toBe(201);
    const second = await api(t, 'POST', '/api/providers', body);
    expect(second.status).toBe(409);
    expect(await errorCode(second)).toBe('conflict');
  });

  describe('S-1: refuses unsafe base URLs at save', () => {
    it.each([
      'http://127.0.0.1',
      'http://2130706433/',
      'http://0x7f000001/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.1',
      'http://192.168.1.1',
      'http://localhost:11434',
      'file:///etc/passwd',
      'gopher://x',
      'http://user:pass@example.com',
      'http://0.0.0.0:11434',
      'http://[::]/',
      'http://[::ffff:7f00:1]/',
      'http://[64:ff9b::127.0.0.1]/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'http://100.64.0.1/',
      'http://172.16.0.1/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://foo.localhost/',
      'http://example.com@127.0.0.1/',
    ])('%s → 400 unsafe_url, nothing stored', async (baseUrl) => {
      const response = await api(t, 'POST', '/api/providers', {
        name: 'probe',
        provider: 'openai-compatible',
        base_url: baseUrl,
        api_key: secret,
      });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text).error.code).toBe('unsafe_url');
      expect(text).not.toContain(secret);
      const names = (
        (await (await api(t, 'GET', '/api/providers')).json()) as { data: Array<{ name: string }> }
      ).data;
      expect(names.map((credential) => credential.name)).not.toContain('probe');
    });
  });
});

describe('without FLYWHEEL_ENCRYPTION_KEY', () => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await startGatewayTestApp(noModels, { fakes: [] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses to store a key with 400 encryption_key_missing', async () => {
    const response = await api(t, 'POST', '/api/providers', {
      name: 'openai',
      provider: 'openai',
      api_key: secret,
    });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('encryption_key_missing');
    expect(((await (await api(t, 'GET', '/api/providers')).json()) as { data: unknown[] }).data).toEqual([]);
  });
});

describe('stored credentials as gateway targets', () => {
  let fake: FakeOpenAIServer;
  let t: GatewayTestApp | undefined;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    fake.requests.length = 0;
  });
  afterAll(async () => {
    await fake.close();
  });

  const credentialModel = (name: string, credential: string) =>
    `  - name: ${name}\n    targets:\n      - { provider: openai-compatible, model: m, credential: ${credential} }\n    retries: { max: 0 }\n`;

  it('admits an allowlisted loopback host at save and routes to it with the decrypted key', async () => {
    t = await startGatewayTestApp(`models:\n${credentialModel('local', 'local-llm')}`, {
      fakes: [],
      env: { FLYWHEEL_ENCRYPTION_KEY: encryptionKey, FLYWHEEL_ALLOWED_HOSTS: `127.0.0.1:${fake.port}` },
    });
    const saved = await api(t, 'POST', '/api/providers', {
      name: 'local-llm',
      provider: 'openai-compatible',
      base_url: fake.url,
      api_key: secret,
    });
    expect(saved.status).toBe(201);

    const response = await chat(t, 'local');
    expect(response.status).toBe(200);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.url).toBe('/v1/chat/completions');
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${secret}`);
    expect(fake.requests[0]?.body?.model).toBe('m');
  });

  it('stops routing to a deleted credential at once and never lends it to another project', async () => {
    t = await startGatewayTestApp(`models:\n${credentialModel('local', 'local-llm')}`, {
      fakes: [],
      env: { FLYWHEEL_ENCRYPTION_KEY: encryptionKey, FLYWHEEL_ALLOWED_HOSTS: `127.0.0.1:${fake.port}` },
    });
    const saved = await api(t, 'POST', '/api/providers', {
      name: 'local-llm',
      provider: 'openai-compatible',
      base_url: fake.url,
      api_key: secret,
    });
    const { id } = (await saved.json()) as { id: string };
    expect((await chat(t, 'local')).status).toBe(200);
    expect(fake.requests).toHaveLength(1);

    const project = await api(t, 'POST', '/api/projects', { name: 'other project' });
    const { id: projectId } = (await project.json()) as { id: string };
    const created = await api(t, 'POST', '/api/keys', {
      name: 'other',
      scopes: ['gateway'],
      project_id: projectId,
    });
    const { key: otherKey } = (await created.json()) as { key: string };
    const fromOtherProject = await api(
      t,
      'POST',
      '/v1/chat/completions',
      { model: 'local', messages: [{ role: 'user', content: 'hi' }] },
      otherKey,
    );
    expect(fromOtherProject.status).toBe(404);
    expect(await errorCode(fromOtherProject)).toBe('provider_not_found');
    expect(fake.requests).toHaveLength(1);

    expect((await api(t, 'DELETE', `/api/providers/${id}`)).status).toBe(204);
    const afterDelete = await chat(t, 'local');
    expect(afterDelete.status).toBe(404);
    expect(await errorCode(afterDelete)).toBe('provider_not_found');
    expect(fake.requests).toHaveLength(1);
  });

  it('admits only the allowlisted port of a loopback host', async () => {
    t = await startGatewayTestApp(noModels, {
      fakes: [],
      env: { FLYWHEEL_ENCRYPTION_KEY: encryptionKey, FLYWHEEL_ALLOWED_HOSTS: `127.0.0.1:${fake.port}` },
    });
    const otherPort = fake.port === 65535 ? fake.port - 1 : fake.port + 1;
    const response = await api(t, 'POST', '/api/providers', {
      name: 'other-port',
      provider: 'openai-compatible',
      base_url: `http://127.0.0.1:${otherPort}/v1`,
      api_key: secret,
    });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('unsafe_url');
  });

  // A row stored while the host was allowlisted (or written behind the API's back) must still be
  // refused when the allowlist no longer admits it: the check runs again at connect time.
  it.each([
    ['dotted', (port: number) => `http://127.0.0.1:${port}/v1`],
    ['decimal', (port: number) => `http://2130706433:${port}/v1`],
    ['IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/v1`],
    ['localhost', (port: number) => `http://localhost:${port}/v1`],
  ])('S-1: refuses a stored %s loopback base URL at connect time', async (_form, baseUrlFor) => {
    t = await startGatewayTestApp(`models:\n${credentialModel('stored', 'stored-llm')}`, {
      fakes: [],
      env: { FLYWHEEL_ENCRYPTION_KEY: encryptionKey },
    });
    const id = `cred_${randomBytes(8).toString('hex')}`;
    const box = createSecretBox(parseEncryptionKey(encryptionKey));
    await t.stores.providerCredentials.create({
      id,
      projectId: t.projectId,
      name: 'stored-llm',
      provider: 'openai-compatible',
      baseUrl: baseUrlFor(fake.port),
      apiKeySealed: box.encrypt(secret, id),
      apiKeyDisplay: 'sk-l…TEXT',
      createdAt: new Date().toISOString(),
    });

    const response = await chat(t, 'stored');
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text).error.code).toBe('unsafe_url');
    expect(text).not.toContain(secret);
    expect(fake.requests).toHaveLength(0);
  });

  it('S-2: refuses at connect time a host name that resolves to a private address', async (context) => {
    // The machine's own name resolves locally (/etc/hosts) to a loopback or private address on
    // most hosts; where it does not, this case cannot be set up without real DNS.
    const name = hostname();
    const resolved = await lookup(name, { all: true }).catch(() => []);
    if (resolved.length === 0 || !resolved.every((entry) => isDisallowedAddress(entry.address))) {
      context.skip();
    }
    t = await startGatewayTestApp(`models:\n${credentialModel('named', 'named-llm')}`, {
      fakes: [],
      env: { FLYWHEEL_ENCRYPTION_KEY: encryptionKey },
    });
    // A name is not resolved at save: it may point elsewhere by the time it is used.
    const saved = await api(t, 'POST', '/api/providers', {
      name: 'named-llm',
      provider: 'openai-compatible',
      base_url: `http://${name}:${fake.port}/v1`,
      api_key: secret,
    });
    expect(saved.status).toBe(201);

    const response = await chat(t, 'named');
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('unsafe_url');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('S-3: a request body never chooses the upstream or its credentials', () => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await startGatewayTestApp(
      `models:
  - name: chat
    targets:
      - { provider: openai-compatible, model: m, base_url: "{{primary}}", api_key: configured-key }
    retries: { max: 0 }
`,
      { env: { FLYWHEEL_ENCRYPTION_KEY: encryptionKey } },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends api_base, base_url, api_key and extra_headers nowhere, and answers from the configured upstream', async () => {
    const backup = t.fakes.backup!;
    const routing = {
      api_base: backup.url,
      base_url: backup.url,
      api_key: 'caller-chosen-key',
      api_version: '2024-01-01',
      custom_llm_provider: 'openai',
      extra_headers: { authorization: 'Bearer caller-chosen-key', 'x-forwarded-host': '127.0.0.1' },
      headers: { authorization: 'Bearer caller-chosen-key' },
      extra_query: { redirect: backup.url },
    };
    const response = await chat(t, 'chat', routing);
    expect(response.status).toBe(200);

    expect(backup.requests).toHaveLength(0);
    const primary = t.fakes.primary!;
    expect(primary.requests).toHaveLength(1);
    const received = primary.requests[0]!;
    expect(received.headers.authorization).toBe('Bearer configured-key');
    expect(received.headers['x-forwarded-host']).toBeUndefined();
    expect(received.url).toBe('/v1/chat/completions');
    for (const field of Object.keys(routing)) expect(received.body, field).not.toHaveProperty(field);
    expect(JSON.stringify(received)).not.toContain('caller-chosen-key');
  });
});
