import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

describe('api key routes', () => {
  let t: TestApp;
  let projectB: string;
  let adminOfA: string;
  let adminOfB: string;
  let keyIdOfB: string;

  beforeAll(async () => {
    t = await createTestApp();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/projects',
      headers: t.auth(t.adminKey),
      payload: { name: 'project b' },
    });
    expect(created.statusCode).toBe(201);
    projectB = created.json().id;
    const keyA = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: t.auth(t.adminKey),
      payload: { name: 'admin of a', scopes: ['admin', 'read'] },
    });
    adminOfA = keyA.json().key;
    const keyB = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: t.auth(t.adminKey),
      payload: { name: 'admin of b', scopes: ['admin'], project_id: projectB },
    });
    expect(keyB.statusCode).toBe(201);
    adminOfB = keyB.json().key;
    keyIdOfB = keyB.json().id;
  });
  afterAll(() => t.dispose());

  it('shows a new key once, then only as prefix…suffix', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: t.auth(adminOfA),
      payload: { name: 'ci', scopes: ['gateway', 'ingest'] },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.key).toMatch(/^fw_sk_[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({
      name: 'ci',
      scopes: ['gateway', 'ingest'],
      project_id: t.projectId,
      revoked_at: null,
    });
    expect(body.display).toBe(`${body.key.slice(0, 10)}…${body.key.slice(-4)}`);
    const listed = await t.app.inject({ method: 'GET', url: '/api/keys', headers: t.auth(adminOfA) });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(body.key);
    expect(listed.body).not.toContain('hash');
    expect(listed.json().data.map((key: { id: string }) => key.id)).toContain(body.id);
  });

  it('gives every key of a new project every scope unless told otherwise', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: t.auth(adminOfA),
      payload: { name: 'all' },
    });
    expect(created.json().scopes).toEqual(['gateway', 'ingest', 'read', 'write', 'admin']);
  });

  it("answers 404 when project A's key reaches for project B's keys", async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/keys?project_id=${projectB}`,
      headers: t.auth(adminOfA),
    });
    expect(list.statusCode).toBe(404);
    expect(list.json().error.code).toBe('project_not_found');
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: t.auth(adminOfA),
      payload: { name: 'intruder', project_id: projectB },
    });
    expect(create.statusCode).toBe(404);
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/keys/${keyIdOfB}`,
      headers: t.auth(adminOfA),
    });
    expect(revoke.statusCode).toBe(404);
    expect(revoke.json().error.code).toBe('api_key_not_found');
    const stillValid = await t.app.inject({
      method: 'GET',
      url: '/api/projects/current',
      headers: t.auth(adminOfB),
    });
    expect(stillValid.json().id).toBe(projectB);
  });

  it("lets an instance admin manage another project's keys", async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/keys?project_id=${projectB}`,
      headers: t.auth(t.adminKey),
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((key: { id: string }) => key.id)).toEqual([keyIdOfB]);
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/keys?project_id=proj_nope',
      headers: t.auth(t.adminKey),
    });
    expect(missing.statusCode).toBe(404);
  });

  it('requires the admin scope to manage keys', async () => {
    const reader = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: t.auth(t.adminKey),
      payload: { name: 'reader', scopes: ['read'] },
    });
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/keys',
      headers: t.auth(reader.json().key),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toMatchObject({ code: 'insufficient_scope' });
    expect(response.json().error.message).toContain("'admin' scope");
  });

  it('keeps project listing and creation to instance admins', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/projects', headers: t.auth(adminOfA) });
    expect(list.statusCode).toBe(403);
    expect(list.json().error.code).toBe('instance_admin_required');
    const all = await t.app.inject({ method: 'GET', url: '/api/projects', headers: t.auth(t.adminKey) });
    expect(all.json().data.map((project: { id: string }) => project.id)).toEqual([t.projectId, projectB]);
  });
});
