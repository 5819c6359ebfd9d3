import {
  applyTraceBatch,
  type RollupCell,
  rollupKey,
  type SpanRecord,
  type TraceBatchAccess,
  type TraceQuery,
  type TraceRecord,
  type TraceStore,
} from '@flywheel/core';
import { type SqlBool, sql } from 'kysely';
import type { StorageContext } from './storage-context.js';
import {
  ftsQuery,
  rollupRow,
  scoreRow,
  searchBody,
  spanRow,
  toRollup,
  toScore,
  toSpan,
  toTrace,
  traceRow,
} from './trace-rows.js';

// Rows per statement: keeps every statement under SQLite's and PostgreSQL's bind limits.
const rowsPerStatement = 200;

const chunks = <T>(items: T[], size = rowsPerStatement): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

/** The Kysely trace store; `engine` picks the full-text search of each database. */
export function createTraceStore(context: StorageContext, engine: 'sqlite' | 'postgres'): TraceStore {
  const { db, run } = context;
  const access: TraceBatchAccess = {
    ...(engine === 'postgres'
      ? {
          async lock(projectId: string, keys: string[]) {
            // Transaction-scoped advisory locks: several server processes may write one trace.
            for (const key of keys)
              await run(() =>
                sql`select pg_advisory_xact_lock(hashtextextended(${`${projectId}|${key}`}, 0))`.execute(db),
              );
          },
        }
      : {}),
    async getSpans(projectId, ids) {
      const found = new Map<string, SpanRecord>();
      for (const part of chunks(ids)) {
        const rows = await run(() =>
          db
            .selectFrom('spans')
            .selectAll()
            .where('project_id', '=', projectId)
            .where('id', 'in', part)
            .execute(),
        );
        for (const row of rows) found.set(row.id, toSpan(row));
      }
      return found;
    },
    async getTraces(projectId, ids) {
      const found = new Map<string, TraceRecord>();
      for (const part of chunks(ids)) {
        const rows = await run(() =>
          db
            .selectFrom('traces')
            .selectAll()
            .where('project_id', '=', projectId)
            .where('id', 'in', part)
            .execute(),
        );
        for (const row of rows) found.set(row.id, toTrace(row));
      }
      return found;
    },
    async getRollups(projectId, keys) {
      const found = new Map<string, RollupCell>();
      for (const part of chunks(keys, 100)) {
        const rows = await run(() =>
          db
            .selectFrom('span_rollups')
            .selectAll()
            .where('project_id', '=', projectId)
            .where((eb) =>
              eb.or(
                part.map((key) =>
                  eb.and([
                    eb('bucket', '=', key.bucket),
                    eb('model', '=', key.model),
                    eb('prompt', '=', key.prompt),
                  ]),
                ),
              ),
            )
            .execute(),
        );
        for (const row of rows) found.set(rollupKey(row), toRollup(row));
      }
      return found;
    },
    async putSpans(projectId, spans, textChanged) {
      for (const part of chunks(spans.map(spanRow), 100)) {
        await run(() =>
          db
            .insertInto('spans')
            .values(part)
            .onConflict((conflict) =>
              conflict.columns(['project_id', 'id']).doUpdateSet(excludedAll(part[0]!)),
            )
            .execute(),
        );
      }
      if (engine === 'sqlite' && textChanged.size > 0)
        await reindexSqlite('spans', projectId, [...textChanged]);
    },
    async putTraces(projectId, traces, textChanged) {
      for (const part of chunks(traces.map(traceRow), 100)) {
        await run(() =>
          db
            .insertInto('traces')
            .values(part)
            .onConflict((conflict) =>
              conflict.columns(['project_id', 'id']).doUpdateSet(excludedAll(part[0]!)),
            )
            .execute(),
        );
      }
      if (engine === 'sqlite' && textChanged.size > 0)
        await reindexSqlite('traces', projectId, [...textChanged]);
    },
    async putRollups(cells) {
      for (const part of chunks(cells.map(rollupRow), 100)) {
        await run(() =>
          db
            .insertInto('span_rollups')
            .values(part)
            .onConflict((conflict) =>
              conflict
                .columns(['project_id', 'bucket', 'model', 'prompt'])
                .doUpdateSet(excludedAll(part[0]!)),
            )
            .execute(),
        );
      }
    },
    async putScores(projectId, scores) {
      for (const part of chunks(scores.map((score) => scoreRow(projectId, score)))) {
        await run(() =>
          db
            .insertInto('scores')
            .values(part)
            .onConflict((conflict) =>
              conflict.columns(['project_id', 'id']).doUpdateSet(excludedAll(part[0]!)),
            )
            .execute(),
        );
      }
    },
  };

  /** Replaces the full-text documents of these spans or traces (SQLite's FTS5 table). */
  async function reindexSqlite(table: 'spans' | 'traces', projectId: string, ids: string[]) {
    const sign = table === 'spans' ? 1 : -1;
    for (const part of chunks(ids)) {
      const rows = await run(() =>
        db
          .selectFrom(table)
          .select([sql<number>`rowid`.as('rowid'), 'input', 'output'])
          .where('project_id', '=', projectId)
          .where('id', 'in', part)
          .execute(),
      );
      for (const row of rows) {
        const rowid = sign * Number(row.rowid);
        await run(() => sql`delete from text_search where rowid = ${rowid}`.execute(db));
        if (row.input === null && row.output === null) continue;
        await run(() =>
          sql`insert into text_search (rowid, body) values (${rowid}, ${searchBody(row)})`.execute(db),
        );
      }
    }
  }

  const textFilter = (projectId: string, text: string) => {
    if (engine === 'sqlite') {
      const match = ftsQuery(text) ?? '""';
      // The index holds no columns: its rowids are span rowids (and minus trace rowids). Joining
      // from the matches to spans keeps the work proportional to the hits, not to the project.
      return sql<SqlBool>`(traces.id in (select s.trace_id from text_search f join spans s on s.rowid = f.rowid
            where f.text_search match ${match} and f.rowid > 0 and s.project_id = ${projectId})
          or traces.rowid in (select -rowid from text_search where text_search match ${match} and rowid < 0))`;
    }
    // The expression of the GIN indexes of migration 0008, exactly, so PostgreSQL uses them:
    // the string values of the input and output JSON.
    const document = (alias: string) =>
      sql`(to_tsvector('simple', coalesce(${sql.ref(`${alias}.input`)}, 'null')::jsonb) || to_tsvector('simple', coalesce(${sql.ref(`${alias}.output`)}, 'null')::jsonb))`;
    return sql<SqlBool>`(${document('traces')} @@ plainto_tsquery('simple', ${text}) or traces.id in (
      select s.trace_id from spans s where s.project_id = ${projectId}
        and ${document('s')} @@ plainto_tsquery('simple', ${text})))`;
  };

  return {
    async write(batch) {
      await applyTraceBatch(access, batch);
    },
    async getTrace(projectId, traceId) {
      const row = await run(() =>
        db
          .selectFrom('traces')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('id', '=', traceId)
          .executeTakeFirst(),
      );
      return row && toTrace(row);
    },
    async listSpans(projectId, traceId) {
      const rows = await run(() =>
        db
          .selectFrom('spans')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('trace_id', '=', traceId)
          .orderBy(sql`coalesce(start_time, event_time)`)
          .orderBy('id')
          .execute(),
      );
      return rows.map(toSpan);
    },
    async listScores(projectId, traceId) {
      const rows = await run(() =>
        db
          .selectFrom('scores')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('trace_id', '=', traceId)
          .orderBy('created_at')
          .orderBy('id')
          .execute(),
      );
      return rows.map(toScore);
    },
    async listTraces(projectId, query: TraceQuery) {
      let select = db.selectFrom('traces').selectAll().where('project_id', '=', projectId);
      if (query.from) select = select.where('sort_time', '>=', query.from);
      if (query.to) select = select.where('sort_time', '<', query.to);
      if (query.name !== undefined) select = select.where('display_name', '=', query.name);
      if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
      if (query.sessionId !== undefined) select = select.where('session_id', '=', query.sessionId);
      if (query.environment !== undefined) select = select.where('environment', '=', query.environment);
      if (query.status !== undefined) select = select.where('display_status', '=', query.status);
      for (const tag of query.tags ?? [])
        select = select.where(sql<SqlBool>`tags like ${containsJsonString(tag)} escape '!'`);
      if (query.model !== undefined)
        select = select.where(sql<SqlBool>`models like ${containsJsonString(query.model)} escape '!'`);
      if (query.minLatencyMs !== undefined) select = select.where('latency_ms', '>=', query.minLatencyMs);
      if (query.maxLatencyMs !== undefined) select = select.where('latency_ms', '<=', query.maxLatencyMs);
      if (query.minCost !== undefined) select = select.where('cost', '>=', query.minCost);
      if (query.maxCost !== undefined) select = select.where('cost', '<=', query.maxCost);
      if (query.text !== undefined) select = select.where(textFilter(projectId, query.text));
      const after = query.after;
      if (after)
        select = select.where((eb) =>
          eb.or([
            eb('sort_time', '<', after.sortTime),
            eb.and([eb('sort_time', '=', after.sortTime), eb('id', '<', after.id)]),
          ]),
        );
      const rows = await run(() =>
        select.orderBy('sort_time', 'desc').orderBy('id', 'desc').limit(query.limit).execute(),
      );
      return rows.map(toTrace);
    },
    async listRollups(projectId, from, to) {
      const rows = await run(() =>
        db
          .selectFrom('span_rollups')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('bucket', '>=', from)
          .where('bucket', '<', to)
          .execute(),
      );
      return rows.map(toRollup);
    },
    async deleteOlderThan(before, limit) {
      const doomed = await run(() =>
        db
          .selectFrom('traces')
          .select(['project_id', 'id'])
          .where('sort_time', '<', before)
          .limit(limit)
          .execute(),
      );
      const byProject = new Map<string, string[]>();
      for (const row of doomed)
        byProject.set(row.project_id, [...(byProject.get(row.project_id) ?? []), row.id]);
      for (const [projectId, ids] of byProject) {
        for (const part of chunks(ids)) {
          if (engine === 'sqlite') {
            await run(() =>
              sql`delete from text_search where rowid in (
                select rowid from spans where project_id = ${projectId} and trace_id in (${sql.join(part)})
                union all select -rowid from traces where project_id = ${projectId} and id in (${sql.join(part)}))`.execute(
                db,
              ),
            );
          }
          await run(() =>
            db
              .deleteFrom('spans')
              .where('project_id', '=', projectId)
              .where('trace_id', 'in', part)
              .execute(),
          );
          await run(() =>
            db
              .deleteFrom('scores')
              .where('project_id', '=', projectId)
              .where('trace_id', 'in', part)
              .execute(),
          );
          await run(() =>
            db.deleteFrom('traces').where('project_id', '=', projectId).where('id', 'in', part).execute(),
          );
        }
      }
      await run(() => db.deleteFrom('span_rollups').where('bucket', '<', before).execute());
      return doomed.length;
    },
  };
}

/** `SET column = excluded.column` for every column of the row. */
function excludedAll(row: object) {
  return Object.fromEntries(
    Object.keys(row).map((column) => [column, sql.ref(`excluded.${column}`)]),
  ) as never;
}

/** A LIKE pattern (escape `!`) matching a JSON array text that contains this string. */
function containsJsonString(value: string): string {
  return `%${JSON.stringify(value).replace(/[!%_]/g, (character) => `!${character}`)}%`;
}
