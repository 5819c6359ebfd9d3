import { type ExperimentRecord, type ExperimentResultRecord, newId, type Stores } from '@flywheel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractEngines } from '../testing-internal/test-databases.js';

function experiment(projectId: string, overrides: Partial<ExperimentRecord> = {}): ExperimentRecord {
  return {
    id: newId('exp'),
    projectId,
    name: 'capitals',
    description: null,
    status: 'running',
    targets: [
      { promptId: 'p', promptLabel: 'p', providerId: 'flywheel:a', providerLabel: 'a', promptRef: null },
    ],
    datasets: [{ name: 'capitals', version: 3 }],
    metadata: { commit: 'abc123' },
    summary: null,
    resultCount: 0,
    createdBy: { keyId: 'key_1', keyName: 'ci' },
    createdAt: new Date().toISOString(),
    finishedAt: null,
    ...overrides,
  };
}

function result(caseKey: string, overrides: Partial<ExperimentResultRecord> = {}): ExperimentResultRecord {
  return {
    caseKey,
    caseIndex: 0,
    repeat: 0,
    promptId: 'p',
    providerId: 'flywheel:a',
    vars: { country: caseKey },
    output: 'Paris',
    error: null,
    status: 'passed',
    score: 1,
    assertions: [{ type: 'contains', result: { status: 'scored', pass: true, score: 1, reason: 'ok' } }],
    inputTokens: 10,
    outputTokens: 2,
    cost: 0.000123456789,
    latencyMs: 101.5,
    traceId: 'tr_1',
    cached: false,
    ...overrides,
  };
}

describe.each(contractEngines)('experiment store contract on %s', (_engine, open) => {
  let stores: Stores;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ stores, dispose } = await open());
  });
  afterAll(() => dispose());

  async function newProject() {
    const project = { id: newId('proj'), name: 'p', createdAt: new Date().toISOString() };
    await stores.projects.create(project);
    return project.id;
  }
  const append = (projectId: string, id: string, results: ExperimentResultRecord[]) =>
    stores.transaction((tx) => tx.experiments.appendResults(projectId, id, results));

  it('stores an experiment and its results exactly, in order, replacing a re-sent result', async () => {
    const projectId = await newProject();
    const run = experiment(projectId);
    await stores.experiments.create(run);
    await append(projectId, run.id, [
      result('France'),
      result('Italy', {
        status: 'failed',
        score: 0,
        output: null,
        cost: null,
        latencyMs: null,
        error: { code: 'upstream_timeout', message: 'slow' },
      }),
    ]);
    // A retried batch: the same keys again, one changed.
    await append(projectId, run.id, [result('France', { output: 'Paris!' }), result('Spain')]);
    const stored = await stores.experiments.listResults(projectId, run.id, { limit: 10 });
    expect(stored.map((row) => [row.caseKey, row.output])).toEqual([
      ['France', 'Paris!'],
      ['Italy', null],
      ['Spain', 'Paris'],
    ]);
    expect(stored[0]).toMatchObject({
      cost: 0.000123456789,
      latencyMs: 101.5,
      cached: false,
      vars: { country: 'France' },
    });
    expect(stored[1]).toMatchObject({
      status: 'failed',
      error: { code: 'upstream_timeout', message: 'slow' },
    });
    const page = await stores.experiments.listResults(projectId, run.id, { after: stored[0]!.seq, limit: 1 });
    expect(page.map((row) => row.caseKey)).toEqual(['Italy']);
    expect((await stores.experiments.get(projectId, run.id))?.resultCount).toBe(3);
  });

  it('finishes a run with its summary and refuses results after that', async () => {
    const projectId = await newProject();
    const run = experiment(projectId);
    await stores.experiments.create(run);
    const finished = await stores.experiments.finish(
      projectId,
      run.id,
      'completed',
      { passRate: 1 },
      new Date().toISOString(),
    );
    expect(finished).toMatchObject({
      status: 'completed',
      summary: { passRate: 1 },
      datasets: [{ name: 'capitals', version: 3 }],
    });
    await expect(append(projectId, run.id, [result('late')])).rejects.toMatchObject({ code: 'conflict' });
  });

  it('lists newest first, filters by name, and keeps projects apart', async () => {
    const a = await newProject();
    const b = await newProject();
    const first = experiment(a, { createdAt: '2026-11-21T10:00:00.000Z' });
    const second = experiment(a, { createdAt: '2026-11-21T11:00:00.000Z', name: 'other' });
    await stores.experiments.create(first);
    await stores.experiments.create(second);
    expect((await stores.experiments.list(a, { limit: 10 })).map((run) => run.id)).toEqual([
      second.id,
      first.id,
    ]);
    expect((await stores.experiments.list(a, { limit: 10, name: 'capitals' })).map((run) => run.id)).toEqual([
      first.id,
    ]);
    expect(await stores.experiments.list(b, { limit: 10 })).toEqual([]);
    expect(await stores.experiments.get(b, first.id)).toBeUndefined();
    await expect(append(b, first.id, [result('x')])).rejects.toMatchObject({ code: 'experiment_not_found' });
    expect(await stores.experiments.listResults(b, first.id, { limit: 10 })).toEqual([]);
    expect(
      await stores.experiments.finish(b, first.id, 'completed', null, new Date().toISOString()),
    ).toBeUndefined();
  });

  it('gives concurrent batches disjoint sequence numbers', async () => {
    const projectId = await newProject();
    const run = experiment(projectId);
    await stores.experiments.create(run);
    await Promise.all(
      Array.from({ length: 10 }, (_, batch) =>
        append(
          projectId,
          run.id,
          Array.from({ length: 50 }, (_, index) => result(`b${batch}-c${index}`)),
        ),
      ),
    );
    const stored = await stores.experiments.listResults(projectId, run.id, { limit: 1000 });
    expect(stored).toHaveLength(500);
    expect(new Set(stored.map((row) => row.seq)).size).toBe(500);
  });
});
