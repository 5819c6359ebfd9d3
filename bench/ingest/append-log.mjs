#!/usr/bin/env node
// The append logs' cost per appended MB (decision 0021): the log as built (`openAppendLog`: a row
// over 32 KiB keeps its bytes in a data file, flushed before the row commits) against the layout
// before it (the bytes as a blob in the SQLite row, WAL and `synchronous=FULL`), with the same
// appends: rows of BENCH_APPEND_KIB KiB, each in its own transaction that also deletes the rows
// the indexer would have taken (all but the last four). The two run in alternation, rounds times,
// each on a fresh folder; prints CPU ms per MB (user + system, this process) and wall ms per append.
// Prints numbers; asserts nothing. Run from the repo root after `npm run build`:
//
//   node bench/ingest/append-log.mjs
//
// Knobs: BENCH_APPEND_KIB=1024 (a gateway frame; ingest rows are a group commit's requests)
// BENCH_APPENDS=200 per round  BENCH_ROUNDS=3

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { openAppendLog } from '../../packages/storage/dist/trace-writer/append-log.js';

const env = process.env;
const bytes = Number(env.BENCH_APPEND_KIB ?? 1024) * 1024;
const appends = Number(env.BENCH_APPENDS ?? 200);
const rounds = Number(env.BENCH_ROUNDS ?? 3);
const say = (line) => process.stdout.write(`${line}\n`);

/** The log before decision 0021: every row's bytes in the database. */
function openBlobLog(dataDir) {
  const database = new SqliteDatabase(join(dataDir, 'blob-log.db'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('cache_size = -2048');
  database.exec(
    'create table log (id integer primary key autoincrement, records integer not null, data blob not null)',
  );
  const insert = database.prepare('insert into log (records, data) values (?, ?)');
  const remove = database.prepare('delete from log where id <= ?');
  const append = database.transaction((count, data, upTo) => {
    remove.run(upTo);
    return Number(insert.run(count, data).lastInsertRowid);
  });
  return { append, close: () => database.close() };
}

const layouts = {
  'data files (as built)': (dataDir) => openAppendLog(dataDir, 'gateway'),
  'blob rows (before 0021)': openBlobLog,
};

function measure(open) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-bench-append-'));
  try {
    const log = open(dataDir);
    const data = Buffer.alloc(bytes);
    for (let index = 0; index < bytes; index++) data[index] = 32 + ((index * 7919) % 90);
    let last = 0;
    for (let index = 0; index < 10; index++) last = log.append(100, data, Math.max(0, last - 4));
    const cpu = process.cpuUsage();
    const began = performance.now();
    for (let index = 0; index < appends; index++) last = log.append(100, data, Math.max(0, last - 4));
    const wallMs = performance.now() - began;
    const used = process.cpuUsage(cpu);
    log.close();
    const mb = (appends * bytes) / 1048576;
    return { cpuMsPerMb: (used.user + used.system) / 1000 / mb, wallMsPerAppend: wallMs / appends };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

say(`# Append log: ${appends} appends of ${bytes / 1024} KiB per round, ${rounds} rounds in alternation`);
say('');
const results = Object.fromEntries(Object.keys(layouts).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, open] of Object.entries(layouts)) {
    const result = measure(open);
    results[name].push(result);
    process.stderr.write(
      `round ${round + 1} ${name}: ${result.cpuMsPerMb.toFixed(2)} ms CPU/MB, ${result.wallMsPerAppend.toFixed(2)} ms/append\n`,
    );
  }
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
say('| layout | CPU ms per MB (median, min–max) | wall ms per append (median) |');
say('| --- | --- | --- |');
for (const [name, runs] of Object.entries(results)) {
  const cpu = runs.map((run) => run.cpuMsPerMb);
  say(
    `| ${name} | ${median([...cpu]).toFixed(2)} (${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}) | ` +
      `${median(runs.map((run) => run.wallMsPerAppend)).toFixed(2)} |`,
  );
}
