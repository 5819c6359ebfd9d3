import type { GatewayGenerationRecord } from '@flywheel/core';
import { describe, expect, it } from 'vitest';
import {
  createFramePool,
  createGatewayTraceSink,
  decodeGatewayRecords,
  gatewayFrame,
  gatewayHeaderBytes,
} from './gateway-frame.js';

const record = (traceId: string) =>
  ({
    projectId: 'p',
    traceId,
    request: { messages: [{ role: 'user', content: 'Grüß dich "du"' }] },
    streamText: undefined,
    streamTimes: undefined,
  }) as unknown as GatewayGenerationRecord;

const stream = (events: string[], times: number[]) => ({
  events: events.map((event) => Buffer.from(event)),
  times,
});

describe('gateway trace sink', () => {
  it('encodes calls and their streams (bytes beside the JSON) into frames that read back the same', async () => {
    const frames: Uint8Array[] = [];
    const sink = createGatewayTraceSink({ append: async (frame) => void frames.push(frame) });
    const events = [
      'data: {"content":"héllo \\"x\\""}\n\n',
      'data: {"content":"😀"}\n\n',
      'data: [DONE]\n\n',
    ];
    expect(sink.add(record('tr_0'), stream(events, [1.5, 2.25, 3]))).toBe(true);
    expect(sink.add(record('tr_1'), undefined)).toBe(true);
    expect(sink.add(record('tr_2'), stream([], []))).toBe(true);
    expect(sink.stats()).toMatchObject({ queued: 3, exported: 0 });
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ queued: 0, exported: 3, dropped: 0, failed: 0 });

    expect(frames).toHaveLength(1);
    const frame = Buffer.from(frames[0]!.buffer, frames[0]!.byteOffset, frames[0]!.byteLength);
    expect(frame[0]).toBe(gatewayFrame);
    expect(frame.readUInt32LE(5)).toBe(3);
    const decoded = decodeGatewayRecords(frame.subarray(gatewayHeaderBytes));
    expect(decoded.map((call) => call.traceId)).toEqual(['tr_0', 'tr_1', 'tr_2']);
    expect(decoded[0]!.request).toEqual({ messages: [{ role: 'user', content: 'Grüß dich "du"' }] });
    expect(decoded[0]!.streamText).toBe(events.join(''));
    expect(decoded[0]!.streamTimes).toEqual([1.5, 2.25, 3]);
    expect(decoded[1]!.streamText).toBeUndefined();
    expect(decoded[2]).toMatchObject({ streamText: '', streamTimes: [] });
  });

  it('starts a new frame when one is full, and flushes on its own after a delay', async () => {
    const frames: Uint8Array[] = [];
    const sink = createGatewayTraceSink({
      append: async (frame) => void frames.push(frame),
      frames: createFramePool(8192),
      delayMs: 5,
    });
    const big = stream(['x'.repeat(3000)], [1]);
    for (let index = 0; index < 5; index++) sink.add(record(`tr_${index}`), big);
    await expect.poll(() => frames.length).toBeGreaterThanOrEqual(3);
    await expect.poll(() => sink.stats().exported).toBe(5);
    const traceIds = frames.flatMap((frame) =>
      decodeGatewayRecords(frame.subarray(gatewayHeaderBytes)).map((call) => call.traceId),
    );
    expect(traceIds).toEqual(['tr_0', 'tr_1', 'tr_2', 'tr_3', 'tr_4']);
  });

  it('drops and counts calls beyond its bound, and counts calls whose frame failed', async () => {
    let fail = true;
    const errors: number[] = [];
    const sink = createGatewayTraceSink({
      append: () => (fail ? Promise.reject(new Error('disk full')) : new Promise(() => {})),
      maxPendingBytes: 10_000,
      onExportError: (_error, calls) => errors.push(calls),
    });
    sink.add(record('tr_a'), undefined);
    await sink.forceFlush();
    expect(sink.stats()).toMatchObject({ failed: 1, exported: 0 });
    expect(errors).toEqual([1]);

    fail = false; // appends now never finish: what is in flight counts against the bound
    let added = 0;
    while (sink.add(record(`tr_${added}`), stream(['y'.repeat(1000)], [1]))) added++;
    expect(added).toBeGreaterThan(3);
    expect(added).toBeLessThan(10);
    expect(sink.stats().dropped).toBe(1);
  });

  it('reuses the buffers the writer hands back', () => {
    const pool = createFramePool(1024, 1);
    const first = pool.take(100);
    pool.give(first.buffer as ArrayBuffer);
    expect(pool.take(100).buffer).toBe(first.buffer);
    expect(pool.take(100).buffer).not.toBe(first.buffer);
    expect(pool.take(5000).length).toBe(5000);
  });

  it('refuses calls after shutdown', async () => {
    const sink = createGatewayTraceSink({ append: async () => {} });
    await sink.shutdown();
    expect(sink.add(record('tr'), undefined)).toBe(false);
    expect(sink.stats().dropped).toBe(1);
  });
});
