import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

describe('bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ bodyLimitBytes: 4096 });
  });
  afterAll(() => t.dispose());

  function post(url: string, payload: string | object, headers: Record<string, string> = {}) {
    return t.app.inject({
      method: 'POST',
      url,
      headers: { ...t.auth(t.adminKey), 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  }

  function expectCleanError(response: { statusCode: number; body: string }, status: number, code: string) {
    expect(response.statusCode).toBe(status);
    const body = JSON.parse(response.body);
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(response.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
    return body.error;
  }

  it('names an unknown field', async () => {
    const error = expectCleanError(
      await post('/api/projects', { name: 'x', colour: 'red' }),
      400,
      'validation_failed',
    );
    expect(error.message).toContain('colour');
    expect(error.details).toEqual([expect.objectContaining({ path: 'body' })]);
  });

  it('names a field of the wrong type', async () => {
    const error = expectCleanError(
      await post('/api/keys', { name: 42, scopes: 'admin' }),
      400,
      'validation_failed',
    );
    expect(error.message).toContain('body.name');
    expect(error.message).toContain('body.scopes');
  });

  it('names an unknown scope', async () => {
    const error = expectCleanError(
      await post('/api/keys', { name: 'k', scopes: ['root'] }),
      400,
      'validation_failed',
    );
    expect(error.message).toContain('body.scopes.0');
  });

  it('refuses an empty name', async () => {
    expectCleanError(await post('/api/projects', { name: '   ' }), 400, 'validation_failed');
  });

  it('refuses a missing body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/projects',
      headers: t.auth(t.adminKey),
    });
    expectCleanError(response, 400, 'validation_failed');
  });

  it('refuses malformed JSON', async () => {
    expectCleanError(await post('/api/projects', '{"name": '), 400, 'invalid_json');
  });

  it('refuses prototype-polluting keys', async () => {
    expectCleanError(
      await post('/api/projects', '{"name":"x","__proto__":{"admin":true}}'),
      400,
      'invalid_json',
    );
    expectCleanError(
      await post('/api/projects', '{"name":"x","constructor":{"prototype":{"a":1}}}'),
      400,
      'invalid_json',
    );
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses a body over the limit with 413', async () => {
    const error = expectCleanError(
      await post('/api/projects', { name: 'x'.repeat(5000) }),
      413,
      'payload_too_large',
    );
    expect(error.message).toContain('4096');
  });

  it('refuses a body that is not JSON with 415', async () => {
    expectCleanError(
      await post('/api/projects', 'name=x', { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    );
  });

  it('refuses unknown query parameters', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/keys?project=abc',
      headers: t.auth(t.adminKey),
    });
    expectCleanError(response, 400, 'validation_failed');
  });

  it('treats SQL metacharacters in ids as plain data', async () => {
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/keys/${encodeURIComponent("x' OR '1'='1")}`,
      headers: t.auth(t.adminKey),
    });
    expectCleanError(response, 404, 'api_key_not_found');
    const keys = await t.app.inject({ method: 'GET', url: '/api/keys', headers: t.auth(t.adminKey) });
    expect(keys.json().data.every((key: { revoked_at: unknown }) => key.revoked_at === null)).toBe(true);
  });
});
