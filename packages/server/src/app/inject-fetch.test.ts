import type { FetchLike } from '@flywheel/spec';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';
import { createInjectFetch } from './inject-fetch.js';

// The local eval runner's API calls (its experiment, prompts, datasets) go to the server in its
// own process through this fetch: they must get what a client over HTTP gets.

let t: TestApp;
let localFetch: FetchLike;

beforeAll(async () => {
  t = await createTestApp();
  localFetch = createInjectFetch(t.app);
});
afterAll(async () => {
  await t.dispose();
});

const base = 'http://127.0.0.1:1';

describe('the in-process fetch', () => {
  it('sends method, headers, body and query to the route, and answers its status, headers and body', async () => {
    const created = await localFetch(`${base}/api/datasets`, {
      method: 'POST',
      headers: { ...t.auth(t.adminKey), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'through-inject' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/json');
    expect(JSON.parse(await created.text())).toMatchObject({ name: 'through-inject' });
    expect(created.statusText).toBe('Created');

    const listed = await localFetch(`${base}/api/datasets?limit=1`, { headers: t.auth(t.adminKey) });
    expect(listed.ok).toBe(true);
    const page = JSON.parse(await listed.text()) as { data: Array<{ name: string }> };
    expect(page.data.map((dataset) => dataset.name)).toEqual(['through-inject']);
    // The body as a stream too (the SDK reads dataset exports line by line).
    const again = await localFetch(`${base}/api/datasets?limit=1`, { headers: t.auth(t.adminKey) });
    const { value } = await again.body!.getReader().read();
    expect(JSON.parse(Buffer.from(value!).toString('utf8'))).toEqual(page);
  });

  it('answers errors as the server does, and a 204 with no body', async () => {
    const refused = await localFetch(`${base}/api/datasets`);
    expect(refused.status).toBe(401);
    expect(refused.ok).toBe(false);
    expect((JSON.parse(await refused.text()) as { error: { code: string } }).error.code).toBe(
      'missing_api_key',
    );

    const deleted = await localFetch(`${base}/api/datasets/through-inject`, {
      method: 'DELETE',
      headers: t.auth(t.adminKey),
    });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
  });

  it('refuses an aborted signal and a body that is not text', async () => {
    await expect(
      localFetch(`${base}/health`, { signal: AbortSignal.abort(new Error('stop')) }),
    ).rejects.toThrow('stop');
    await expect(
      localFetch(`${base}/api/datasets`, {
        method: 'POST',
        body: new Uint8Array([1, 2]) as unknown as string,
      }),
    ).rejects.toThrow('string bodies only');
  });

  it('answers an abort at once, while the route is still working', async () => {
    const slow = Fastify();
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    slow.get('/slow', async () => {
      await released;
      return { done: true };
    });
    try {
      const controller = new AbortController();
      const call = createInjectFetch(slow)(`${base}/slow`, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('run stopped')), 20);
      await expect(call).rejects.toThrow('run stopped');
    } finally {
      release();
      await slow.close();
    }
  });
});
