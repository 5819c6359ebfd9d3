import { afterEach, describe, expect, it } from 'vitest';
import { capturedLogger } from '../testing-internal/captured-logger.js';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

describe('access log', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('writes one line per request at info, when it completes, under the id the client was given', async () => {
    const { logger, lines } = capturedLogger('info');
    t = await createTestApp({ logger });
    const ok = await t.app.inject({ method: 'GET', url: '/api/projects', headers: t.auth(t.adminKey) });
    const refused = await t.app.inject({ method: 'GET', url: '/api/projects' });
    const requests = lines.filter((line) => line.request_id !== undefined);
    expect(requests.map((line) => line.msg)).toEqual(['request completed', 'request completed']);
    expect(requests[0]).toMatchObject({
      level: 30,
      request_id: ok.headers['x-request-id'],
      req: { method: 'GET', url: '/api/projects' },
      res: { statusCode: 200 },
    });
    expect(typeof requests[0]!.responseTime).toBe('number');
    expect(requests[1]).toMatchObject({
      request_id: refused.headers['x-request-id'],
      res: { statusCode: 401 },
    });
  });

  it('adds the incoming line at debug, and writes nothing per request at warn', async () => {
    const debug = capturedLogger('debug');
    t = await createTestApp({ logger: debug.logger });
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    const id = response.headers['x-request-id'];
    expect(debug.lines.filter((line) => line.request_id === id).map((line) => line.msg)).toEqual([
      'incoming request',
      'request completed',
    ]);
    await t.dispose();

    const warn = capturedLogger('warn');
    t = await createTestApp({ logger: warn.logger });
    await t.app.inject({ method: 'GET', url: '/health' });
    expect(warn.lines).toEqual([]);
  });
});
