import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from './testing-internal/server-process.js';

// I-1 and I-10 against the real built server: what got a 2xx survives kill -9 and SIGTERM, and
// re-sending what did not never duplicates anything.

const spansPerBatch = 50;

function batchFor(traceId: string) {
  return {
    batch: Array.from({ length: spansPerBatch }, (_, index) => ({
      id: `${traceId}-ev-${index}`,
      type: 'span-create',
      timestamp: '2026-11-20T10:00:01.000Z',
      body: {
        id: `${traceId}-sp-${index}`,
        trace_id: traceId,
        kind: 'generation',
        name: 'chat',
        start_time: '2026-11-20T10:00:00.000Z',
        end_time: '2026-11-20T10:00:01.000Z',
        model: 'gpt-4o-mini',
        usage: { input_tokens: 10, output_tokens: 10 },
        input: { messages: [{ role: 'user', content: `question ${index} ${'x'.repeat(600)}` }] },
      },
    })),
  };
}

async function post(url: string, key: string, traceId: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(batchFor(traceId)),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Sends batches from `workers` loops until `stop()` says so; returns the acknowledged trace ids and all tried. */
function burst(url: string, key: string, prefix: string, workers = 8) {
  let stopped = false;
  const acknowledged: string[] = [];
  const tried: string[] = [];
  let next = 0;
  const loops = Array.from({ length: workers }, async () => {
    while (!stopped) {
      const traceId = `${prefix}-${next++}`;
      tried.push(traceId);
      if (await post(url, key, traceId)) acknowledged.push(traceId);
      else return;
    }
  });
  return {
    acknowledged,
    tried,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
    done: () => Promise.all(loops),
  };
}

async function spanCount(url: string, key: string, traceId: string): Promise<number> {
  const response = await fetch(`${url}/api/traces/${traceId}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  if (response.status === 404) return 0;
  return ((await response.json()) as { span_count: number }).span_count;
}

const adminKeyOf = (server: ServerProcess) => /^\s+(fw_sk_[A-Za-z0-9_-]{43})$/m.exec(server.stdout())![1]!;

describe('ingestion durability, end to end', () => {
  const running: ServerProcess[] = [];
  afterEach(() => {
    for (const server of running.splice(0)) server.child.kill('SIGKILL');
  });

  it('keeps every acknowledged span after kill -9 mid-burst, and re-sending the rest duplicates nothing (I-1)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-kill-'));
    const first = await startServerProcess(dataDir);
    running.push(first);
    const key = adminKeyOf(first);
    const load = burst(first.url, key, 'kill');
    while (load.acknowledged.length < 20) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    await first.exit;
    await load.done();

    const second = await startServerProcess(dataDir);
    running.push(second);
    for (const traceId of load.acknowledged)
      expect(await spanCount(second.url, key, traceId), traceId).toBe(spansPerBatch);
    // The client re-sends everything it has no 2xx for (as the SDK does); nothing doubles.
    const unacknowledged = load.tried.filter((traceId) => !load.acknowledged.includes(traceId));
    for (const traceId of [...unacknowledged, ...load.acknowledged.slice(0, 3)])
      expect(await post(second.url, key, traceId)).toBe(true);
    for (const traceId of load.tried)
      expect(await spanCount(second.url, key, traceId), traceId).toBe(spansPerBatch);
  });

  it('drains on SIGTERM under load: every 2xx is persisted, and the server exits 0 (I-10)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-term-'));
    const first = await startServerProcess(dataDir);
    running.push(first);
    const key = adminKeyOf(first);
    const load = burst(first.url, key, 'term');
    while (load.acknowledged.length < 20) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    await load.done();

    const second = await startServerProcess(dataDir);
    running.push(second);
    for (const traceId of load.acknowledged)
      expect(await spanCount(second.url, key, traceId), traceId).toBe(spansPerBatch);
  });
});
