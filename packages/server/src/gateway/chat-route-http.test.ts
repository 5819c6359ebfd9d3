import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FakeOpenAIServer } from '@flywheel/providers/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger } from '../testing-internal/captured-logger.js';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// `POST /v1/chat/completions` is answered on the raw server, ahead of Fastify (decision 0016).
// What Fastify did for it — request ids, the body's checks, errors, the access log, shutting
// down — it must still do, the same way as every other route.

const config = `models:
  - name: chat
    targets:
      - { provider: openai-compatible, model: upstream-model, base_url: "{{primary}}", api_key: upstream-key }
    retries: { max: 0 }
`;
const limit = 4096;
const chat = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });

let t: GatewayTestApp;
let fake: FakeOpenAIServer;
const log = capturedLogger('debug');

beforeAll(async () => {
  t = await startGatewayTestApp(config, {
    fakes: ['primary'],
    env: { FLYWHEEL_BODY_LIMIT_BYTES: String(limit) },
    logger: log.logger,
  });
  fake = t.fakes.primary!;
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.behave(() => ({ kind: 'json' }));
  log.lines.length = 0;
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: { error?: { code: string; message: string; type: string } } & Record<string, unknown>;
}

/** One request through node:http, so a test chooses every header (or leaves it out). */
function send(options: {
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  chunked?: boolean;
}): Promise<Answer> {
  const url = new URL(`${t.url}${options.path ?? '/v1/chat/completions'}`);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode!, headers: response.headers, body: JSON.parse(text) });
        });
      },
    );
    outgoing.on('error', reject);
    if (options.chunked) outgoing.setHeader('transfer-encoding', 'chunked');
    if (options.body !== undefined) {
      if (options.chunked) {
        const bytes = Buffer.from(options.body);
        for (let at = 0; at < bytes.length; at += 1000) outgoing.write(bytes.subarray(at, at + 1000));
      } else outgoing.write(options.body);
    }
    outgoing.end();
  });
}

const json = { 'content-type': 'application/json' };

function expectError(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.body.error).toMatchObject({ code });
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.headers['x-request-id']).toMatch(/^req_/);
  expect(Number(answer.headers['x-flywheel-overhead-ms'])).toBeGreaterThanOrEqual(0);
}

describe('the chat route reads its body as every route does', () => {
  it('answers a JSON body, with the Content-Type in any case and with parameters', async () => {
    const answer = await send({
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
      body: chat,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.choices).toBeDefined();
    expect(answer.headers['x-flywheel-trace-id']).toMatch(/^tr_/);
  });

  it('keeps a query string out of the route', async () => {
    expect(
      (await send({ path: '/v1/chat/completions?api-version=1', headers: json, body: chat })).status,
    ).toBe(200);
  });

  it('refuses a body that is not JSON with 415, and one without a Content-Type', async () => {
    const plain = await send({ headers: { 'content-type': 'text/plain' }, body: chat });
    expectError(plain, 415, 'unsupported_media_type');
    expect(plain.body.error!.message).toContain('Content-Type: application/json');
    expectError(await send({ body: chat }), 415, 'unsupported_media_type');
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a body over the limit with 413, by its Content-Length or as it arrives', async () => {
    const big = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(limit) }] });
    const declared = await send({ headers: json, body: big });
    expectError(declared, 413, 'payload_too_large');
    expect(declared.body.error!.message).toContain(`limit of ${limit} bytes`);
    expectError(await send({ headers: json, body: big, chunked: true }), 413, 'payload_too_large');
    expect(fake.requests).toHaveLength(0);
  });

  it('accepts a gzip body, and measures the limit after decompression', async () => {
    const zipped = { ...json, 'content-encoding': 'gzip' };
    expect((await send({ headers: zipped, body: gzipSync(chat) })).status).toBe(200);
    const bomb = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(50_000) }] });
    expect(gzipSync(bomb).length).toBeLessThan(limit);
    expectError(await send({ headers: zipped, body: gzipSync(bomb) }), 413, 'payload_too_large');
    expectError(await send({ headers: zipped, body: 'not gzip at all' }), 400, 'validation_failed');
    expectError(
      await send({ headers: { ...json, 'content-encoding': 'br' }, body: chat }),
      415,
      'unsupported_media_type',
    );
  });

  it('refuses malformed, empty and prototype-polluting JSON with invalid_json', async () => {
    expectError(await send({ headers: json, body: '{"model": "chat",' }), 400, 'invalid_json');
    expectError(await send({ headers: json, body: '' }), 400, 'invalid_json');
    const polluting = '{"model":"chat","messages":[],"__proto__":{"admin":true}}';
    expectError(await send({ headers: json, body: polluting }), 400, 'invalid_json');
    expect(fake.requests).toHaveLength(0);
  });

  it('checks the key before the body: a refused key gets 401 whatever the body', async () => {
    const answer = await send({
      headers: { authorization: 'Bearer fw_sk_nope', 'content-type': 'text/plain' },
      body: 'x',
    });
    expectError(answer, 401, 'invalid_api_key');
    expect(answer.headers['x-flywheel-trace-id']).toBeUndefined();
  });
});

