import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

const indexHtml =
  '<!doctype html><html><head><script type="module" src="/assets/index-Ab12_cd.js"></script></head><body><div id="root"></div></body></html>';
const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

/** A folder shaped like `vite build` output. */
function builtUi(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flywheel-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), indexHtml);
  writeFileSync(join(dir, 'assets', 'index-Ab12_cd.js'), script);
  writeFileSync(join(dir, 'assets', 'index-Ef34.css'), 'body{color:red}');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the web UI at /', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = builtUi();
    t = await createTestApp({ webDir: dir });
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache, a strict CSP and nosniff', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.body).toBe(indexHtml);
  });

  it('serves hashed assets with their content type and immutable caching, gzipped when asked', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/assets/index-Ab12_cd.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toBe(script);

    const css = await t.app.inject({ method: 'GET', url: '/assets/index-Ef34.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');

    const gzipped = await t.app.inject({
      method: 'GET',
      url: '/assets/index-Ab12_cd.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('accept-encoding');
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(script);
    const refused = await t.app.inject({
      method: 'GET',
      url: '/assets/index-Ab12_cd.js',
      headers: { 'accept-encoding': 'gzip;q=0' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('revalidates by ETag: 304 when unchanged', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/' });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await t.app.inject({ method: 'GET', url: '/', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves files outside assets/ for revalidation, not forever', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(response.headers['content-type']).toBe('image/svg+xml');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('answers a page URL loaded directly (/traces, /traces/tr_1?x=1) with index.html', async () => {
    for (const url of ['/traces', '/traces/tr_1?x=1', '/prompts/support%2Ftriage']) {
      const response = await t.app.inject({ method: 'GET', url, headers: html });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.body).toBe(indexHtml);
    }
  });

  it('keeps API, gateway and OTLP 404s in their error shapes, even for a browser', async () => {
    for (const url of ['/api/nope', '/API/nope', '/api', '/otlp/v1/nope']) {
      const response = await t.app.inject({ method: 'GET', url, headers: html });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.json().error).toMatchObject({ code: 'route_not_found' });
    }
    const gateway = await t.app.inject({ method: 'GET', url: '/v1/nope', headers: html });
    expect(gateway.statusCode).toBe(404);
    expect(gateway.json().error).toMatchObject({ code: 'route_not_found', type: expect.any(String) });
  });

  it('does not answer a missing asset, a non-HTML request or a POST with the page', async () => {
    const missing = await t.app.inject({
      method: 'GET',
      url: '/assets/gone-123.js',
      headers: { accept: '*/*' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('route_not_found');
    const post = await t.app.inject({ method: 'POST', url: '/traces', headers: html, payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.json().error.code).toBe('route_not_found');
  });

  it('leaves the API working beside it', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/projects/current',
      headers: t.auth(t.adminKey),
    });
    expect(response.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json().status).toBe('ok');
  });
});

describe('the web UI before it is built', () => {
  it('answers / and page URLs with a short text saying to run npm run build', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'flywheel-web-empty-'));
    const t = await createTestApp({ webDir: join(empty, 'dist') });
    try {
      const root = await t.app.inject({ method: 'GET', url: '/' });
      expect(root.statusCode).toBe(404);
      expect(root.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(root.body).toContain('npm run build');
      const page = await t.app.inject({ method: 'GET', url: '/traces', headers: html });
      expect(page.body).toContain('npm run build');
      const api = await t.app.inject({ method: 'GET', url: '/api/nope', headers: html });
      expect(api.json().error.code).toBe('route_not_found');
    } finally {
      await t.dispose();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
