// The merge alone: how fast the trace indexer turns acknowledged ingest batches into queryable
// traces, spans, full-text documents and rollups on SQLite (decision 0015), without HTTP or the
// request thread. It builds the bench's native batches (`spans.mjs`) through the same validation
// and pricing as `POST /api/ingest`, keeps them as ingest log rows (a line of JSON per batch,
// `BENCH_MERGE_ROW_BATCHES` request batches per row), then merges them as the indexer does, on a thread with the indexer's
// heap limits: up to 2,000 events per transaction, parsed and merged ~250 at a time
// (`ingestMerges`), `synchronous=FULL`, into a database that already holds `BENCH_MERGE_PREFILL`
// spans.
//
//   npm run build && node bench/ingest/merge.mjs
//   BENCH_MERGE_SPANS=200000 BENCH_MERGE_PREFILL=500000 node bench/ingest/merge.mjs
//
// Add `--cpu-prof` to node for a profile of the merge. `BENCH_MERGE_YOUNG_MB` sets the merging
// thread's young generation and `BENCH_MERGE_PER_MERGE` the events merged at a time (default:
// the indexer's).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, Worker } from 'node:worker_threads';
import { createPriceTable, defaultPrices, eventsToBatch } from '@flywheel/core';
import { openStorage } from '@flywheel/storage';
import { createSqliteTraceWrites } from '../../packages/storage/dist/dialects/sqlite-trace-writes.js';
import { ingestMerges, ingestRowText } from '../../packages/storage/dist/trace-writer/ingest-rows.js';
import { indexerHeapLimits } from '../../packages/storage/dist/trace-writer/trace-writer-protocol.js';
import { buildNativeBody, spansPerBatch } from './spans.mjs';

if (isMainThread) {
  // The merge runs where the indexer does: a worker thread with its heap limits.
  const young = process.env.BENCH_MERGE_YOUNG_MB;
  const limits = indexerHeapLimits();
  const worker = new Worker(new URL(import.meta.url), {
    resourceLimits: young ? { ...limits, maxYoungGenerationSizeMb: Number(young) } : limits,
  });
  worker.on('error', (error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  await merge();
}

async function merge() {
  const spans = Number(process.env.BENCH_MERGE_SPANS ?? 60_000);
  const prefill = Number(process.env.BENCH_MERGE_PREFILL ?? 100_000);
  const eventsPerTransaction = Number(process.env.BENCH_MERGE_EVENTS ?? 2000);
  const batchesPerRow = Number(process.env.BENCH_MERGE_ROW_BATCHES ?? 4);
  // Events per merge within a transaction (default: the indexer's).
  const perMerge = process.env.BENCH_MERGE_PER_MERGE ? Number(process.env.BENCH_MERGE_PER_MERGE) : undefined;
  const projectId = 'bench';

  /** Bytes this process handed to write calls so far (`wchar` of /proc/self/io). */
  function writtenBytes() {
    const line = readFileSync('/proc/self/io', 'utf8').match(/^wchar: (\d+)$/m);
    return line ? Number(line[1]) : Number.NaN;
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-merge-'));
  try {
    const storage = openStorage({ dataDir });
    await storage.migrate();
    await storage.stores.projects.create({
      id: projectId,
      name: 'bench',
      createdAt: new Date().toISOString(),
    });
    await storage.close();

    const prices = createPriceTable(defaultPrices);
    let nextRowId = 1;
    /** Ingest log rows as the writer thread appends them, grouped into the indexer's transactions. */
    function transactions(count) {
      const groups = [];
      let group = [];
      let row = [];
      let events = 0;
      const endRow = () => {
        const json = ingestRowText(row);
        group.push({
          id: nextRowId++,
          count: row.reduce((sum, b) => sum + b.traces.length + b.spans.length, 0),
          data: Buffer.from(json),
        });
        row = [];
      };
      for (let made = 0; made < count; made += spansPerBatch) {
        const items = JSON.parse(buildNativeBody().toString()).batch;
        const { batch } = eventsToBatch(items, {
          projectId,
          receivedAt: new Date().toISOString(),
          maxPayloadBytes: 64 * 1024,
          prices,
        });
        row.push(batch);
        events += items.length;
        if (row.length >= batchesPerRow) endRow();
        if (events >= eventsPerTransaction) {
          if (row.length > 0) endRow();
          groups.push(group);
          group = [];
          events = 0;
        }
      }
      if (row.length > 0) endRow();
      if (group.length > 0) groups.push(group);
      return groups;
    }
    const unreadable = (row, _lost, error) => {
      throw new Error(`row ${row.id} could not be read: ${String(error)}`);
    };

    const writes = createSqliteTraceWrites(join(dataDir, 'flywheel.db'));
    const prefillGroups = transactions(prefill);
    const groups = transactions(spans);
    if (prefill > 0) {
      process.stderr.write(`prefilling ${prefill} spans…\n`);
      for (const group of prefillGroups)
        await writes.write(ingestMerges(group, new Map(), unreadable, perMerge));
    }
    // Profiles (--cpu-prof) start the measured part here.
    process.stderr.write(
      `merging ${spans} spans from ${(performance.now() / 1000).toFixed(2)} s of the thread…\n`,
    );
    const started = performance.now();
    const ioStarted = writtenBytes();
    const cpuStarted = process.cpuUsage();
    for (const group of groups) await writes.write(ingestMerges(group, new Map(), unreadable, perMerge));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const written = writtenBytes() - ioStarted;
    writes.close();
    const merged = Math.ceil(spans / spansPerBatch) * spansPerBatch;
    console.log(
      `merged ${merged} spans in ${seconds.toFixed(2)} s over ${prefill} stored: ${Math.round(merged / seconds)} spans/s, ` +
        `${((cpu.user + cpu.system) / merged).toFixed(1)} µs CPU per span (user ${(cpu.user / merged).toFixed(1)}, system ${(cpu.system / merged).toFixed(1)}), ` +
        `${(written / merged / 1024).toFixed(1)} KiB written per span (write calls, WAL and checkpoints)`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
