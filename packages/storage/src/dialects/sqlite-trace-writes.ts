import type { ExperimentResultRecord, SpanRecord, TraceRecord, TraceWriteBatch } from '@flywheel/core';
import {
  applyTraceBatch,
  type RollupCell,
  rollupKey,
  type TraceBatchAccess,
} from '@flywheel/core/tracing-writes';
import SqliteDatabase from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { SpanRollupsTable, SpansTable, TracesTable } from '../schema/database-schema.js';
import {
  experimentNotFound,
  experimentNotRunning,
  experimentResultColumns,
  experimentResultKey,
  experimentResultRow,
} from '../stores/experiment-rows.js';
import {
  rollupRow,
  scoreRow,
  searchBodyOf,
  spanRow,
  toRollup,
  toSpan,
  toTrace,
  traceRow,
} from '../stores/trace-rows.js';
import { translateSqliteError } from './sqlite-errors.js';

/** Writes trace batches (and experiment results) to SQLite. */
export interface SqliteTraceWrites {
  /**
   * Applies the batches in one transaction, in order, taking each from `batches` when the one
   * before it is written (so a lazy iterable holds one batch's objects at a time); `alsoRun`
   * runs in it too, last (its statements commit with the batches).
   */
  write(batches: Iterable<TraceWriteBatch>, alsoRun?: () => void): Promise<void>;
  /** A statement on the writer's connection (for `alsoRun`). */
  prepare(source: string): SqliteDatabase.Statement<unknown[]>;
  /**
   * Appends results to a running experiment in one transaction, as `ExperimentStore.appendResults`
   * does (same rows, same errors); answers how many were stored.
   */
  appendExperimentResults(projectId: string, experimentId: string, results: ExperimentResultRecord[]): number;
  close(): void;
}

function upsert(table: string, columns: string[], key: string[], unchanged: string[] = []): string {
  const updates = columns.filter((column) => !key.includes(column) && !unchanged.includes(column));
  return `insert into ${table} (${columns.join(', ')}) values (${columns.map((column) => `@${column}`).join(', ')})
    on conflict (${key.join(', ')}) do update set ${updates.map((column) => `${column} = excluded.${column}`).join(', ')}`;
}

/**
 * A row's insert and its update by rowid, with positional parameters: binding ~30 named ones
 * looks each up on the row object. Positional binding measured ~6 % less writer CPU per span
 * (a writer-level bench of 60,000 spans, five alternating runs: 71.3 against 75.7 µs on average,
 * run-to-run noise ±5 %).
 */
interface RowStatements {
  insert: SqliteDatabase.Statement<unknown[]>;
  update: SqliteDatabase.Statement<unknown[]>;
  /** The row's values in the insert's order. */
  insertValues(row: Record<string, unknown>): unknown[];
  /** The row's values in the update's order, then its rowid. */
  updateValues(row: Record<string, unknown>, rowid: number): unknown[];
}