describe('request ids and the access log', () => {
  it('echoes a sane x-request-id, on answers and on streams, and replaces one that is not', async () => {
    const given = await send({ headers: { ...json, 'x-request-id': 'client-42' }, body: chat });
    expect(given.headers['x-request-id']).toBe('client-42');
    const bad = await send({ headers: { ...json, 'x-request-id': 'no spaces allowed' }, body: chat });
    expect(bad.headers['x-request-id']).toMatch(/^req_/);
    fake.behave(() => ({ kind: 'stream' }));
    const stream = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${t.key}`, 'x-request-id': 'client-43' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    await stream.text();
    expect(stream.headers.get('x-request-id')).toBe('client-43');
  });

  it('writes the incoming line at debug and one completed line at info, under the request id', async () => {
    await send({ headers: { ...json, 'x-request-id': 'logged-1' }, body: chat });
    await send({ headers: { ...json, 'x-request-id': 'logged-2' }, body: '{' });
    const of = (id: string) => log.lines.filter((line) => line.request_id === id);
    expect(of('logged-1').map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(of('logged-1')[1]).toMatchObject({
      level: 30,
      req: { method: 'POST', url: '/v1/chat/completions' },
      res: { statusCode: 200 },
    });
    expect(typeof of('logged-1')[1]!.responseTime).toBe('number');
    expect(of('logged-2')[1]).toMatchObject({ res: { statusCode: 400 } });
  });

  it('logs an upstream failure at warn with its code and request id', async () => {
    fake.behave(() => ({ kind: 'json', status: 500, body: { error: { message: 'boom' } } }));
    const answer = await send({ headers: { ...json, 'x-request-id': 'failed-1' }, body: chat });
    expect(answer.status).toBeGreaterThanOrEqual(500);
    expect(answer.headers['x-flywheel-trace-id']).toMatch(/^tr_/);
    const warned = log.lines.find((line) => line.request_id === 'failed-1' && line.level === 40);
    expect(warned).toMatchObject({ code: answer.body.error!.code });
  });
});

describe('shutting down', () => {
  it('finishes a chat call in flight and answers the next one on its connection with shutting_down', async () => {
    const own = await startGatewayTestApp(config, { fakes: ['primary'] });
    try {
      own.fakes.primary!.behave(() => ({ kind: 'json', delayMs: 200 }));
      const port = new URL(own.url).port;
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      const raw = (body: string) =>
        `POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${own.key}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      socket.write(raw(chat));
      while (own.fakes.primary!.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const closed = own.app.close();
      await new Promise((resolve) => setImmediate(resolve));
      socket.write(raw(chat));
      await closed;
      await ended;
      const responses = received.split(/(?=HTTP\/1\.1 )/);
      expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
      expect(responses[1]).toMatch(/^HTTP\/1\.1 503/);
      expect(responses[1]).toMatch(/retry-after: 1/i);
      expect(responses[1]).toMatch(/connection: close/i);
      expect(responses[1]).toContain('"code":"shutting_down"');
    } finally {
      await own.close();
    }
  });
});
