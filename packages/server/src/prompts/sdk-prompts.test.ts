import { createFlywheelClient, FlywheelError } from '@flywheel/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// The SDK's prompt registry client against a running Flywheel: managing prompts, then serving
// one through getPrompt's cache as a label moves and after the server has gone away.

let t: GatewayTestApp;
let closed = false;
beforeAll(async () => {
  t = await startGatewayTestApp('models: []\n', { fakes: [] });
});
afterAll(async () => {
  if (!closed) await t.close();
});

async function failure(promise: Promise<unknown>): Promise<FlywheelError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FlywheelError.is(error)) throw new Error(`expected a FlywheelError, got ${String(error)}`);
  return error;
}

describe('@flywheel/sdk prompts against a running Flywheel', () => {
  it('saves versions, moves labels, diffs and audits them', async () => {
    const flywheel = createFlywheelClient({ baseUrl: t.url, apiKey: t.key });
    const first = await flywheel.prompts.create({
      name: 'support/triage',
      type: 'chat',
      template: [
        { role: 'system', content: 'Triage tickets for {{product}}.' },
        { role: 'user', content: '{{ticket}}' },
      ],
      config: { model: 'chat-default', temperature: 0.2 },
      commit_message: 'first',
      labels: ['production'],
    });
    expect(first).toMatchObject({ version: 1, variables: ['product', 'ticket'], commit_message: 'first' });
    expect([...first.labels].sort()).toEqual(['latest', 'production']);
    const second = await flywheel.prompts.create({
      name: 'support/triage',
      type: 'chat',
      template: [
        { role: 'system', content: 'Triage tickets for {{product}}. Be brief.' },
        { role: 'user', content: '{{ticket}}' },
      ],
      config: { model: 'chat-default', temperature: 0 },
      commit_message: 'second',
    });
    expect(second.version).toBe(2);

    expect(await flywheel.prompts.list({ folder: 'support' })).toEqual([
      expect.objectContaining({
        name: 'support/triage',
        latest_version: 2,
        labels: { latest: 2, production: 1 },
      }),
    ]);
    expect(await flywheel.prompts.list({ folder: 'billing' })).toEqual([]);
    expect(
      (await flywheel.prompts.versions('support/triage')).map((version) => version.version).sort(),
    ).toEqual([1, 2]);
    expect((await flywheel.prompts.get('support/triage')).version).toBe(1);
    expect((await flywheel.prompts.get('support/triage', { label: 'latest' })).version).toBe(2);
    expect((await flywheel.prompts.get('support/triage', { version: 1 })).commit_message).toBe('first');

    const diff = await flywheel.prompts.diff('support/triage', 'production', 'latest');
    expect(diff).toMatchObject({ name: 'support/triage', from: { version: 1 }, to: { version: 2 } });
    expect(diff.template).toMatchObject({ added: 1, removed: 1 });
    expect(diff.config).toEqual([{ path: 'temperature', change: 'changed', from: 0.2, to: 0 }]);

    const moved = await flywheel.prompts.moveLabel('support/triage', 'staging', 2);
    expect(moved).toMatchObject({ moved: true, label: 'staging', version: 2, move: { from_version: null } });
    expect(await flywheel.prompts.moveLabel('support/triage', 'staging', 2)).toEqual({
      moved: false,
      label: 'staging',
      version: 2,
    });
    expect(await flywheel.prompts.removeLabel('support/triage', 'staging')).toBeUndefined();
    const audit = await flywheel.prompts.audit('support/triage');
    const stagingMoves = audit
      .filter((move) => move.label === 'staging')
      .map((move) => [move.from_version, move.to_version]);
    expect(stagingMoves).toHaveLength(2);
    expect(stagingMoves).toEqual(
      expect.arrayContaining([
        [null, 2],
        [2, null],
      ]),
    );

    expect(await flywheel.prompts.setSettings({ protected_labels: ['production'] })).toEqual({
      protected_labels: ['production'],
    });
    expect(await flywheel.prompts.settings()).toEqual({ protected_labels: ['production'] });
    await flywheel.prompts.setSettings({ protected_labels: [] });

    const missing = await failure(flywheel.prompts.get('support/nope'));
    expect(missing).toMatchObject({ code: 'prompt_not_found', status: 404 });
  });

  it('serves a prompt by label, follows the label after the TTL, and outlives the server', async () => {
    const statuses: number[] = [];
    let clock = 0;
    const flywheel = createFlywheelClient({
      baseUrl: t.url,
      apiKey: t.key,
      now: () => clock,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        statuses.push(response.status);
        return response;
      },
    });
    await flywheel.prompts.create({
      name: 'support/reply',
      type: 'text',
      template: 'Reply to {{customer}} about: {{ticket}}',
      labels: ['production'],
    });
    await flywheel.prompts.create({
      name: 'support/reply',
      type: 'text',
      template: 'Answer {{ticket}} kindly.',
    });
    statuses.length = 0;

    const served = await flywheel.getPrompt('support/reply');
    expect(served).toMatchObject({ version: 1, type: 'text', isFallback: false });
    expect(served.compile({ customer: 'Ada', ticket: '{{refund}}' })).toBe('Reply to Ada about: {{refund}}');

    // Unchanged: the revalidation is a 304.
    clock += 60_000;
    expect(await flywheel.getPrompt('support/reply')).toBe(served);
    await vi.waitFor(() => expect(statuses).toEqual([200, 304]));

    await flywheel.prompts.moveLabel('support/reply', 'production', 2);
    // Still fresh in the cache: the move is not seen yet.
    expect((await flywheel.getPrompt('support/reply')).version).toBe(1);
    clock += 60_000;
    expect((await flywheel.getPrompt('support/reply')).version).toBe(1);
    await vi.waitFor(async () => expect((await flywheel.getPrompt('support/reply')).version).toBe(2));
    const current = await flywheel.getPrompt('support/reply');
    expect(current.compile({ ticket: 'T-7' })).toBe('Answer T-7 kindly.');

    await t.close();
    closed = true;
    clock += 60_000;
    expect(await flywheel.getPrompt('support/reply')).toBe(current);
    expect(await flywheel.getPrompt('support/reply', { cacheTtlSeconds: 0 })).toBe(current);

    const fresh = createFlywheelClient({ baseUrl: t.url, apiKey: t.key });
    const fallback = await fresh.getPrompt('support/reply', { fallback: 'Answer {{ticket}}.' });
    expect(fallback).toMatchObject({ version: null, isFallback: true, template: 'Answer {{ticket}}.' });
    expect((await failure(fresh.getPrompt('support/reply'))).code).toBe('server_unreachable');
  });
});
