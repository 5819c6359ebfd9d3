import type { SpanPatch } from '@flywheel/core';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  createPostgresTestStorage,
  createSqliteTestStorage,
  kyselyAtMigration,
} from '../testing-internal/test-databases.js';

const span: SpanPatch = {
  id: 'sp_old',
  traceId: 'tr_old',
  eventTime: '2026-11-01T10:00:01.000Z',
  kind: 'generation',
  name: 'chat',
  startTime: '2026-11-01T10:00:00.000Z',
  endTime: '2026-11-01T10:00:01.000Z',
  status: 'ok',
  input: [{ role: 'user', content: 'Summarize:\nkestrel sightings' }],
  output: { content: 'Two.\n\nmarmoset' },
};

describe.each([
  ['sqlite', createSqliteTestStorage],
  ['postgres', createPostgresTestStorage],
])('migration 0008 on %s', (engine, create) => {
  it('makes words after a line break findable in rows stored before it, and JSON keys not', async () => {
    const test = await create({ migrate: false });
    const db = await kyselyAtMigration(test, '0007-experiments');
    try {
      await sql`insert into projects (id, name, created_at) values ('proj_old', 'old', '2026-01-01T00:00:00.000Z')`.execute(
        db,
      );
      await test.storage.stores.traces.write({
        projectId: 'proj_old',
        traces: [{ id: 'tr_old', eventTime: span.eventTime, name: 'chat' }],
        spans: [span],
        scores: [],
      });
      if (engine === 'sqlite') {
        // The document as the code before 0008 wrote it: the JSON text.
        await sql`delete from text_search`.execute(db);
        await sql`insert into text_search (rowid, body) select rowid, input || ' ' || output from spans`.execute(
          db,
        );
      }
      const search = async (text: string) =>
        (await test.storage.stores.traces.listTraces('proj_old', { limit: 10, text })).map(
          (trace) => trace.id,
        );
      if (engine === 'sqlite') expect(await search('kestrel')).toEqual([]);

      await db.destroy();
      await test.storage.migrate();
      expect(await search('kestrel')).toEqual(['tr_old']);
      expect(await search('marmoset')).toEqual(['tr_old']);
      expect(await search('sightings user')).toEqual(['tr_old']);
      expect(await search('role')).toEqual([]);
      expect(await search('content')).toEqual([]);
      const indexes = async (migration: string) => {
        const at = await kyselyAtMigration(test, migration);
        const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes
          where indexname in ('spans_text_idx', 'traces_text_idx')`.execute(at);
        await at.destroy();
        return rows.map((row) => row.indexdef);
      };
      if (engine === 'postgres') {
        const defs = await indexes('0008-search-string-values');
        expect(defs).toHaveLength(2);
        for (const def of defs) expect(def).toContain('jsonb');
        // Down: the JSON text's index again.
        const before = await indexes('0007-experiments');
        expect(before).toHaveLength(2);
        for (const def of before) expect(def).not.toContain('jsonb');
      } else {
        // Down: the JSON text's documents again, where the word after the line break is lost.
        await (await kyselyAtMigration(test, '0007-experiments')).destroy();
        expect(await search('kestrel')).toEqual([]);
        expect(await search('sightings')).toEqual(['tr_old']);
      }
    } finally {
      await test.dispose();
    }
  });
});
