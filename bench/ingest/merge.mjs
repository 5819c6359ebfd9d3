// The merge alone: how fast the trace indexer turns acknowledged ingest batches into queryable
// traces, spans, full-text documents and rollups on SQLite (decision 0015), without HTTP or the
// request thread. It builds the bench's native batches (`spans.mjs`) through the same validation
// and pricing as `POST /api/ingest`, then merges them as the indexer does: up to 2,000 events per
// transaction, `synchronous=FULL`, into a database that already holds `BENCH_MERGE_PREFILL` spans.
//
//   npm run build && node bench/ingest/merge.mjs
//   BENCH_MERGE_SPANS=200000 BENCH_MERGE_PREFILL=500000 node bench/ingest/merge.mjs
//
// Add `--cpu-prof` to node for a profile of the merge.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPriceTable, defaultPrices, eventsToBatch } from '@flywheel/core';
import { joinTraceBatches } from '@flywheel/core/tracing-writes';
import { openStorage } from '@flywheel/storage';
import { createSqliteTraceWrites } from '../../packages/storage/dist/dialects/sqlite-trace-writes.js';
import { buildNativeBody, spansPerBatch } from './spans.mjs';

const spans = Number(process.env.BENCH_MERGE_SPANS ?? 60_000);
const prefill = Number(process.env.BENCH_MERGE_PREFILL ?? 100_000);
const eventsPerTransaction = Number(process.env.BENCH_MERGE_EVENTS ?? 2000);
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
  await storage.stores.projects.create({ id: projectId, name: 'bench', createdAt: new Date().toISOString() });
  await storage.close();

  const prices = createPriceTable(defaultPrices);
  /** Batches as the request thread hands them over, grouped into the indexer's transactions. */
  function transactions(count) {
    const groups = [];
    let group = [];
    let events = 0;
    for (let made = 0; made < count; made += spansPerBatch) {
      const items = JSON.parse(buildNativeBody().toString()).batch;
      const { batch } = eventsToBatch(items, {
        projectId,
        receivedAt: new Date().toISOString(),
        maxPayloadBytes: 64 * 1024,
        prices,
      });
      group.push(batch);
      events += items.length;
      if (events >= eventsPerTransaction) {
        // The log keeps a transaction's batches as JSON; the indexer parses them back.
        groups.push(JSON.stringify(group));
        group = [];
        events = 0;
      }
    }
    if (group.length > 0) groups.push(JSON.stringify(group));
    return groups;
  }

  const writes = createSqliteTraceWrites(join(dataDir, 'flywheel.db'));
  const prefillGroups = transactions(prefill);
  const groups = transactions(spans);
  if (prefill > 0) {
    process.stderr.write(`prefilling ${prefill} spans…\n`);
    for (const group of prefillGroups) await writes.write(joinTraceBatches(JSON.parse(group)));
  }
  // Profiles (--cpu-prof) start the measured part here.
  process.stderr.write(
    `merging ${spans} spans from ${(performance.now() / 1000).toFixed(2)} s of the process…\n`,
  );
  const started = performance.now();
  const ioStarted = writtenBytes();
  const cpuStarted = process.cpuUsage();
  for (const group of groups) await writes.write(joinTraceBatches(JSON.parse(group)));
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
