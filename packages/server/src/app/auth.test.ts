import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

describe('authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.dispose());

  it('serves /health without a key and echoes a request id', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', version: '0.0.0-test', storage: 'sqlite' });
    expect(response.headers['x-request-id']).toBe('abc-123');
  });

  it('lets the bootstrap key read its project', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/projects/current',
      headers: t.auth(t.adminKey),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: t.projectId, name: 'default' });
  });

  const refusals: Array<[string, Record<string, string>, string]> = [
    ['no header', {}, 'missing_api_key'],
    ['an empty header', { authorization: '' }, 'missing_api_key'],
    ['an empty bearer token', { authorization: 'Bearer ' }, 'missing_api_key'],
    ['another scheme', { authorization: `Basic ${btoa('user:pass')}` }, 'invalid_api_key'],
    ['a malformed key', { authorization: 'Bearer sk-proj-123' }, 'invalid_api_key'],
    ['an unknown key', { authorization: `Bearer fw_sk_${'x'.repeat(43)}` }, 'invalid_api_key'],
    ['a case-changed key', { authorization: `Bearer fw_sk_${'t'.repeat(43)}` }, 'invalid_api_key'],
    ['a null token', { authorization: 'Bearer null' }, 'invalid_api_key'],
  ];
  it.each(refusals)('answers 401 with the REST error body for %s', async (_label, headers, code) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/projects/current', headers });
    expect(response.statusCode).toBe(401);
    const body = response.json();
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/Bearer|unknown|malformed/);
    expect(body.error.request_id).toBe(response.headers['x-request-id']);
  });

  it('refuses a revoked key at once', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: t.auth(t.adminKey),
      payload: { name: 'short-lived', scopes: ['read'] },
    });
    const { key, id } = created.json();
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/projects/current', headers: t.auth(key) })).statusCode,
    ).toBe(200);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/keys/${id}`,
      headers: t.auth(t.adminKey),
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked_at).toEqual(expect.any(String));
    const after = await t.app.inject({ method: 'GET', url: '/api/projects/current', headers: t.auth(key) });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('invalid_api_key');
  });

  it.each([
    '/API/projects/current',
    '/api/projects/current/',
    '/api//projects/current',
    '/%61pi/projects/current',
    '/api/projects/%63urrent',
  ])('never reaches a handler without a key through the spelling %s', async (url) => {
    const response = await t.app.inject({ method: 'GET', url });
    expect([401, 404]).toContain(response.statusCode);
    expect(response.json().error.code).toMatch(/route_not_found|missing_api_key/);
  });

  it('answers unknown routes with route_not_found', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({
      code: 'route_not_found',
      message: 'No endpoint GET /nope.',
    });
  });
});
