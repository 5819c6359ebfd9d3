import SqliteDatabase from 'better-sqlite3';
import { spanRow, traceRow } from '../stores/trace-store.js';
import type { TraceWriteItem } from '../trace-writer/trace-writer-protocol.js';
import { translateSqliteError } from './sqlite-dialect.js';

const traceColumns = [
  'project_id',
  'id',
  'name',
  'start_time',
  'end_time',
  'status',
  'user_id',
  'session_id',
  'environment',
  'release',
  'tags',
  'metadata',
  'input',
  'output',
];
const traceUpdates = ['name', 'end_time', 'status', 'output', 'metadata'];
const spanColumns = [
  'project_id',
  'id',
  'trace_id',
  'parent_id',
  'kind',
  'name',
  'start_time',
  'end_time',
  'duration_ms',
  'status',
  'status_message',
  'input',
  'output',
  'model',
  'provider',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'reasoning_tokens',
  'usage_estimated',
  'cost',
  'time_to_first_token_ms',
  'attributes',
];
const spanUpdates = [
  'end_time',
  'duration_ms',
  'status',
  'status_message',
  'output',
  'input_tokens',
  'output_tokens',
  'cost',
  'attributes',
];

function upsert(table: string, columns: string[], updates: string[]): string {
  return `insert into ${table} (${columns.join(', ')}) values (${columns.map((column) => `@${column}`).join(', ')})
    on conflict (project_id, id) do update set ${updates.map((column) => `${column} = excluded.${column}`).join(', ')}`;
}

/** Writes trace batches to SQLite. */
export interface SqliteTraceWrites {
  write(items: TraceWriteItem[]): void;
  close(): void;
}

/**
 * The trace writer thread's SQLite path: its own connection and two statements prepared once,
 * run in one transaction per batch. The same upserts as the Kysely trace store (its row mapping
 * is reused), without building and compiling a query per batch on the writer's hot path.
 */
export function createSqliteTraceWrites(filename: string, busyTimeoutMs = 5000): SqliteTraceWrites {
  const database = new SqliteDatabase(filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  database.pragma('foreign_keys = ON');
  const insertTrace = database.prepare(upsert('traces', traceColumns, traceUpdates));
  const insertSpan = database.prepare(upsert('spans', spanColumns, spanUpdates));
  const writeAll = database.transaction((items: TraceWriteItem[]) => {
    for (const item of items) {
      insertTrace.run(traceRow(item.projectId, item.trace));
      for (const span of item.spans) insertSpan.run(spanRow(item.projectId, span));
    }
  });
  return {
    write(items) {
      try {
        writeAll(items);
      } catch (error) {
        throw translateSqliteError(error);
      }
    },
    close: () => database.close(),
  };
}
