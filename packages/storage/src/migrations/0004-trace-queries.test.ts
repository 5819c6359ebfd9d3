import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  createPostgresTestStorage,
  createSqliteTestStorage,
  kyselyAtMigration,
} from '../testing-internal/test-databases.js';

describe.each([
  ['sqlite', createSqliteTestStorage],
  ['postgres', createPostgresTestStorage],
])('migration 0004 on %s', (_engine, create) => {
  it('keeps the gateway traces written before it, with aggregates, rollups and search', async () => {
    const test = await create({ migrate: false });
    const db = await kyselyAtMigration(test, '0003-provider-credentials');
    try {
      await sql`insert into projects (id, name, created_at) values ('proj_old', 'old', '2026-01-01T00:00:00.000Z')`.execute(
        db,
      );
      await sql`insert into traces (project_id, id, name, start_time, end_time, status, tags, metadata)
        values ('proj_old', 'tr_old', 'chat default', '2026-11-01T10:00:00.000Z', '2026-11-01T10:00:01.500Z', 'ok', '["gateway"]', '{}')`.execute(
        db,
      );
      await sql`insert into spans (project_id, id, trace_id, kind, name, start_time, end_time, duration_ms, status,
          input, output, model, provider, input_tokens, output_tokens, usage_estimated, cost, attributes)
        values ('proj_old', 'sp_old', 'tr_old', 'generation', 'chat default', '2026-11-01T10:00:00.000Z',
          '2026-11-01T10:00:01.500Z', 1500, 'ok', '{"messages":[{"role":"user","content":"hello walrus"}]}',
          '{"content":"hi"}', 'gpt-4o-mini', 'openai', 12, 3, 0, 0.0002, '{}')`.execute(db);
      await db.destroy();
      await test.storage.migrate();
      const { traces } = test.storage.stores;
      expect(await traces.getTrace('proj_old', 'tr_old')).toMatchObject({
        displayName: 'chat default',
        sortTime: '2026-11-01T10:00:00.000Z',
        spanCount: 1,
        inputTokens: 12,
        outputTokens: 3,
        cost: 0.0002,
        models: ['gpt-4o-mini'],
        latencyMs: 1500,
        tags: ['gateway'],
      });
      expect(await traces.listSpans('proj_old', 'tr_old')).toMatchObject([
        { id: 'sp_old', durationMs: 1500 },
      ]);
      const found = await traces.listTraces('proj_old', { limit: 10, text: 'walrus' });
      expect(found.map((trace) => trace.id)).toEqual(['tr_old']);
      const cells = await traces.listRollups(
        'proj_old',
        '2026-11-01T00:00:00.000Z',
        '2026-11-02T00:00:00.000Z',
      );
      expect(cells).toMatchObject([
        { bucket: '2026-11-01T10:00:00.000Z', model: 'gpt-4o-mini', requests: 1, inputTokens: 12 },
      ]);
    } finally {
      await test.dispose();
    }
  });
});
