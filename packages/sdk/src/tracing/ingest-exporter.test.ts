import type { IngestEvent } from '@flywheel/spec';
import { afterEach, describe, expect, it } from 'vitest';
import {
  answerError,
  answerOk,
  type FakeIngestServer,
  startFakeIngest,
} from '../testing-internal/fake-ingest-server.js';
import { createIngestExporter, type IngestExporterOptions } from './ingest-exporter.js';
import type { IngestFailure } from './ingest-failure.js';

// Reliability cases I-7 (endpoint down), I-8 (which answers are retried) and I-9 (flush means
// acknowledged) against a fake ingest endpoint on 127.0.0.1 that misbehaves on purpose.

const fakes: FakeIngestServer[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function fakeIngest(port?: number): Promise<FakeIngestServer> {
  const fake = await startFakeIngest(port);
  fakes.push(fake);
  return fake;
}

const event = (index: number): IngestEvent => ({
  id: `ev-${index}`,
  type: 'trace-create',
  timestamp: '2026-01-01T00:00:00.000Z',
  body: { id: `tr-${index}`, name: 'n' },
});

function exporterFor(fake: { url: string }, options: Partial<IngestExporterOptions> = {}) {
  const failures: IngestFailure[] = [];
  const exporter = createIngestExporter({
    baseUrl: fake.url,
    apiKey: 'fw_sk_test',
    retryDelayMs: 5,
    maxRetryDelayMs: 20,
    // Long enough that only flush() and full batches send: the tests decide when.
    flushIntervalMs: 60_000,
    onError: (failure) => failures.push(failure),
    ...options,
  });
  return { exporter, failures };
}

const sent = (fake: FakeIngestServer) => fake.received.map((request) => request.events.length);

describe('ingest exporter', () => {
  it('sends in batches, with the key, and flush resolves only after the server acknowledged (I-9)', async () => {
    const fake = await fakeIngest();
    let answered = 0;
    fake.handle((body, response) =>
      setTimeout(() => {
        answered++;
        answerOk(response, body);
      }, 30),
    );
    const { exporter } = exporterFor(fake, { batchSize: 3 });
    for (let index = 0; index < 7; index++) expect(exporter.enqueue(event(index))).toBe(true);
    const result = await exporter.flush();
    expect(answered).toBe(3);
    expect(sent(fake)).toEqual([3, 3, 1]);
    expect(fake.received[0]!.authorization).toBe('Bearer fw_sk_test');
    expect(fake.received.flatMap((request) => request.events.map((item) => item.id))).toEqual(
      Array.from({ length: 7 }, (_, index) => `ev-${index}`),
    );
    expect(result).toMatchObject({ ok: true, sent: 7, dropped: 0, rejected: 0, timedOut: false });
    expect(exporter.stats()).toEqual({ queued: 0, sent: 7, dropped: 0, rejected: 0, retries: 0 });
  });

  it('sends a partial batch when the interval passes', async () => {
    const fake = await fakeIngest();
    const { exporter } = exporterFor(fake, { flushIntervalMs: 20 });
    exporter.enqueue(event(1));
    await expect.poll(() => sent(fake)).toEqual([1]);
    await expect.poll(() => exporter.stats().sent).toBe(1);
  });

  it('waits at least Retry-After after a 429, and retries a 503 (I-8)', async () => {
    const fake = await fakeIngest();
    fake.handle((body, response) => {
      if (fake.received.length === 1) answerError(response, 429, { 'retry-after': '1' });
      else if (fake.received.length === 2) answerError(response, 503);
      else answerOk(response, body);
    });
    const { exporter, failures } = exporterFor(fake);
    exporter.enqueue(event(1));
    const result = await exporter.flush();
    expect(sent(fake)).toEqual([1, 1, 1]);
    expect(fake.received[1]!.at - fake.received[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(result).toMatchObject({ ok: true, sent: 1 });
    expect(exporter.stats()).toMatchObject({ sent: 1, retries: 2, dropped: 0 });
    expect(failures).toEqual([]);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const fake = await fakeIngest();
    fake.handle((body, response) => {
      if (fake.received.length === 1)
        answerError(response, 503, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() });
      else answerOk(response, body);
    });
    const { exporter } = exporterFor(fake);
    exporter.enqueue(event(1));
    await exporter.flush();
    // HTTP dates have whole seconds: the wait is at least the part of the 2 s still ahead.
    expect(fake.received[1]!.at - fake.received[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it.each([400, 401, 403, 413])('does not retry a %i, and reports it (I-8)', async (status) => {
    const fake = await fakeIngest();
    fake.handle((_body, response) => answerError(response, status));
    const { exporter, failures } = exporterFor(fake);
    exporter.enqueue(event(1));
    exporter.enqueue(event(2));
    const result = await exporter.flush();
    expect(sent(fake)).toEqual([2]);
    expect(result).toMatchObject({ ok: false, sent: 0, dropped: 2 });
    expect(exporter.stats()).toMatchObject({ sent: 0, dropped: 2, retries: 0, queued: 0 });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ reason: 'not_retryable', outcome: 'dropped', events: 2 });
    expect(failures[0]!.error).toMatchObject({ status, message: `status ${status}` });
    expect(result.failures).toEqual(failures);
  });

  it('counts the items a 207 refused as rejected, and names them', async () => {
    const fake = await fakeIngest();
    fake.handle((body, response) => {
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
    const { exporter, failures } = exporterFor(fake);
    for (let index = 0; index < 3; index++) exporter.enqueue(event(index));
    const result = await exporter.flush();
    expect(result).toMatchObject({ ok: false, sent: 2, rejected: 1, dropped: 0 });
    expect(exporter.stats()).toMatchObject({ sent: 2, rejected: 1, dropped: 0 });
    expect(failures).toMatchObject([
      {
        reason: 'partially_rejected',
        outcome: 'rejected',
        events: 1,
        items: [{ id: 'ev-0', code: 'validation_failed' }],
      },
    ]);
  });

  it('retries while the endpoint is down and delivers once it is back (I-7)', async () => {
    const fake = await fakeIngest();
    const port = fake.port;
    await fake.close();
    fakes.splice(0);
    const { exporter, failures } = exporterFor(fake);
    exporter.enqueue(event(1));
    exporter.enqueue(event(2));
    const flushed = exporter.flush();
    await expect.poll(() => exporter.stats().retries).toBeGreaterThan(2);
    const back = await fakeIngest(port);
    const result = await flushed;
    expect(result).toMatchObject({ ok: true, sent: 2 });
    expect(back.received.flatMap((request) => request.events.map((item) => item.id))).toEqual([
      'ev-1',
      'ev-2',
    ]);
    expect(failures).toEqual([]);
  });

  it('drops new events when the queue is full, counts them, and reports the episode once', async () => {
    const fake = await fakeIngest();
    const { exporter, failures } = exporterFor(fake, { maxQueueSize: 5, batchSize: 100 });
    const accepted = Array.from({ length: 8 }, (_, index) => exporter.enqueue(event(index)));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(exporter.stats()).toMatchObject({ queued: 5, dropped: 3 });
    expect(failures).toMatchObject([{ reason: 'queue_full', outcome: 'dropped' }]);
    const result = await exporter.flush();
    expect(result).toMatchObject({ ok: true, sent: 5 });
    expect(sent(fake)).toEqual([5]);
  });

  it('gives a batch up after maxAttempts, and says so', async () => {
    const fake = await fakeIngest();
    fake.handle((_body, response) => answerError(response, 502));
    const { exporter, failures } = exporterFor(fake, { maxAttempts: 3 });
    exporter.enqueue(event(1));
    const result = await exporter.flush();
    expect(sent(fake)).toEqual([1, 1, 1]);
    expect(result).toMatchObject({ ok: false, dropped: 1 });
    expect(exporter.stats()).toMatchObject({ sent: 0, dropped: 1, retries: 2 });
    expect(failures).toMatchObject([{ reason: 'retries_exhausted', events: 1 }]);
    expect(failures[0]!.error.status).toBe(502);
  });

  it('gives a batch up rather than wait past maxRetryMs for a long Retry-After', async () => {
    const fake = await fakeIngest();
    fake.handle((_body, response) => answerError(response, 503, { 'retry-after': '3600' }));
    const { exporter, failures } = exporterFor(fake, { maxRetryMs: 10_000 });
    exporter.enqueue(event(1));
    const result = await exporter.flush();
    expect(sent(fake)).toEqual([1]);
    expect(result).toMatchObject({ ok: false, dropped: 1 });
    expect(failures).toMatchObject([{ reason: 'retries_exhausted' }]);
  });

  it('leaves out an event that cannot be serialized or is too large, and sends its neighbours', async () => {
    const fake = await fakeIngest();
    const { exporter, failures } = exporterFor(fake, { maxBatchBytes: 2_000 });
    const unwritable = event(1);
    (unwritable.body as Record<string, unknown>).input = {
      toJSON() {
        throw new Error('no');
      },
    };
    const huge = event(2);
    (huge.body as Record<string, unknown>).input = 'x'.repeat(5_000);
    for (const item of [event(0), unwritable, huge, event(3)]) exporter.enqueue(item);
    const result = await exporter.flush();
    expect(fake.received.flatMap((request) => request.events.map((item) => item.id))).toEqual([
      'ev-0',
      'ev-3',
    ]);
    expect(result).toMatchObject({ ok: false, sent: 2, dropped: 2 });
    expect(failures.map((failure) => failure.reason).sort()).toEqual(['event_too_large', 'unserializable']);
  });

  it('splits batches to stay under maxBatchBytes', async () => {
    const fake = await fakeIngest();
    const { exporter } = exporterFor(fake, { maxBatchBytes: 1_000 });
    for (let index = 0; index < 6; index++) {
      const item = event(index);
      (item.body as Record<string, unknown>).input = 'é'.repeat(150);
      exporter.enqueue(item);
    }
    const result = await exporter.flush();
    expect(result).toMatchObject({ ok: true, sent: 6 });
    expect(fake.received.length).toBeGreaterThan(1);
    for (const request of fake.received) expect(Buffer.byteLength(request.text)).toBeLessThanOrEqual(1_000);
  });

  it('shuts down once: later calls get the same promise, later events are dropped and counted', async () => {
    const fake = await fakeIngest();
    const { exporter, failures } = exporterFor(fake);
    exporter.enqueue(event(1));
    const first = exporter.shutdown();
    expect(exporter.shutdown()).toBe(first);
    expect(await first).toMatchObject({ ok: true, sent: 1 });
    expect(exporter.enqueue(event(2))).toBe(false);
    expect(exporter.enqueue(event(3))).toBe(false);
    expect(exporter.stats()).toMatchObject({ sent: 1, dropped: 2 });
    expect(failures).toMatchObject([{ reason: 'shut_down' }]);
    expect(sent(fake)).toEqual([1]);
  });

  it('gives up what is pending when shutdown times out (the server never answers)', async () => {
    const fake = await fakeIngest();
    fake.handle(() => undefined);
    const { exporter } = exporterFor(fake, { batchSize: 2 });
    for (let index = 0; index < 5; index++) exporter.enqueue(event(index));
    const result = await exporter.shutdown({ timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, timedOut: true, pending: 0, dropped: 5 });
    expect(exporter.stats()).toMatchObject({ queued: 0, sent: 0, dropped: 5 });
  });

  it('lets flush time out without dropping anything', async () => {
    const fake = await fakeIngest();
    let release: () => void = () => undefined;
    fake.handle((body, response) => {
      release = () => answerOk(response, body);
    });
    const { exporter } = exporterFor(fake);
    exporter.enqueue(event(1));
    expect(await exporter.flush({ timeoutMs: 100 })).toMatchObject({ ok: false, timedOut: true, pending: 1 });
    release();
    expect(await exporter.flush()).toMatchObject({ ok: true });
    expect(exporter.stats()).toMatchObject({ sent: 1, dropped: 0 });
  });

  it('survives an onError that throws', async () => {
    const fake = await fakeIngest();
    fake.handle((_body, response) => answerError(response, 400));
    const exporter = createIngestExporter({
      baseUrl: fake.url,
      apiKey: 'k',
      onError: () => {
        throw new Error('broken handler');
      },
    });
    exporter.enqueue(event(1));
    expect(await exporter.flush()).toMatchObject({ ok: false, dropped: 1 });
    fake.handle((body, response) => answerOk(response, body));
    exporter.enqueue(event(2));
    expect(await exporter.flush()).toMatchObject({ ok: true, sent: 1 });
  });
});
