import {
  applyTraceBatch,
  type RollupCell,
  rollupKey,
  type SpanRecord,
  type TraceBatchAccess,
  type TraceRecord,
  type TraceWriteBatch,
} from '@flywheel/core';
import SqliteDatabase from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { SpanRollupsTable, SpansTable, TracesTable } from '../schema/database-schema.js';
import {
  rollupRow,
  scoreRow,
  searchBody,
  spanRow,
  toRollup,
  toSpan,
  toTrace,
  traceRow,
} from '../stores/trace-rows.js';
import { translateSqliteError } from './sqlite-dialect.js';

/** Writes trace batches to SQLite. */
export interface SqliteTraceWrites {
  /** Applies the batches in one transaction. */
  write(batches: TraceWriteBatch[]): Promise<void>;
  close(): void;
}

function upsert(table: string, columns: string[], key: string[], returning = ''): string {
  const updates = columns.filter((column) => !key.includes(column));
  return `insert into ${table} (${columns.join(', ')}) values (${columns.map((column) => `@${column}`).join(', ')})
    on conflict (${key.join(', ')}) do update set ${updates.map((column) => `${column} = excluded.${column}`).join(', ')}${returning}`;
}

/**
 * The trace writer thread's SQLite path: its own connection and statements prepared once, the
 * same merge code as the Kysely store (`applyTraceBatch`) over them, and one transaction for
 * several batches (group commit: one fsync for everything that queued during the last one).
 */
export function createSqliteTraceWrites(filename: string, busyTimeoutMs = 5000): SqliteTraceWrites {
  const database = new SqliteDatabase(filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  database.pragma('foreign_keys = ON');
  // Spans arrive with random ids, so their inserts land all over the primary-key b-tree; with the
  // default 2 MB page cache most of them missed it (measured: the span upsert was the writer's
  // largest cost). 16 MB keeps the hot pages in memory. It was 64 MB until 2026-12-07: ingestion
  // measured the same with 16 MB (bench/ingest: ~115,000 spans per run, and ~6,100 spans/s either
  // way while seeding a table to 1,000,000 spans), but the cache filled as
  // the database grew, and a gateway's memory grew with it for the first ~50,000 calls
  // (bench/gateway/memory.mjs: +30 % from the first quartile to the last, the target is flat).
  database.pragma('cache_size = -16384');
  // Checkpoint every ~40 MB of WAL rather than 4 MB: each checkpoint is an extra fsync of the
  // database file, and group commits write megabytes at a time.
  database.pragma('wal_autocheckpoint = 10000');
  const columnsOf = (table: string) =>
    (database.pragma(`table_info(${table})`) as Array<{ name: string }>).map((column) => column.name);
  const statements = {
    getSpan: database.prepare<[string, string], Selectable<SpansTable>>(
      'select * from spans where project_id = ? and id = ?',
    ),
    getTrace: database.prepare<[string, string], Selectable<TracesTable>>(
      'select * from traces where project_id = ? and id = ?',
    ),
    getRollup: database.prepare<[string, string, string, string], Selectable<SpanRollupsTable>>(
      'select * from span_rollups where project_id = ? and bucket = ? and model = ? and prompt = ?',
    ),
    putSpan: database.prepare(upsert('spans', columnsOf('spans'), ['project_id', 'id'], ' returning rowid')),
    putTrace: database.prepare(
      upsert('traces', columnsOf('traces'), ['project_id', 'id'], ' returning rowid'),
    ),
    putRollup: database.prepare(
      upsert('span_rollups', columnsOf('span_rollups'), ['project_id', 'bucket', 'model', 'prompt']),
    ),
    putScore: database.prepare(upsert('scores', columnsOf('scores'), ['project_id', 'id'])),
    deleteText: database.prepare('delete from text_search where rowid = ?'),
    insertText: database.prepare('insert into text_search (rowid, body) values (?, ?)'),
    begin: database.prepare('begin immediate'),
    commit: database.prepare('commit'),
    rollback: database.prepare('rollback'),
  };
  const reindex = (rowid: number, row: { input: string | null; output: string | null }) => {
    statements.deleteText.run(rowid);
    if (row.input !== null || row.output !== null) statements.insertText.run(rowid, searchBody(row));
  };
  // better-sqlite3 answers synchronously; the merge code awaits, which only costs a microtask.
  const access: TraceBatchAccess = {
    async getSpans(projectId, ids) {
      const found = new Map<string, SpanRecord>();
      for (const id of ids) {
        const row = statements.getSpan.get(projectId, id);
        if (row) found.set(id, toSpan(row));
      }
      return found;
    },
    async getTraces(projectId, ids) {
      const found = new Map<string, TraceRecord>();
      for (const id of ids) {
        const row = statements.getTrace.get(projectId, id);
        if (row) found.set(id, toTrace(row));
      }
      return found;
    },
    async getRollups(projectId, keys) {
      const found = new Map<string, RollupCell>();
      for (const key of keys) {
        const row = statements.getRollup.get(projectId, key.bucket, key.model, key.prompt);
        if (row) found.set(rollupKey(key), toRollup(row));
      }
      return found;
    },
    async putSpans(_projectId, spans, textChanged) {
      for (const span of spans) {
        const row = spanRow(span);
        const { rowid } = statements.putSpan.get(row) as { rowid: number };
        if (textChanged.has(span.id)) reindex(rowid, row);
      }
    },
    async putTraces(_projectId, traces, textChanged) {
      for (const trace of traces) {
        const row = traceRow(trace);
        const { rowid } = statements.putTrace.get(row) as { rowid: number };
        if (textChanged.has(trace.id)) reindex(-rowid, row);
      }
    },
    async putRollups(cells) {
      for (const cell of cells) statements.putRollup.run(rollupRow(cell));
    },
    async putScores(projectId, scores) {
      for (const score of scores) statements.putScore.run(scoreRow(projectId, score));
    },
  };
  return {
    async write(batches) {
      // Nothing else uses this connection, so a transaction may span the awaits of the merge.
      try {
        statements.begin.run();
        try {
          for (const batch of batches) await applyTraceBatch(access, batch);
          statements.commit.run();
        } catch (error) {
          if (database.inTransaction) statements.rollback.run();
          throw error;
        }
      } catch (error) {
        throw translateSqliteError(error);
      }
    },
    close: () => database.close(),
  };
}
