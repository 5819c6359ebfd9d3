import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IngestEvent } from '@flywheel/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { createIngestExporter, type IngestExportError, parseRetryAfter } from './ingest-exporter.js';

// Cases I-7, I-8 and I-9 against a fake ingest endpoint on 127.0.0.1 that misbehaves on purpose.

type Handler = (request: IncomingMessage, body: { batch: IngestEvent[] }, response: ServerResponse) => void;

interface FakeIngest {
  url: string;
  received: Array<{ at: number; events: number }>;
  handle(handler: Handler): void;
  close(): Promise<void>;
  server: Server;
}

const fakes: FakeIngest[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function startFake(port = 0): Promise<FakeIngest> {
  let handler: Handler = (_request, body, response) => ok(response, body);
  const received: FakeIngest['received'] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { batch: IngestEvent[] };
      received.push({ at: Date.now(), events: body.batch.length });
      handler(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const fake: FakeIngest = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    server,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  fakes.push(fake);
  return fake;
}

function ok(response: ServerResponse, body: { batch: IngestEvent[] }) {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({ successes: body.batch.map((event) => ({ id: event.id, status: 201 })), errors: [] }),
  );
}

function fail(response: ServerResponse, status: number, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ error: { code: 'x', message: `status ${status}`, request_id: 'r' } }));
}

const event = (index: number): IngestEvent => ({
  id: `ev-${index}`,
  type: 'trace-create',
  body: { id: `tr-${index}`, name: 'n' },
});

const fastRetries = { retryDelayMs: 5, maxRetryDelayMs: 20, flushIntervalMs: 10_000 };

describe('ingest exporter', () => {
  it('sends in batches and resolves flush only after the server acknowledged (I-9)', async () => {
    const fake = await startFake();
    let answered = false;
    fake.handle((_request, body, response) =>
      setTimeout(() => {
        answered = true;
        ok(response, body);
      }, 50),
    );
    const exporter = createIngestExporter({ baseUrl: fake.url, apiKey: 'k', batchSize: 3, ...fastRetries });
    for (let index = 0; index < 7; index++) exporter.enqueue(event(index));
    await exporter.flush();
    expect(answered).toBe(true);
    expect(fake.received.map((request) => request.events)).toEqual([3, 3, 1]);
    expect(exporter.stats()).toMatchObject({ sent: 7, dropped: 0, queued: 0 });
    await exporter.shutdown();
    await exporter.shutdown();
    exporter.enqueue(event(99));
    expect(exporter.stats().dropped).toBe(1);
  });

  it('waits at least Retry-After after a 429, and retries 503s (I-8)', async () => {
    const fake = await startFake();
    fake.handle((_request, body, response) => {
      if (fake.received.length === 1) fail(response, 429, { 'retry-after': '1' });
      else if (fake.received.length === 2) fail(response, 503);
      else ok(response, body);
    });
    const exporter = createIngestExporter({ baseUrl: fake.url, apiKey: 'k', ...fastRetries });
    exporter.enqueue(event(1));
    await exporter.flush();
    expect(fake.received).toHaveLength(3);
    expect(fake.received[1]!.at - fake.received[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(exporter.stats()).toMatchObject({ sent: 1, retries: 2, dropped: 0 });
  });

  it.each([400, 401, 403, 413])('does not retry a %i, and reports it (I-8)', async (status) => {
    const fake = await startFake();
    fake.handle((_request, _body, response) => fail(response, status));
    const errors: IngestExportError[] = [];
    const exporter = createIngestExporter({
      baseUrl: fake.url,
      apiKey: 'k',
      ...fastRetries,
      onError: (error) => errors.push(error),
    });
    exporter.enqueue(event(1));
    exporter.enqueue(event(2));
    await exporter.flush();
    expect(fake.received).toHaveLength(1);
    expect(exporter.stats()).toMatchObject({ sent: 0, dropped: 2, retries: 0 });
    expect(errors).toMatchObject([{ kind: 'refused', status, events: 2 }]);
    expect(errors[0]!.message).toContain(`status ${status}`);
  });

  it('counts the items a 207 refused', async () => {
    const fake = await startFake();
    fake.handle((_request, body, response) => {
      response.writeHead(207, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          successes: body.batch.slice(1).map((item) => ({ id: item.id, status: 201 })),
          errors: [
            { id: body.batch[0]!.id, status: 400, code: 'validation_failed', message: 'batch[0]: bad' },
          ],
        }),
      );
    });
    const errors: IngestExportError[] = [];
    const exporter = createIngestExporter({
      baseUrl: fake.url,
      apiKey: 'k',
      ...fastRetries,
      onError: (error) => errors.push(error),
    });
    for (let index = 0; index < 3; index++) exporter.enqueue(event(index));
    await exporter.flush();
    expect(exporter.stats()).toMatchObject({ sent: 2, rejected: 1, dropped: 1 });
    expect(errors[0]).toMatchObject({ kind: 'rejected', events: 1 });
  });

  it('keeps retrying while the endpoint is down, holds a bounded queue, and delivers when it is back (I-7)', async () => {
    const fake = await startFake();
    const port = Number(new URL(fake.url).port);
    await fake.close();
    fakes.splice(0);
    const exporter = createIngestExporter({
      baseUrl: fake.url,
      apiKey: 'k',
      maxQueueSize: 5,
      batchSize: 2,
      ...fastRetries,
    });
    for (let index = 0; index < 8; index++) exporter.enqueue(event(index));
    // Five fit (two of them already taken into the batch being retried), the rest are counted.
    expect(exporter.stats().dropped).toBeGreaterThanOrEqual(1);
    const flushed = exporter.flush();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(exporter.stats().retries).toBeGreaterThan(0);
    const back = await startFake(port);
    await flushed;
    const delivered = back.received.reduce((sum, request) => sum + request.events, 0);
    expect(delivered + exporter.stats().dropped).toBe(8);
    expect(exporter.stats().sent).toBe(delivered);
  });

  it('gives a batch up after maxRetryMs and says so', async () => {
    const fake = await startFake();
    fake.handle((_request, _body, response) => fail(response, 503));
    const errors: IngestExportError[] = [];
    const exporter = createIngestExporter({
      baseUrl: fake.url,
      apiKey: 'k',
      ...fastRetries,
      maxRetryMs: 60,
      onError: (error) => errors.push(error),
    });
    exporter.enqueue(event(1));
    await exporter.flush();
    expect(exporter.stats()).toMatchObject({ sent: 0, dropped: 1 });
    expect(errors[0]).toMatchObject({ kind: 'gave-up', events: 1 });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    expect(parseRetryAfter(inTwoSeconds)).toBeGreaterThan(0.5);
  });
});
