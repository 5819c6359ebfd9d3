import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

describe('x-flywheel-project (acting in another project)', () => {
  let t: TestApp;
  let otherProject: string;
  let memberKey: string;
  beforeAll(async () => {
    t = await createTestApp();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/projects',
      headers: t.auth(t.adminKey),
      payload: { name: 'other' },
    });
    otherProject = created.json().id;
    const key = await t.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: t.auth(t.adminKey),
      payload: { name: 'member', scopes: ['read', 'write'] },
    });
    memberKey = key.json().key;
  });
  afterAll(() => t.dispose());

  const current = (key: string, project?: string) =>
    t.app.inject({
      method: 'GET',
      url: '/api/projects/current',
      headers: { ...t.auth(key), ...(project === undefined ? {} : { 'x-flywheel-project': project }) },
    });

  it('lets an instance-admin key act in another project', async () => {
    const response = await current(t.adminKey, otherProject);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: otherProject, name: 'other' });
    // Data written this way lands in the named project only.
    const saved = await t.app.inject({
      method: 'POST',
      url: '/api/datasets',
      headers: { ...t.auth(t.adminKey), 'x-flywheel-project': otherProject },
      payload: { name: 'only-in-other' },
    });
    expect(saved.statusCode).toBe(201);
    const own = await t.app.inject({ method: 'GET', url: '/api/datasets', headers: t.auth(t.adminKey) });
    expect(own.json().data).toEqual([]);
  });

  it("accepts a key's own project and refuses any other with the usual 404", async () => {
    expect((await current(memberKey, t.projectId)).json()).toMatchObject({ id: t.projectId });
    const refused = await current(memberKey, otherProject);
    expect(refused.statusCode).toBe(404);
    expect(refused.json().error.code).toBe('project_not_found');
    const unknown = await current(t.adminKey, 'proj_nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('project_not_found');
  });

  it('still needs a valid key first', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/projects/current',
      headers: { 'x-flywheel-project': otherProject },
    });
    expect(response.statusCode).toBe(401);
  });
});
