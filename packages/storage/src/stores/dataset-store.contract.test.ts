import {
  createDatasetService,
  type DatasetActor,
  type DatasetItemRecord,
  type DatasetService,
  newId,
  type Stores,
} from '@flywheel/core';
import { type DatasetItemInput, FlywheelError } from '@flywheel/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../open-storage.js';
import { contractEngines, createPostgresTestStorage } from '../testing-internal/test-databases.js';

// One contract for every dataset store, driven through the service that owns the rules.

const actor: DatasetActor = { keyId: 'key_writer', keyName: 'ci' };

async function rejection(promise: Promise<unknown>): Promise<FlywheelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!FlywheelError.is(error)) throw new Error(`expected a FlywheelError, got ${String(error)}`);
  return error;
}

const ids = (items: DatasetItemRecord[]) => items.map((item) => item.id);

describe.each(contractEngines)('dataset store contract on %s', (_engine, open) => {
  let stores: Stores;
  let dispose: () => Promise<void>;
  let datasets: DatasetService;
  let clock = Date.UTC(2026, 10, 21, 9, 0, 0);
  beforeAll(async () => {
    ({ stores, dispose } = await open());
    datasets = createDatasetService({
      stores,
      now: () => {
        clock += 1000;
        return new Date(clock);
      },
    });
  });
  afterAll(() => dispose());

  async function newProject() {
    const project = { id: newId('proj'), name: 'p', createdAt: new Date().toISOString() };
    await stores.projects.create(project);
    return project.id;
  }

  const all = async (projectId: string, name: string, version?: number) =>
    (
      await datasets.listItems(projectId, name, {
        limit: 1000,
        ...(version === undefined ? {} : { version }),
      })
    ).items;

  it('creates, lists, updates and deletes datasets; names are unique per project', async () => {
    const projectId = await newProject();
    const created = await datasets.create(projectId, {
      name: 'support/golden',
      description: 'hand-checked tickets',
      metadata: { owner: 'support' },
    });
    expect(created).toMatchObject({
      name: 'support/golden',
      description: 'hand-checked tickets',
      metadata: { owner: 'support' },
      version: 0,
      itemCount: 0,
    });
    expect(created.id).toMatch(/^ds_/);
    await datasets.create(projectId, { name: 'alpha' });
    expect((await datasets.list(projectId, { limit: 10 })).map((dataset) => dataset.name)).toEqual([
      'alpha',
      'support/golden',
    ]);
    expect((await datasets.list(projectId, { limit: 1 })).length).toBe(1);
    const taken = await rejection(datasets.create(projectId, { name: 'alpha' }));
    expect(taken.code).toBe('conflict');

    const updated = await datasets.update(projectId, 'support/golden', { description: null });
    expect(updated).toMatchObject({ description: null, metadata: { owner: 'support' }, version: 0 });
    expect(updated.updatedAt > created.updatedAt).toBe(true);
    expect((await datasets.update(projectId, 'alpha', { metadata: { a: [1, 2] } })).metadata).toEqual({
      a: [1, 2],
    });

    await datasets.addItems(projectId, 'alpha', [{ input: { q: 'x' } }], actor);
    await datasets.delete(projectId, 'alpha');
    expect((await rejection(datasets.get(projectId, 'alpha'))).code).toBe('dataset_not_found');
    expect((await rejection(datasets.delete(projectId, 'alpha'))).code).toBe('dataset_not_found');
    // The name is free again, for a new dataset with nothing of the old one.
    const again = await datasets.create(projectId, { name: 'alpha' });
    expect(again).toMatchObject({ version: 0, itemCount: 0 });
    expect(await all(projectId, 'alpha')).toEqual([]);
    expect(await datasets.versions(projectId, 'alpha')).toEqual([]);
  });

  it('adds items as one version, answers per item, and re-adding the same items is a no-op', async () => {
    const projectId = await newProject();
    await datasets.create(projectId, { name: 'qa' });
    const items: DatasetItemInput[] = [
      { id: 'france', input: { country: 'France' }, expected_output: 'Paris', metadata: { level: 1 } },
      {
        id: 'japan',
        input: { country: 'Japan', detail: { a: 1, b: 2 } },
        expected_output: { city: 'Tokyo' },
      },
      { input: { country: 'Peru' } },
    ];
    const first = await datasets.addItems(projectId, 'qa', items, actor);
    expect(first.dataset).toMatchObject({ version: 1, itemCount: 3 });
    expect(first.outcomes.map((outcome) => outcome.status)).toEqual(['created', 'created', 'created']);
    const generated = first.outcomes[2]!.id;
    expect(generated).toMatch(/^item_/);

    const stored = await all(projectId, 'qa');
    expect(ids(stored)).toEqual(['france', 'japan', generated]);
    expect(stored[0]).toMatchObject({
      input: { country: 'France' },
      expectedOutput: 'Paris',
      metadata: { level: 1 },
      sourceTraceId: null,
      sourceSpanId: null,
      version: 1,
    });
    expect(stored[2]).toMatchObject({ expectedOutput: null, metadata: {} });

    // The same content again (object keys in another order) changes nothing, not even the version.
    const again = await datasets.addItems(
      projectId,
      'qa',
      [
        {
          id: 'japan',
          input: { detail: { b: 2, a: 1 }, country: 'Japan' },
          expected_output: { city: 'Tokyo' },
        },
        { id: 'france', input: { country: 'France' }, expected_output: 'Paris', metadata: { level: 1 } },
      ],
      actor,
    );
    expect(again.dataset.version).toBe(1);
    expect(again.outcomes).toEqual([
      { id: 'japan', status: 'unchanged' },
      { id: 'france', status: 'unchanged' },
    ]);
    // Different content under a known id is an edit; a new id next to it is created, same version.
    const mixed = await datasets.addItems(
      projectId,
      'qa',
      [
        { id: 'france', input: { country: 'France' }, expected_output: 'Paris, France' },
        { id: 'italy', input: { country: 'Italy' } },
      ],
      actor,
    );
    expect(mixed.dataset).toMatchObject({ version: 2, itemCount: 4 });
    expect(mixed.outcomes.map((outcome) => outcome.status)).toEqual(['updated', 'created']);
    // An edit keeps the item's place and first-added time.
    const now = await all(projectId, 'qa');
    expect(ids(now)).toEqual(['france', 'japan', generated, 'italy']);
    expect(now[0]!.createdAt).toBe(stored[0]!.createdAt);
    expect(now[0]!.updatedAt > now[0]!.createdAt).toBe(true);
    expect(now[0]).toMatchObject({ version: 2, metadata: {} });
  });

  it('reads any past version exactly after edits and deletes', async () => {
    const projectId = await newProject();
    await datasets.create(projectId, { name: 'history' });
    const add = (items: DatasetItemInput[]) => datasets.addItems(projectId, 'history', items, actor);
    await add([
      { id: 'a', input: { n: 1 } },
      { id: 'b', input: { n: 2 } },
      { id: 'c', input: { n: 3 } },
    ]); // v1
    await datasets.putItem(projectId, 'history', 'b', { input: { n: 20 }, expected_output: 'twenty' }, actor); // v2
    await datasets.deleteItem(projectId, 'history', 'a', actor); // v3
    await add([{ id: 'a', input: { n: 100 } }]); // v4: re-added, at the end

    const at = async (version: number) =>
      (await all(projectId, 'history', version)).map((item) => [item.id, item.input.n]);
    expect(await at(0)).toEqual([]);
    expect(await at(1)).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(await at(2)).toEqual([
      ['a', 1],
      ['b', 20],
      ['c', 3],
    ]);
    expect(await at(3)).toEqual([
      ['b', 20],
      ['c', 3],
    ]);
    expect(await at(4)).toEqual([
      ['b', 20],
      ['c', 3],
      ['a', 100],
    ]);
    expect((await datasets.getItem(projectId, 'history', 'b', 1)).input).toEqual({ n: 2 });
    expect((await datasets.getItem(projectId, 'history', 'b')).expectedOutput).toBe('twenty');
    expect((await rejection(datasets.getItem(projectId, 'history', 'a', 3))).code).toBe(
      'dataset_item_not_found',
    );
    const future = await rejection(all(projectId, 'history', 5));
    expect(future.code).toBe('dataset_not_found');
    expect(future.message).toContain('its newest is 4');

    const versions = await datasets.versions(projectId, 'history');
    expect(
      versions.map((version) => [
        version.version,
        version.created,
        version.updated,
        version.deleted,
        version.itemCount,
      ]),
    ).toEqual([
      [4, 1, 0, 0, 3],
      [3, 0, 0, 1, 2],
      [2, 0, 1, 0, 3],
      [1, 3, 0, 0, 3],
    ]);
    expect(versions[0]!.createdBy).toEqual(actor);
    expect((await datasets.get(projectId, 'history')).itemCount).toBe(3);
    expect((await rejection(datasets.deleteItem(projectId, 'history', 'a-typo', actor))).code).toBe(
      'dataset_item_not_found',
    );
    expect((await datasets.get(projectId, 'history')).version).toBe(4);
  });

  it('keeps a snapshot readable after later edits, until the dataset is deleted', async () => {
    const projectId = await newProject();
    await datasets.create(projectId, { name: 'snap' });
    await datasets.addItems(
      projectId,
      'snap',
      Array.from({ length: 1500 }, (_, index) => ({ id: `i${index}`, input: { index } })),
      actor,
    );
    const { ref, items } = await datasets.snapshot(projectId, 'snap');
    expect(ref).toMatchObject({ name: 'snap', version: 1 });
    expect(items.length).toBe(1500);
    await datasets.putItem(projectId, 'snap', 'i0', { input: { index: -1 } }, actor);
    await datasets.deleteItem(projectId, 'snap', 'i1', actor);
    const replay = await datasets.readSnapshot(projectId, ref);
    expect(replay).toEqual(items);
    await datasets.delete(projectId, 'snap');
    await datasets.create(projectId, { name: 'snap' });
    expect((await rejection(datasets.readSnapshot(projectId, ref))).code).toBe('dataset_not_found');
  });

  it('gives 20 concurrent item batches 20 distinct versions, none interleaved', async () => {
    const projectId = await newProject();
    await datasets.create(projectId, { name: 'busy' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, batch) =>
        datasets.addItems(
          projectId,
          'busy',
          [
            // Every batch also edits one shared item: the edits must queue, not collide.
            { id: 'shared', input: { batch } },
            ...Array.from({ length: 25 }, (_, index) => ({
              id: `b${batch}-${index}`,
              input: { batch, index },
            })),
          ],
          actor,
        ),
      ),
    );
    const versions = results.map((result) => result.dataset.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    const dataset = await datasets.get(projectId, 'busy');
    expect(dataset).toMatchObject({ version: 20, itemCount: 501 });
    // At each version exactly the batches committed by then are there, each batch whole.
    const byVersion = new Map(results.map((result, batch) => [result.dataset.version, batch]));
    for (const version of [1, 7, 20]) {
      const items = await all(projectId, 'busy', version);
      const batches = new Set([...byVersion].filter(([v]) => v <= version).map(([, batch]) => batch));
      expect(items.length).toBe(batches.size * 25 + 1);
      expect(items.filter((item) => item.id === 'shared').length).toBe(1);
      expect(items.find((item) => item.id === 'shared')!.input.batch).toBe(byVersion.get(version));
    }
    const history = await datasets.versions(projectId, 'busy');
    expect(history.map((version) => version.itemCount)).toEqual(
      Array.from({ length: 20 }, (_, index) => 26 + (19 - index) * 25),
    );
  });

  it('deletes a dataset while writes are in flight, leaving nothing of it behind', async () => {
    const projectId = await newProject();
    await datasets.create(projectId, { name: 'doomed' });
    const writes = Array.from({ length: 10 }, (_, index) =>
      datasets.addItems(projectId, 'doomed', [{ id: `w${index}`, input: { index } }], actor).then(
        () => 'stored',
        (error: FlywheelError) => error.code,
      ),
    );
    const deletion = datasets.delete(projectId, 'doomed');
    const outcomes = await Promise.all(writes);
    await deletion;
    expect(outcomes.every((outcome) => outcome === 'stored' || outcome === 'dataset_not_found')).toBe(true);
    await datasets.create(projectId, { name: 'doomed' });
    expect(await all(projectId, 'doomed')).toEqual([]);
  });

  it('pages through a version with a cursor that is not upset by later edits', async () => {
    const projectId = await newProject();
    await datasets.create(projectId, { name: 'pages' });
    await datasets.addItems(
      projectId,
      'pages',
      Array.from({ length: 25 }, (_, index) => ({
        id: `p${String(index).padStart(2, '0')}`,
        input: { index },
      })),
      actor,
    );
    const seen: string[] = [];
    let afterSeq: number | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await datasets.listItems(projectId, 'pages', {
        version: 1,
        limit: 10,
        ...(afterSeq === undefined ? {} : { afterSeq }),
      });
      seen.push(...ids(result.items));
      if (result.items.length < 10) break;
      afterSeq = result.items.at(-1)!.seq;
      // Edits between pages make new versions; version 1 reads the same.
      await datasets.deleteItem(projectId, 'pages', `p${String(page).padStart(2, '0')}`, actor);
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, index) => `p${String(index).padStart(2, '0')}`));
  });

  it('refuses the same id twice in one write and stores nothing of it', async () => {
    const projectId = await newProject();
    await datasets.create(projectId, { name: 'dupes' });
    const error = await rejection(
      datasets.addItems(
        projectId,
        'dupes',
        [
          { id: 'x', input: {} },
          { id: 'y', input: {} },
          { id: 'x', input: { other: true } },
        ],
        actor,
      ),
    );
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain("items 0 and 2 both have the id 'x'");
    expect(await datasets.get(projectId, 'dupes')).toMatchObject({ version: 0, itemCount: 0 });
  });

  it('stores SQL metacharacters and odd JSON keys as data', async () => {
    const projectId = await newProject();
    await datasets.create(projectId, { name: "o'brien", description: "'); drop table datasets; --" });
    // As JSON.parse makes it: `__proto__` an own key, not the prototype.
    const input = JSON.parse(
      '{"\'; delete from dataset_items; --": "x", "a\\"b": "%_\\\\", "__proto__": "not a prototype"}',
    ) as Record<string, unknown>;
    await datasets.addItems(projectId, "o'brien", [{ id: "it's:1", input, metadata: { "k'": "v'" } }], actor);
    const [item] = await all(projectId, "o'brien");
    expect(item!.id).toBe("it's:1");
    expect(Object.keys(item!.input).sort()).toEqual(Object.keys(input).sort());
    expect(Object.getPrototypeOf(item!.input)).toBe(Object.prototype);
    expect((await datasets.get(projectId, "o'brien")).description).toBe("'); drop table datasets; --");
  });

  it("never shows one project's datasets to another", async () => {
    const a = await newProject();
    const b = await newProject();
    const own = await datasets.create(a, { name: 'secret' });
    await datasets.addItems(a, 'secret', [{ id: 'one', input: { a: true } }], actor);
    expect(await datasets.list(b, { limit: 100 })).toEqual([]);
    for (const attempt of [
      () => datasets.get(b, 'secret'),
      () => datasets.listItems(b, 'secret', { limit: 10 }),
      () => datasets.getItem(b, 'secret', 'one'),
      () => datasets.addItems(b, 'secret', [{ id: 'one', input: { b: true } }], actor),
      () => datasets.deleteItem(b, 'secret', 'one', actor),
      () => datasets.update(b, 'secret', { description: 'mine now' }),
      () => datasets.delete(b, 'secret'),
      () => datasets.readSnapshot(b, { datasetId: own.id, name: 'secret', version: 1 }),
    ]) {
      expect((await rejection(attempt())).code).toBe('dataset_not_found');
    }
    // Even with A's dataset id, B's reads find nothing.
    expect(await stores.datasets.listItems(b, own.id, { version: 1, limit: 10 })).toEqual([]);
    expect(await stores.datasets.getItem(b, own.id, 'one', 1)).toBeUndefined();
    expect(await stores.datasets.listVersions(b, own.id)).toEqual([]);
    // The same name in B is a separate dataset.
    await datasets.create(b, { name: 'secret' });
    expect(await all(b, 'secret')).toEqual([]);
    expect((await all(a, 'secret'))[0]!.input).toEqual({ a: true });
  });

  it('makes items from traces, keeping the source trace, and adds a trace once', async () => {
    const projectId = await newProject();
    await datasets.create(projectId, { name: 'from-prod' });
    const at = new Date(Date.UTC(2026, 10, 20, 12)).toISOString();
    await stores.transaction((tx) =>
      tx.traces.write({
        projectId,
        traces: [
          {
            id: 'tr-1',
            eventTime: at,
            name: 'triage',
            startTime: at,
            input: { ticket: 'refund?' },
            output: 'billing',
            tags: ['prod'],
          },
          { id: 'tr-2', eventTime: at, name: 'triage', startTime: at },
          { id: 'tr-3', eventTime: at, name: 'empty', startTime: at },
        ],
        spans: [
          {
            id: 'sp-2',
            traceId: 'tr-2',
            eventTime: at,
            kind: 'generation',
            name: 'chat',
            startTime: at,
            input: [{ role: 'user', content: 'hi' }],
            output: { role: 'assistant', content: 'hello' },
          },
        ],
        scores: [],
      }),
    );
    const options = { inputFrom: 'trace_input', expectedFrom: 'trace_output' } as const;
    const first = await datasets.fromTraces(
      projectId,
      'from-prod',
      { traceIds: ['tr-1', 'missing', 'tr-2', 'tr-3'] },
      options,
      actor,
    );
    expect(first.outcomes.map((outcome) => [outcome.traceId, outcome.status])).toEqual([
      ['tr-1', 'created'],
      ['missing', 'trace_not_found'],
      ['tr-2', 'created'],
      ['tr-3', 'no_input'],
    ]);
    expect(first.dataset.version).toBe(1);
    const items = await all(projectId, 'from-prod');
    expect(items[0]).toMatchObject({
      id: 'tr-1',
      input: { ticket: 'refund?' },
      expectedOutput: 'billing',
      sourceTraceId: 'tr-1',
      sourceSpanId: null,
      metadata: { trace_name: 'triage', tags: ['prod'] },
    });
    expect(items[1]).toMatchObject({
      id: 'tr-2',
      input: { input: [{ role: 'user', content: 'hi' }] },
      expectedOutput: { role: 'assistant', content: 'hello' },
      sourceTraceId: 'tr-2',
      sourceSpanId: 'sp-2',
    });
    // A second run adds nothing and keeps edits made since.
    await datasets.putItem(
      projectId,
      'from-prod',
      'tr-1',
      { input: { ticket: 'refund?' }, expected_output: 'refunds' },
      actor,
    );
    const second = await datasets.fromTraces(
      projectId,
      'from-prod',
      { filter: { limit: 10, name: 'triage' } },
      options,
      actor,
    );
    expect(second.outcomes.map((outcome) => outcome.status).sort()).toEqual(['exists', 'exists']);
    expect(second.dataset.version).toBe(2);
    expect((await datasets.getItem(projectId, 'from-prod', 'tr-1')).expectedOutput).toBe('refunds');
  });
});

describe('dataset writes from two processes on PostgreSQL', () => {
  it('share one gap-free sequence of versions', async () => {
    const test = await createPostgresTestStorage();
    const other = openStorage(test.options);
    try {
      await test.storage.stores.projects.create({
        id: 'proj_two',
        name: 'p',
        createdAt: new Date().toISOString(),
      });
      const services = [test.storage, other].map((storage) =>
        createDatasetService({ stores: storage.stores }),
      );
      await services[0]!.create('proj_two', { name: 'shared' });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          services[index % 2]!.addItems(
            'proj_two',
            'shared',
            [
              { id: 'same', input: { index } },
              { id: `own-${index}`, input: { index } },
            ],
            actor,
          ),
        ),
      );
      expect(results.map((result) => result.dataset.version).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 20 }, (_, index) => index + 1),
      );
      expect(await services[1]!.get('proj_two', 'shared')).toMatchObject({ version: 20, itemCount: 21 });
    } finally {
      await other.close();
      await test.dispose();
    }
  });
});
