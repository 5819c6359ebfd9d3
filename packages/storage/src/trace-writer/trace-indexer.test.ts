import { join } from 'node:path';
import type { ForwardedStream, GatewayGenerationRecord } from '@flywheel/core';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestStorage,
  createSqliteTestStorage,
  type TestStorage,
} from '../testing-internal/test-databases.js';
import { openAppendLog } from './append-log.js';
import { createGatewayTraceSink, gatewayHeaderBytes } from './gateway-frame.js';
import { createThreadedTraceWriter, type TraceWriter } from './trace-writer.js';

const gateway = {
  priceOverrides: [
    {
      provider: 'openai-compatible',
      model: 'priced',
      effectiveFrom: '2020-01-01',
      inputPerMillion: 1_000_000,
      outputPerMillion: 2_000_000,
      currency: 'USD' as const,
    },
  ],
  maxPayloadBytes: 10_000,
};

function call(projectId: string, traceId: string, stream: boolean): GatewayGenerationRecord {
  return {
    projectId,
    traceId,
    requestId: `req-${traceId}`,
    operation: 'chat',
    alias: 'chat',
    startedAtMs: Date.parse('2026-12-07T10:00:00.000Z'),
    stream,
    attempts: [],
    request: { model: 'chat', messages: [{ role: 'user', content: 'Say hello' }], stream },
    ignoredFields: [],
    userId: undefined,
    sessionId: undefined,
    prompt: undefined,
    promptVariables: undefined,
    route: 'chat',
    targetId: 'chat#0',
    provider: 'openai-compatible',
    model: 'priced',
    durationMs: 12.5,
    firstTokenMs: undefined,
    overheadMs: 0.4,
    httpStatus: 200,
    cache: undefined,
    output: stream ? null : { role: 'assistant', content: 'Hello there' },
    outputText: stream ? '' : 'Hello there',
    outputToolCalls: undefined,
    usage: stream ? undefined : { inputTokens: 3, outputTokens: 2, estimated: false },
    cost: undefined,
    error: undefined,
    streamText: undefined,
    streamTimes: undefined,
  };
}

const chunk = (delta: object, finish: string | null, usage?: object) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'priced', choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;

const forwarded: ForwardedStream = {
  events: [
    chunk({ role: 'assistant', content: '' }, null),
    chunk({ content: 'Hel' }, null),
    chunk({ content: 'lo' }, 'stop'),
    chunk({}, null, { prompt_tokens: 4, completion_tokens: 2 }),
    'data: [DONE]\n\n',
  ].map((event) => Buffer.from(event)),
  times: [1, 2.5, 3, 4, 5],
};

/** The frames a sink makes of `calls`, as the writer would append them. */
async function framesOf(
  calls: Array<[GatewayGenerationRecord, ForwardedStream | undefined]>,
): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  const sink = createGatewayTraceSink({ append: async (frame) => void frames.push(frame) });
  for (const [record, stream] of calls) sink.add(record, stream);
  await sink.forceFlush();
  return frames;
}