function rowStatements(
  database: SqliteDatabase.Database,
  table: string,
  columns: string[],
  key: string[],
): RowStatements {
  const updates = columns.filter((column) => !key.includes(column));
  return {
    insert: database.prepare(
      `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
    ),
    update: database.prepare(
      `update ${table} set ${updates.map((column) => `${column} = ?`).join(', ')} where rowid = ?`,
    ),
    insertValues: (row) => columns.map((column) => row[column]),
    updateValues: (row, rowid) => [...updates.map((column) => row[column]), rowid],
  };
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
  const spanColumns = columnsOf('spans');
  const traceColumns = columnsOf('traces');
  type WithRowid<T> = T & { rowid: number };
  // Writes know which rows exist: the merge reads every span and trace before it writes them
  // (same transaction, one writer). So a new row is a plain insert and a stored one an update by
  // rowid, and neither needs `returning rowid` to find its text-search document. An upsert with
  // `returning` cost ~54 µs per span against ~13 for the insert (better-sqlite3 12, 1.4 KB spans,
  // measured 2026-12-07), and was the writer's largest cost.
  const statements = {
    getSpan: database.prepare<[string, string], WithRowid<Selectable<SpansTable>>>(
      'select rowid, * from spans where project_id = ? and id = ?',
    ),
    getTrace: database.prepare<[string, string], WithRowid<Selectable<TracesTable>>>(
      'select rowid, * from traces where project_id = ? and id = ?',
    ),
    getRollup: database.prepare<[string, string, string, string], Selectable<SpanRollupsTable>>(
      'select * from span_rollups where project_id = ? and bucket = ? and model = ? and prompt = ?',
    ),
    spans: rowStatements(database, 'spans', spanColumns, ['project_id', 'id']),
    traces: rowStatements(database, 'traces', traceColumns, ['project_id', 'id']),
    putRollup: database.prepare(
      upsert('span_rollups', columnsOf('span_rollups'), ['project_id', 'bucket', 'model', 'prompt']),
    ),
    putScore: database.prepare(upsert('scores', columnsOf('scores'), ['project_id', 'id'])),
    deleteText: database.prepare('delete from text_search where rowid = ?'),
    insertText: database.prepare('insert into text_search (rowid, body) values (?, ?)'),
    bumpExperiment: database.prepare<[number, string, string], { next_seq: number; status: string }>(
      'update experiments set next_seq = next_seq + ? where project_id = ? and id = ? returning next_seq, status',
    ),
    // A re-sent result replaces the stored one but keeps the place (seq) it was first stored in,
    // as in the Kysely store.
    putExperimentResult: database.prepare(
      upsert('experiment_results', [...experimentResultColumns], [...experimentResultKey], ['seq']),
    ),
    begin: database.prepare('begin immediate'),
    commit: database.prepare('commit'),
    rollback: database.prepare('rollback'),
  };
  /** Rowids of the rows read in this transaction, by project and id. */
  const spanRowids = new Map<string, number>();
  const traceRowids = new Map<string, number>();
  const rowKey = (projectId: string, id: string) => `${projectId}\u0000${id}`;
  /** Writes a row: an update when it was read (so it exists), else an insert; answers its rowid. */
  const put = (
    rowids: Map<string, number>,
    table: RowStatements,
    row: { project_id: string; id: string },
  ): { rowid: number; stored: boolean } => {
    const key = rowKey(row.project_id, row.id);
    const rowid = rowids.get(key);
    if (rowid !== undefined) {
      table.update.run(table.updateValues(row, rowid));
      return { rowid, stored: true };
    }
    const inserted = Number(table.insert.run(table.insertValues(row)).lastInsertRowid);
    rowids.set(key, inserted);
    return { rowid: inserted, stored: false };
  };
  const reindex = (document: number, stored: boolean, record: { input: unknown; output: unknown }) => {
    if (stored) statements.deleteText.run(document);
    // As the row has it: undefined and null are both no value (stored as SQL null).
    if (record.input != null || record.output != null)
      statements.insertText.run(document, searchBodyOf(record.input, record.output));
  };
  // better-sqlite3 answers synchronously; the merge code awaits, which only costs a microtask.
  const access: TraceBatchAccess = {
    async getSpans(projectId, ids) {
      const found = new Map<string, SpanRecord>();
      for (const id of ids) {
        const row = statements.getSpan.get(projectId, id);
        if (row) {
          spanRowids.set(rowKey(projectId, id), row.rowid);
          found.set(id, toSpan(row));
        }
      }
      return found;
    },
    async getTraces(projectId, ids) {
      const found = new Map<string, TraceRecord>();
      for (const id of ids) {
        const row = statements.getTrace.get(projectId, id);
        if (row) {
          traceRowids.set(rowKey(projectId, id), row.rowid);
          found.set(id, toTrace(row));
        }
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
        const { rowid, stored } = put(spanRowids, statements.spans, row);
        if (textChanged.has(span.id)) reindex(rowid, stored, span);
      }
    },
    async putTraces(_projectId, traces, textChanged) {
      for (const trace of traces) {
        const row = traceRow(trace);
        const { rowid, stored } = put(traceRowids, statements.traces, row);
        if (textChanged.has(trace.id)) reindex(-rowid, stored, trace);
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
    async write(batches, alsoRun) {
      // Nothing else uses this connection, so a transaction may span the awaits of the merge.
      spanRowids.clear();
      traceRowids.clear();
      try {
        statements.begin.run();
        try {
          for (const batch of batches) await applyTraceBatch(access, batch);
          alsoRun?.();
          statements.commit.run();
        } catch (error) {
          if (database.inTransaction) statements.rollback.run();
          throw error;
        }
      } catch (error) {
        throw translateSqliteError(error);
      }
    },
    appendExperimentResults(projectId, experimentId, results) {
      try {
        return database
          .transaction(() => {
            const bumped = statements.bumpExperiment.get(results.length, projectId, experimentId);
            if (!bumped) throw experimentNotFound(experimentId);
            if (bumped.status !== 'running') throw experimentNotRunning(experimentId, bumped.status);
            let seq = Number(bumped.next_seq) - results.length;
            for (const result of results)
              statements.putExperimentResult.run(experimentResultRow(experimentId, seq++, result));
            return results.length;
          })
          .immediate();
      } catch (error) {
        throw translateSqliteError(error);
      }
    },
    prepare: (source) => database.prepare(source),
    close: () => database.close(),
  };
}
