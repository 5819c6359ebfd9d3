import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { createFlywheelClient } from '../client/flywheel-client.js';
import { promptPath } from './prompt-api.js';

const version = {
  name: 'support/triage',
  type: 'text',
  version: 2,
  template: 'Triage {{ticket}}',
  config: {},
  commit_message: 'second',
  variables: ['ticket'],
  labels: ['latest'],
  created_by: { key_id: 'key_1', key_name: 'ci' },
  created_at: '2026-01-01T00:00:00.000Z',
};

function clientAnswering(status: number, body?: unknown) {
  const calls: Request[] = [];
  const client = createFlywheelClient({
    baseUrl: 'http://flywheel.test',
    apiKey: 'fw_sk_test',
    fetch: async (input, init) => {
      calls.push(new Request(input, init));
      return new Response(body === undefined ? null : JSON.stringify(body), { status });
    },
  });
  return { client, calls };
}

describe('prompt registry client', () => {
  it('keeps the slashes of folder names and encodes the rest of each segment', () => {
    expect(promptPath('support/triage', 'labels', 'production')).toBe(
      '/api/prompts/support/triage/labels/production',
    );
    expect(promptPath('a b/c?d')).toBe('/api/prompts/a%20b/c%3Fd');
  });

  it('saves a version and fetches by label or version', async () => {
    const { client, calls } = clientAnswering(200, version);
    const input = { name: 'support/triage', type: 'text' as const, template: 'Triage {{ticket}}' };
    expect(await client.prompts.create(input)).toEqual(version);
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.url).toBe('http://flywheel.test/api/prompts');
    expect(await calls[0]!.json()).toEqual(input);
    await client.prompts.get('support/triage', { label: 'staging' });
    await client.prompts.get('support/triage', { version: 2 });
    await client.prompts.get('support/triage');
    expect(calls.slice(1).map((call) => call.url)).toEqual([
      'http://flywheel.test/api/prompts/support/triage?label=staging',
      'http://flywheel.test/api/prompts/support/triage?version=2',
      'http://flywheel.test/api/prompts/support/triage',
    ]);
  });

  it('lists prompts, versions and label moves from their data envelopes', async () => {
    const summary = {
      name: 'support/triage',
      type: 'text',
      latest_version: 2,
      labels: { latest: 2 },
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    };
    const list = clientAnswering(200, { data: [summary] });
    expect(await list.client.prompts.list({ folder: 'support' })).toEqual([summary]);
    expect(list.calls[0]!.url).toBe('http://flywheel.test/api/prompts?folder=support');
    const versions = clientAnswering(200, { data: [version] });
    expect(await versions.client.prompts.versions('support/triage')).toEqual([version]);
    expect(versions.calls[0]!.url).toBe('http://flywheel.test/api/prompts/support/triage/versions');
    const move = {
      label: 'production',
      from_version: null,
      to_version: 2,
      moved_by: { key_id: 'key_1', key_name: 'ci' },
      moved_at: '2026-01-01T00:00:00.000Z',
    };
    const audit = clientAnswering(200, { data: [move] });
    expect(await audit.client.prompts.audit('support/triage')).toEqual([move]);
    expect(audit.calls[0]!.url).toBe('http://flywheel.test/api/prompts/support/triage/audit');
  });

  it('asks for a diff between two versions or labels', async () => {
    const diff = {
      name: 'support/triage',
      from: { version: 1 },
      to: { version: 2 },
      template: { lines: [], added: 0, removed: 0 },
      config: [],
    };
    const { client, calls } = clientAnswering(200, diff);
    expect(await client.prompts.diff('support/triage', '1', 'production')).toEqual(diff);
    expect(calls[0]!.url).toBe('http://flywheel.test/api/prompts/support/triage/diff?from=1&to=production');
  });

  it('moves a label with a PUT of the version and removes it with a DELETE answered 204', async () => {
    const moved = clientAnswering(200, { moved: false, label: 'production', version: 2 });
    expect(await moved.client.prompts.moveLabel('support/triage', 'production', 2)).toEqual({
      moved: false,
      label: 'production',
      version: 2,
    });
    expect(moved.calls[0]!.method).toBe('PUT');
    expect(moved.calls[0]!.url).toBe('http://flywheel.test/api/prompts/support/triage/labels/production');
    expect(await moved.calls[0]!.json()).toEqual({ version: 2 });
    const removed = clientAnswering(204);
    expect(await removed.client.prompts.removeLabel('support/triage', 'staging')).toBeUndefined();
    expect(removed.calls[0]!.method).toBe('DELETE');
    expect(removed.calls[0]!.url).toBe('http://flywheel.test/api/prompts/support/triage/labels/staging');
  });

  it('reads and replaces the prompt settings', async () => {
    const { client, calls } = clientAnswering(200, { protected_labels: ['production'] });
    expect(await client.prompts.settings()).toEqual({ protected_labels: ['production'] });
    expect(await client.prompts.setSettings({ protected_labels: ['production'] })).toEqual({
      protected_labels: ['production'],
    });
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'GET http://flywheel.test/api/prompt-settings',
      'PUT http://flywheel.test/api/prompt-settings',
    ]);
  });

  it("turns a 404 into the server's prompt_not_found and refuses a 304 nobody asked for", async () => {
    const missing = clientAnswering(404, { error: { code: 'prompt_not_found', message: 'No prompt.' } });
    const error = await missing.client.prompts.get('nope').catch((reason: unknown) => reason);
    expect(FlywheelError.is(error) && error.code).toBe('prompt_not_found');
    const unasked = clientAnswering(304);
    const odd = await unasked.client.prompts.get('nope').catch((reason: unknown) => reason);
    expect(FlywheelError.is(odd) && odd.code).toBe('internal_error');
  });
});