describe.each([
  ['sqlite', createSqliteTestStorage],
  ['postgres', createPostgresTestStorage],
])('gateway traces through the writer on %s', (_engine, create) => {
  let test: TestStorage;
  let writer: TraceWriter;
  const projectId = 'proj_gateway';
  const lost: string[] = [];

  beforeAll(async () => {
    test = await create();
    await test.storage.stores.projects.create({
      id: projectId,
      name: 'g',
      createdAt: new Date().toISOString(),
    });
    writer = createThreadedTraceWriter(test.options, {
      gateway,
      onLoss: (_code, message) => lost.push(message),
    });
  });
  afterAll(async () => {
    await writer.close();
    await test.dispose();
  });

  it('turns calls into traces: a stream read back from its events, priced from its usage', async () => {
    const sink = createGatewayTraceSink({ append: (frame) => writer.appendGatewayFrame(frame) });
    sink.add(call(projectId, 'tr_plain', false), undefined);
    sink.add(call(projectId, 'tr_stream', true), forwarded);
    await sink.forceFlush();
    await writer.syncGatewayTraces();

    const [plain] = await test.storage.stores.traces.listSpans(projectId, 'tr_plain');
    expect(plain).toMatchObject({
      kind: 'generation',
      output: { role: 'assistant', content: 'Hello there' },
      usage: { inputTokens: 3, outputTokens: 2 },
      cost: 7,
    });
    const [streamed] = await test.storage.stores.traces.listSpans(projectId, 'tr_stream');
    expect(streamed).toMatchObject({
      output: { role: 'assistant', content: 'Hello', finish_reason: 'stop' },
      usage: { inputTokens: 4, outputTokens: 2, estimated: false },
      cost: 8,
      timeToFirstTokenMs: 2.5,
    });
    expect(await test.storage.stores.traces.getTrace(projectId, 'tr_stream')).toMatchObject({
      name: 'chat chat',
      tags: ['gateway'],
    });
  });

  it('reports a call that cannot become a trace as lost, and keeps the others of its frame', async () => {
    lost.length = 0;
    const sink = createGatewayTraceSink({ append: (frame) => writer.appendGatewayFrame(frame) });
    sink.add(call('proj_missing', 'tr_orphan', false), undefined);
    sink.add(call(projectId, 'tr_kept', false), undefined);
    await sink.forceFlush();
    await writer.syncGatewayTraces();
    expect(await test.storage.stores.traces.listSpans(projectId, 'tr_kept')).toHaveLength(1);
    await expect.poll(() => lost.length).toBe(1);
    expect(lost[0]).toMatch(/could not be written/);
  });
});

