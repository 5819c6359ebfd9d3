import {
  createPromptService,
  newId,
  type PromptCaller,
  type PromptService,
  type Stores,
} from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../open-storage.js';
import { contractEngines, createPostgresTestStorage } from '../testing-internal/test-databases.js';

// One contract for every prompt store, driven through the service that owns the rules.

const writer: PromptCaller = { keyId: 'key_writer', keyName: 'ci', isAdmin: false };
const admin: PromptCaller = { keyId: 'key_admin', keyName: 'lead', isAdmin: true };

async function rejection(promise: Promise<unknown>): Promise<FlywheelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!FlywheelError.is(error)) throw new Error(`expected a FlywheelError, got ${String(error)}`);
  return error;
}

describe.each(contractEngines)('prompt store contract on %s', (_engine, open) => {
  let stores: Stores;
  let dispose: () => Promise<void>;
  let prompts: PromptService;
  let clock = Date.UTC(2026, 10, 21, 9, 0, 0);
  beforeAll(async () => {
    ({ stores, dispose } = await open());
    prompts = createPromptService({
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

  it('saves numbered immutable versions with their template, config, author and variables', async () => {
    const projectId = await newProject();
    const v1 = await prompts.save(
      projectId,
      {
        name: 'support/triage',
        type: 'chat',
        template: [
          { role: 'system', content: 'You triage tickets for {{product}}.' },
          { role: 'user', content: '{{ticket}}' },
        ],
        config: { model: 'chat-default', temperature: 0.2, response_format: { type: 'json_object' } },
        commit_message: 'first cut',
      },
      writer,
    );
    expect(v1).toMatchObject({
      name: 'support/triage',
      type: 'chat',
      version: 1,
      variables: ['product', 'ticket'],
      labels: ['latest'],
      commitMessage: 'first cut',
      createdBy: { keyId: 'key_writer', keyName: 'ci' },
      config: { model: 'chat-default', temperature: 0.2, response_format: { type: 'json_object' } },
    });
    const v2 = await prompts.save(
      projectId,
      { name: 'support/triage', type: 'chat', template: [{ role: 'user', content: 'Hi' }] },
      writer,
    );
    expect(v2.version).toBe(2);
    expect(v2.commitMessage).toBeNull();
    // Version 1 is unchanged and no longer the latest.
    const stored = await prompts.get(projectId, 'support/triage', { version: 1 });
    expect(stored.template).toEqual(v1.template);
    expect(stored.labels).toEqual([]);
    expect((await prompts.get(projectId, 'support/triage', { label: 'latest' })).version).toBe(2);
    expect((await prompts.versions(projectId, 'support/triage')).map((version) => version.version)).toEqual([
      2, 1,
    ]);
  });

  it('hands out gap-free numbers, never reused, under 20 concurrent saves', async () => {
    const projectId = await newProject();
    const saved = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        prompts.save(projectId, { name: 'busy', type: 'text', template: `v ${index}` }, writer),
      ),
    );
    expect(saved.map((version) => version.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
    const versions = await prompts.versions(projectId, 'busy');
    expect(versions.map((version) => version.version)).toEqual(
      Array.from({ length: 20 }, (_, index) => 20 - index),
    );
    // Each number holds the template of the save that got it.
    for (const version of saved) {
      expect((await prompts.get(projectId, 'busy', { version: version.version })).template).toBe(
        version.template,
      );
    }
    expect((await stores.prompts.getPrompt(projectId, 'busy'))?.labels).toEqual({ latest: 20 });
  });

  it('keeps a prompt type fixed and rolls a refused save back without using its number', async () => {
    const projectId = await newProject();
    await prompts.save(projectId, { name: 'fixed', type: 'text', template: 'a' }, writer);
    const error = await rejection(
      prompts.save(
        projectId,
        { name: 'fixed', type: 'chat', template: [{ role: 'user', content: 'b' }] },
        writer,
      ),
    );
    expect(error.code).toBe('conflict');
    expect(
      (await prompts.save(projectId, { name: 'fixed', type: 'text', template: 'c' }, writer)).version,
    ).toBe(2);
  });

  it('saves conditionally on base_version', async () => {
    const projectId = await newProject();
    await prompts.save(
      projectId,
      { name: 'gitops', type: 'text', template: 'a', base_version: null },
      writer,
    );
    const created = await rejection(
      prompts.save(
        projectId,
        { name: 'gitops', type: 'text', template: 'again', base_version: null },
        writer,
      ),
    );
    expect(created.code).toBe('prompt_version_conflict');
    await prompts.save(projectId, { name: 'gitops', type: 'text', template: 'b', base_version: 1 }, writer);
    const stale = await rejection(
      prompts.save(projectId, { name: 'gitops', type: 'text', template: 'c', base_version: 1 }, writer),
    );
    expect(stale.code).toBe('prompt_version_conflict');
    expect(stale.message).toContain('newest version is 2');
    expect((await prompts.versions(projectId, 'gitops')).length).toBe(2);
  });

  it('moves labels, audits every move, and rolls back by moving a label back', async () => {
    const projectId = await newProject();
    await prompts.save(projectId, { name: 'greet', type: 'text', template: 'Hello {{name}}' }, writer);
    await prompts.save(
      projectId,
      { name: 'greet', type: 'text', template: 'Hi {{name}}', labels: ['production', 'staging'] },
      writer,
    );
    expect((await prompts.get(projectId, 'greet', { label: 'production' })).version).toBe(2);
    const rollback = await prompts.moveLabel(projectId, 'greet', 'production', 1, admin);
    expect(rollback).toMatchObject({ label: 'production', fromVersion: 2, toVersion: 1 });
    expect(await prompts.moveLabel(projectId, 'greet', 'production', 1, admin)).toBeNull();
    expect((await prompts.get(projectId, 'greet', { label: 'production' })).template).toBe('Hello {{name}}');
    await prompts.moveLabel(projectId, 'greet', 'staging', null, writer);
    const moves = await prompts.labelMoves(projectId, 'greet');
    expect(moves.map((move) => [move.label, move.fromVersion, move.toVersion, move.movedBy.keyName])).toEqual(
      [
        ['staging', 2, null, 'ci'],
        ['production', 2, 1, 'lead'],
        ['staging', null, 2, 'ci'],
        ['production', null, 2, 'ci'],
        ['latest', 1, 2, 'ci'],
        ['latest', null, 1, 'ci'],
      ],
    );
    expect(moves[0]!.movedAt > moves[1]!.movedAt).toBe(true);
  });

  it('refuses moving latest by hand, a missing version, and an unknown label', async () => {
    const projectId = await newProject();
    await prompts.save(projectId, { name: 'one', type: 'text', template: 'x' }, writer);
    expect((await rejection(prompts.moveLabel(projectId, 'one', 'latest', 1, admin))).code).toBe(
      'validation_failed',
    );
    expect((await rejection(prompts.moveLabel(projectId, 'one', 'production', 7, admin))).code).toBe(
      'prompt_not_found',
    );
    expect((await rejection(prompts.moveLabel(projectId, 'one', 'nope', null, admin))).code).toBe(
      'prompt_not_found',
    );
    expect((await rejection(prompts.moveLabel(projectId, 'missing', 'production', 1, admin))).code).toBe(
      'prompt_not_found',
    );
    const byLabel = await rejection(prompts.get(projectId, 'one', { label: 'production' }));
    expect(byLabel.code).toBe('prompt_not_found');
    expect(byLabel.message).toContain('latest → 1');
  });

  it('lets only admin keys move a protected label', async () => {
    const projectId = await newProject();
    await prompts.setProtectedLabels(projectId, ['production']);
    expect(await prompts.protectedLabels(projectId)).toEqual(['production']);
    await prompts.save(projectId, { name: 'guarded', type: 'text', template: 'x' }, writer);
    expect((await rejection(prompts.moveLabel(projectId, 'guarded', 'production', 1, writer))).code).toBe(
      'label_protected',
    );
    const save = await rejection(
      prompts.save(
        projectId,
        { name: 'guarded', type: 'text', template: 'y', labels: ['production'] },
        writer,
      ),
    );
    expect(save.code).toBe('label_protected');
    expect((await prompts.versions(projectId, 'guarded')).length).toBe(1);
    expect(await prompts.moveLabel(projectId, 'guarded', 'production', 1, admin)).toMatchObject({
      toVersion: 1,
    });
    // Other labels stay open to writers.
    expect(await prompts.moveLabel(projectId, 'guarded', 'staging', 1, writer)).toMatchObject({
      toVersion: 1,
    });
  });

  it('lists prompts by name, within a folder, with their labels', async () => {
    const projectId = await newProject();
    for (const name of ['support/triage', 'support/reply', 'support_x/other', 'billing/refund']) {
      await prompts.save(projectId, { name, type: 'text', template: name }, writer);
    }
    const all = await prompts.list(projectId, { limit: 100 });
    expect(all.map((prompt) => prompt.name)).toEqual([
      'billing/refund',
      'support/reply',
      'support/triage',
      'support_x/other',
    ]);
    expect(all[0]).toMatchObject({ type: 'text', latestVersion: 1, labels: { latest: 1 } });
    const folder = await prompts.list(projectId, { folder: 'support', limit: 100 });
    expect(folder.map((prompt) => prompt.name)).toEqual(['support/reply', 'support/triage']);
    expect((await prompts.list(projectId, { limit: 1 })).length).toBe(1);
  });

  it('diffs two versions named by number or label', async () => {
    const projectId = await newProject();
    await prompts.save(
      projectId,
      { name: 'd', type: 'text', template: 'line one\nline two', config: { temperature: 0.1 } },
      writer,
    );
    await prompts.save(
      projectId,
      {
        name: 'd',
        type: 'text',
        template: 'line one\nline 2',
        config: { temperature: 0.7, max_tokens: 100 },
        labels: ['production'],
      },
      writer,
    );
    const { diff } = await prompts.diff(projectId, 'd', '1', 'production');
    expect(diff.added).toBe(1);
    expect(diff.removed).toBe(1);
    expect(diff.config).toEqual([
      { path: 'max_tokens', change: 'added', to: 100 },
      { path: 'temperature', change: 'changed', from: 0.1, to: 0.7 },
    ]);
    expect((await rejection(prompts.diff(projectId, 'd', '1', 'Bad Label'))).code).toBe('validation_failed');
  });

  it('refuses a template that does not parse, naming where', async () => {
    const projectId = await newProject();
    const error = await rejection(
      prompts.save(projectId, { name: 'broken', type: 'text', template: 'Hi {{#items}}x' }, writer),
    );
    expect(error.code).toBe('template_invalid');
    expect(await stores.prompts.getPrompt(projectId, 'broken')).toBeUndefined();
  });

  it("never shows one project's prompts to another", async () => {
    const a = await newProject();
    const b = await newProject();
    await prompts.save(a, { name: 'secret', type: 'text', template: 'a only' }, writer);
    expect(await prompts.list(b, { limit: 100 })).toEqual([]);
    expect((await rejection(prompts.get(b, 'secret', { version: 1 }))).code).toBe('prompt_not_found');
    expect((await rejection(prompts.moveLabel(b, 'secret', 'production', 1, admin))).code).toBe(
      'prompt_not_found',
    );
    // The same name in B is a separate prompt starting at version 1.
    expect((await prompts.save(b, { name: 'secret', type: 'text', template: 'b' }, writer)).version).toBe(1);
    expect((await prompts.get(a, 'secret', { version: 1 })).template).toBe('a only');
  });
});

describe('prompt saves from two processes on PostgreSQL', () => {
  it('share one gap-free sequence of version numbers', async () => {
    const test = await createPostgresTestStorage();
    const other = openStorage(test.options);
    try {
      await test.storage.stores.projects.create({
        id: 'proj_two',
        name: 'p',
        createdAt: new Date().toISOString(),
      });
      const services = [test.storage, other].map((storage) =>
        createPromptService({ stores: storage.stores }),
      );
      const saved = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          services[index % 2]!.save(
            'proj_two',
            { name: 'shared', type: 'text', template: `t${index}` },
            writer,
          ),
        ),
      );
      expect(saved.map((version) => version.version).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 20 }, (_, index) => index + 1),
      );
    } finally {
      await other.close();
      await test.dispose();
    }
  });
});
