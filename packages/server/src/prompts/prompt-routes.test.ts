import { newId } from '@flywheel/core';
import type { ApiKeyScope } from '@flywheel/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

// The prompt registry through HTTP: saving, fetching with ETags, labels as deployments,
// diffs, the audit trail, scopes and project isolation (S-8, S-13).

let t: TestApp;
let writerKey: string;
let readerKey: string;
let otherProjectKey: string;

async function key(scopes: ApiKeyScope[], projectId = t.projectId) {
  return (await t.apiKeys.create({ projectId, name: scopes.join('+'), scopes })).key;
}

beforeAll(async () => {
  t = await createTestApp();
  writerKey = await key(['read', 'write']);
  readerKey = await key(['read']);
  const other = { id: newId('proj'), name: 'other', createdAt: new Date().toISOString() };
  await t.stores.projects.create(other);
  otherProjectKey = await key(['read', 'write', 'admin'], other.id);
});
afterAll(() => t.dispose());

function call(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
  apiKey = writerKey,
  headers = {},
) {
  return t.app.inject({
    method,
    url,
    headers: { ...t.auth(apiKey), ...headers },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
}

const save = (body: Record<string, unknown>, apiKey = writerKey) =>
  call('POST', '/api/prompts', body, apiKey);

describe('prompt registry API', () => {
  it('saves versions and fetches by label and version, with an ETag', async () => {
    const first = await save({
      name: 'support/triage',
      type: 'chat',
      template: [
        { role: 'system', content: 'Triage for {{product}}.' },
        { role: 'user', content: '{{ticket}}' },
      ],
      config: { model: 'chat-default', temperature: 0.2 },
      commit_message: 'first',
      labels: ['production'],
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      name: 'support/triage',
      version: 1,
      variables: ['product', 'ticket'],
      labels: ['latest', 'production'],
      commit_message: 'first',
      created_by: { key_name: 'read+write' },
    });
    const second = await save({
      name: 'support/triage',
      type: 'chat',
      template: [{ role: 'user', content: 'Ticket: {{ticket}}' }],
    });
    expect(second.json().version).toBe(2);

    const byLabel = await call('GET', '/api/prompts/support/triage?label=production', undefined, readerKey);
    expect(byLabel.statusCode).toBe(200);
    expect(byLabel.json().version).toBe(1);
    const etag = byLabel.headers.etag as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    // production is the default label.
    expect((await call('GET', '/api/prompts/support/triage', undefined, readerKey)).json().version).toBe(1);
    expect((await call('GET', '/api/prompts/support/triage?version=2')).json().template).toEqual([
      { role: 'user', content: 'Ticket: {{ticket}}' },
    ]);
    // An encoded slash names the same prompt.
    expect((await call('GET', '/api/prompts/support%2Ftriage?label=latest')).json().version).toBe(2);

    const unchanged = await call(
      'GET',
      '/api/prompts/support/triage?label=production',
      undefined,
      readerKey,
      {
        'if-none-match': etag,
      },
    );
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');

    const moved = await call('PUT', '/api/prompts/support/triage/labels/production', { version: 2 });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ moved: true, move: { from_version: 1, to_version: 2 } });
    const after = await call('GET', '/api/prompts/support/triage?label=production', undefined, readerKey, {
      'if-none-match': etag,
    });
    expect(after.statusCode).toBe(200);
    expect(after.json().version).toBe(2);
    expect(after.headers.etag).not.toBe(etag);

    // Rollback: the label goes back.
    await call('PUT', '/api/prompts/support/triage/labels/production', { version: 1 });
    expect((await call('GET', '/api/prompts/support/triage')).json().version).toBe(1);

    const audit = await call('GET', '/api/prompts/support/triage/audit');
    expect(
      audit
        .json()
        .data.map((move: { label: string; from_version: number | null; to_version: number | null }) => [
          move.label,
          move.from_version,
          move.to_version,
        ]),
    ).toEqual([
      ['production', 2, 1],
      ['production', 1, 2],
      ['latest', 1, 2],
      ['production', null, 1],
      ['latest', null, 1],
    ]);
    expect(audit.json().data[0].moved_by.key_name).toBe('read+write');

    const versions = await call('GET', '/api/prompts/support/triage/versions', undefined, readerKey);
    expect(versions.json().data.map((version: { version: number }) => version.version)).toEqual([2, 1]);

    const list = await call('GET', '/api/prompts?folder=support', undefined, readerKey);
    expect(list.json().data).toEqual([
      expect.objectContaining({
        name: 'support/triage',
        type: 'chat',
        latest_version: 2,
        labels: { latest: 2, production: 1 },
      }),
    ]);
  });

  it('diffs two versions: template lines and config fields', async () => {
    await save({
      name: 'diffed',
      type: 'text',
      template: 'Hello {{name}}\nBe brief.',
      config: { temperature: 0.2 },
    });
    await save({
      name: 'diffed',
      type: 'text',
      template: 'Hello {{name}}\nBe very brief.',
      config: { temperature: 0.7, max_tokens: 50 },
      labels: ['staging'],
    });
    const diff = await call('GET', '/api/prompts/diffed/diff?from=1&to=staging', undefined, readerKey);
    expect(diff.statusCode).toBe(200);
    expect(diff.json()).toMatchObject({
      name: 'diffed',
      from: { version: 1 },
      to: { version: 2 },
      template: {
        added: 1,
        removed: 1,
        lines: [
          { op: 'equal', text: 'Hello {{name}}', from_line: 1, to_line: 1 },
          { op: 'remove', text: 'Be brief.', from_line: 2, to_line: null },
          { op: 'add', text: 'Be very brief.', from_line: null, to_line: 2 },
        ],
      },
      config: [
        { path: 'max_tokens', change: 'added', to: 50 },
        { path: 'temperature', change: 'changed', from: 0.2, to: 0.7 },
      ],
    });
    const missing = await call('GET', '/api/prompts/diffed/diff?from=1&to=9');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('prompt_not_found');
    expect((await call('GET', '/api/prompts/diffed/diff?from=1')).json().error.code).toBe(
      'validation_failed',
    );
  });

  it('refuses bad input with a code and a message that says what to fix', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ name: 'a/diff', type: 'text', template: 'x' }, 'validation_failed', 'no part of a prompt name'],
      [{ name: '../etc', type: 'text', template: 'x' }, 'validation_failed', 'segments of letters'],
      [{ name: "x'; drop table prompts; --", type: 'text', template: 'x' }, 'validation_failed', 'body.name'],
      [
        { name: 'shape', type: 'text', template: [{ role: 'user', content: 'x' }] },
        'validation_failed',
        'string template',
      ],
      [
        { name: 'latest', type: 'text', template: 'x', labels: ['latest'] },
        'validation_failed',
        'always points',
      ],
      [{ name: 'bad', type: 'text', template: 'Hi {{user name}}' }, 'template_invalid', 'line 1'],
      [
        { name: 'code', type: 'text', template: "{{constructor.constructor('return 1')()}}" },
        'template_invalid',
        '',
      ],
      [
        { name: 'cfg', type: 'text', template: 'x', config: { temperature: 9 } },
        'validation_failed',
        'temperature',
      ],
      [{ name: 'extra', type: 'text', template: 'x', surprise: 1 }, 'validation_failed', 'surprise'],
    ];
    for (const [body, code, text] of cases) {
      const response = await save(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(code === 'template_invalid' ? 400 : 400);
      expect(response.json().error.code, JSON.stringify(body)).toBe(code);
      expect(response.json().error.message).toContain(text);
    }
    await save({ name: 'typed', type: 'text', template: 'x' });
    const typeChange = await save({
      name: 'typed',
      type: 'chat',
      template: [{ role: 'user', content: 'x' }],
    });
    expect(typeChange.statusCode).toBe(409);
    expect(typeChange.json().error.code).toBe('conflict');
    const stale = await save({ name: 'typed', type: 'text', template: 'y', base_version: null });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('prompt_version_conflict');
    expect((await call('GET', '/api/prompts/typed?version=abc')).json().error.code).toBe('validation_failed');
    expect((await call('GET', '/api/prompts/typed?label=production')).json().error.code).toBe(
      'prompt_not_found',
    );
    expect((await call('PUT', '/api/prompts/typed/labels/Prod', { version: 1 })).json().error.code).toBe(
      'validation_failed',
    );
    expect((await call('PUT', '/api/prompts/typed/labels/latest', { version: 1 })).json().error.code).toBe(
      'validation_failed',
    );
    expect((await call('PUT', '/api/prompts/typed', { version: 1 })).statusCode).toBe(404);
    expect((await call('GET', '/api/prompts/nope/versions')).json().error.code).toBe('prompt_not_found');
  });

  it('needs read to fetch, write to save and move, admin for protected labels and settings', async () => {
    expect((await save({ name: 'scoped', type: 'text', template: 'x' }, readerKey)).json().error.code).toBe(
      'insufficient_scope',
    );
    const ingestOnly = await key(['ingest']);
    expect((await call('GET', '/api/prompts', undefined, ingestOnly)).statusCode).toBe(403);
    await save({ name: 'scoped', type: 'text', template: 'x' });

    expect((await call('PUT', '/api/prompt-settings', { protected_labels: ['production'] })).statusCode).toBe(
      403,
    );
    const settings = await call(
      'PUT',
      '/api/prompt-settings',
      { protected_labels: ['production'] },
      t.adminKey,
    );
    expect(settings.json()).toEqual({ protected_labels: ['production'] });
    expect((await call('GET', '/api/prompt-settings', undefined, readerKey)).json()).toEqual({
      protected_labels: ['production'],
    });

    const refused = await call('PUT', '/api/prompts/scoped/labels/production', { version: 1 });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('label_protected');
    const viaSave = await save({ name: 'scoped', type: 'text', template: 'y', labels: ['production'] });
    expect(viaSave.json().error.code).toBe('label_protected');
    expect(
      (await call('PUT', '/api/prompts/scoped/labels/production', { version: 1 }, t.adminKey)).statusCode,
    ).toBe(200);
    expect((await call('DELETE', '/api/prompts/scoped/labels/production')).statusCode).toBe(403);
    expect((await call('PUT', '/api/prompts/scoped/labels/staging', { version: 1 })).statusCode).toBe(200);
    expect((await call('DELETE', '/api/prompts/scoped/labels/staging')).statusCode).toBe(204);
    expect((await call('DELETE', '/api/prompts/scoped/labels/staging')).json().error.code).toBe(
      'prompt_not_found',
    );
    await call('PUT', '/api/prompt-settings', { protected_labels: [] }, t.adminKey);
  });

  it("answers 404 for another project's prompts and keeps names per project (S-8)", async () => {
    await save({ name: 'private/one', type: 'text', template: 'A only', labels: ['production'] });
    for (const [method, url, body] of [
      ['GET', '/api/prompts/private/one', undefined],
      ['GET', '/api/prompts/private/one/versions', undefined],
      ['GET', '/api/prompts/private/one/audit', undefined],
      ['GET', '/api/prompts/private/one/diff?from=1&to=1', undefined],
      ['PUT', '/api/prompts/private/one/labels/staging', { version: 1 }],
      ['DELETE', '/api/prompts/private/one/labels/production', undefined],
    ] as const) {
      const response = await call(method, url, body, otherProjectKey);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code).toBe('prompt_not_found');
    }
    expect((await call('GET', '/api/prompts', undefined, otherProjectKey)).json().data).toEqual([]);
    const own = await save({ name: 'private/one', type: 'text', template: 'B' }, otherProjectKey);
    expect(own.json().version).toBe(1);
    expect((await call('GET', '/api/prompts/private/one')).json().template).toBe('A only');
  });
});