describe('gateway log on SQLite', () => {
  let test: TestStorage;
  const projectId = 'proj_log';

  beforeAll(async () => {
    test = await createSqliteTestStorage();
    await test.storage.stores.projects.create({
      id: projectId,
      name: 'l',
      createdAt: new Date().toISOString(),
    });
  });
  afterAll(async () => {
    await test.dispose();
  });

  /** How far the gateway log is indexed, and its last row. */
  const positions = () => {
    const database = new SqliteDatabase(join(test.options.dataDir, 'flywheel.db'));
    const log = openAppendLog(test.options.dataDir, 'gateway');
    try {
      const indexed = database.prepare("select upto from log_positions where name = 'gateway'").get() as {
        upto: number;
      };
      return { indexed: indexed.upto, last: log.last(), left: log.countAfter(0) };
    } finally {
      database.close();
      log.close();
    }
  };

  it('appends frames to its own file, indexes each once, and drops indexed rows with the next append', async () => {
    const writer = createThreadedTraceWriter(test.options, { gateway });
    const before = positions().last;
    for (const index of [1, 2, 3]) {
      const [frame] = await framesOf([[call(projectId, `tr_file_${index}`, index === 2), forwarded]]);
      await writer.appendGatewayFrame(frame!);
    }
    await writer.syncGatewayTraces();
    const synced = positions();
    expect(synced.last - before).toBe(3);
    expect(synced.indexed).toBe(synced.last);
    for (const index of [1, 2, 3])
      expect(await test.storage.stores.traces.listSpans(projectId, `tr_file_${index}`)).toHaveLength(1);
    // Nothing goes to the main database's old table.
    const database = new SqliteDatabase(join(test.options.dataDir, 'flywheel.db'));
    expect(database.prepare('select count(*) as n from gateway_log').get()).toEqual({ n: 0 });
    database.close();
    const [frame] = await framesOf([[call(projectId, 'tr_file_4', false), undefined]]);
    await writer.appendGatewayFrame(frame!);
    // The three indexed rows left the file in that append's transaction.
    expect(positions().left).toBe(1);
    await writer.close();
  });

  it('indexes calls a stopped process left in the log file at the next start, each once', async () => {
    // As if the process died after the log commit (the call was acknowledged) and before indexing.
    const frames = await framesOf([
      [call(projectId, 'tr_file_left_1', false), undefined],
      [call(projectId, 'tr_file_left_2', true), forwarded],
    ]);
    const log = openAppendLog(test.options.dataDir, 'gateway');
    for (const frame of frames) log.append(2, Buffer.from(frame.subarray(gatewayHeaderBytes)), 0);
    log.close();
    for (let start = 0; start < 2; start++) {
      const writer = createThreadedTraceWriter(test.options, { gateway });
      await writer.syncGatewayTraces();
      await writer.close();
      expect(await test.storage.stores.traces.listSpans(projectId, 'tr_file_left_1')).toHaveLength(1);
      expect(await test.storage.stores.traces.listSpans(projectId, 'tr_file_left_2')).toHaveLength(1);
      const { indexed, last } = positions();
      expect(indexed).toBe(last);
    }
  });

  it("indexes calls an earlier version left in the main database's gateway_log table, each once", async () => {
    // As if the process died after the log commit (the call was acknowledged) and before indexing.
    const frames = await framesOf([
      [call(projectId, 'tr_left_1', false), undefined],
      [call(projectId, 'tr_left_2', true), forwarded],
    ]);
    const database = new SqliteDatabase(join(test.options.dataDir, 'flywheel.db'));
    const insert = database.prepare('insert into gateway_log (records, data) values (?, ?)');
    for (const frame of frames) insert.run(2, Buffer.from(frame.subarray(gatewayHeaderBytes)));

    for (let start = 0; start < 2; start++) {
      const writer = createThreadedTraceWriter(test.options, { gateway });
      await writer.syncGatewayTraces();
      await writer.close();
      expect(await test.storage.stores.traces.listSpans(projectId, 'tr_left_1')).toHaveLength(1);
      expect(await test.storage.stores.traces.listSpans(projectId, 'tr_left_2')).toHaveLength(1);
      expect(database.prepare('select count(*) as n from gateway_log').get()).toEqual({ n: 0 });
    }
    database.close();
  });

  it('writes traces at once, with no log, when told to (a local eval run)', async () => {
    const logged = positions().last;
    const writer = createThreadedTraceWriter(test.options, { gateway: { ...gateway, direct: true } });
    const [frame] = await framesOf([[call(projectId, 'tr_direct', true), forwarded]]);
    await writer.appendGatewayFrame(frame!);
    const [span] = await test.storage.stores.traces.listSpans(projectId, 'tr_direct');
    expect(span).toMatchObject({ output: { content: 'Hello' }, usage: { inputTokens: 4 } });
    const database = new SqliteDatabase(join(test.options.dataDir, 'flywheel.db'));
    expect(database.prepare('select count(*) as n from gateway_log').get()).toEqual({ n: 0 });
    database.close();
    expect(positions().last).toBe(logged);
    await writer.close();
  });

  it('refuses frames beyond its backlog bound with ingest_overloaded, keeping what it took', async () => {
    const writer = createThreadedTraceWriter(test.options, { gateway: { ...gateway, maxBacklog: 1 } });
    const [first] = await framesOf([[call(projectId, 'tr_b1', false), undefined]]);
    const [second] = await framesOf([
      [call(projectId, 'tr_b2', false), undefined],
      [call(projectId, 'tr_b3', false), undefined],
    ]);
    await writer.appendGatewayFrame(first!);
    await expect(writer.appendGatewayFrame(second!)).rejects.toMatchObject({ code: 'ingest_overloaded' });
    await writer.syncGatewayTraces();
    expect(await test.storage.stores.traces.listSpans(projectId, 'tr_b1')).toHaveLength(1);
    expect(await test.storage.stores.traces.listSpans(projectId, 'tr_b2')).toHaveLength(0);
    await writer.close();
  });
});
