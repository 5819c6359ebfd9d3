import { FlywheelError, type PromptVersionBody } from '@flywheel/spec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFlywheelClient } from '../client/flywheel-client.js';

type Mode = 'up' | 'down' | 'failing' | 'hung' | 'unauthorized';

/**
 * A fake prompt registry behind a fetch function: versions of one prompt, labels pointing at
 * them, ETags and 304s like the server's; `mode` simulates outages, `hold()` keeps answers back.
 */
function fakeRegistry(name = 'support/triage') {
  const versions = new Map<number, string>([[1, 'Triage v1: {{ticket}}']]);
  const labels = new Map<string, number>([
    ['production', 1],
    ['latest', 1],
  ]);
  const requests: Request[] = [];
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  const registry = {
    mode: 'up' as Mode,
    requests,
    /** Saves a version and points `latest` and `production` at it. */
    publish(template: string) {
      const version = versions.size + 1;
      versions.set(version, template);
      labels.set('latest', version);
      labels.set('production', version);
    },
    /** Answers wait until `release()`. */
    hold() {
      held = new Promise((resolve) => {
        release = () => {
          held = undefined;
          resolve();
        };
      });
    },
    release: () => release?.(),
    fetch: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      requests.push(request);
      if (held) await held;
      if (registry.mode === 'down') {
        throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:4000') });
      }
      if (registry.mode === 'hung') {
        return new Promise((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
        });
      }
      if (registry.mode === 'failing') {
        return Response.json({ error: { code: 'storage_unavailable', message: 'db down' } }, { status: 503 });
      }
      if (registry.mode === 'unauthorized') {
        return Response.json({ error: { code: 'invalid_api_key', message: 'no such key' } }, { status: 401 });
      }
      const url = new URL(request.url);
      const versionParam = url.searchParams.get('version');
      const version =
        versionParam !== null
          ? Number(versionParam)
          : labels.get(url.searchParams.get('label') ?? 'production');
      const template = version === undefined ? undefined : versions.get(version);
      if (url.pathname !== `/api/prompts/${name}` || version === undefined || template === undefined) {
        return Response.json(
          { error: { code: 'prompt_not_found', message: 'no such prompt' } },
          { status: 404 },
        );
      }
      const body: PromptVersionBody = {
        name,
        type: 'text',
        version,
        template,
        config: { model: 'chat-default' },
        commit_message: null,
        variables: ['ticket'],
        labels: [...labels].filter(([, at]) => at === version).map(([label]) => label),
        created_by: { key_id: 'key_1', key_name: 'ci' },
        created_at: '2026-01-01T00:00:00.000Z',
      };
      const etag = `"${version}-${body.labels.join(',')}"`;
      if (request.headers.get('if-none-match') === etag)
        return new Response(null, { status: 304, headers: { etag } });
      return Response.json(body, { headers: { etag } });
    },
  };
  return registry;
}

let registry: ReturnType<typeof fakeRegistry>;
let clock: number;
let unhandled: unknown[];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  registry = fakeRegistry();
  clock = 1_000_000;
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  registry.release();
  process.off('unhandledRejection', onUnhandled);
});

function client() {
  return createFlywheelClient({
    baseUrl: 'http://flywheel.test',
    apiKey: 'fw_sk_test',
    fetch: registry.fetch,
    now: () => clock,
    promptTimeoutMs: 50,
  });
}

/** Waits until every background request has been answered and handled. */
async function settled(flywheel: ReturnType<typeof client>) {
  await vi.waitFor(() => {
    expect(flywheel.promptCache.list().every((entry) => entry.ageMs === 0)).toBe(true);
  });
}

async function failure(promise: Promise<unknown>): Promise<FlywheelError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FlywheelError.is(error)) throw new Error(`expected a FlywheelError, got ${String(error)}`);
  return error;
}

describe('getPrompt caching', () => {
  it('serves a fresh prompt from the cache without a request', async () => {
    const flywheel = client();
    const first = await flywheel.getPrompt('support/triage');
    expect(first).toMatchObject({
      version: 1,
      type: 'text',
      isFallback: false,
      labels: ['production', 'latest'],
    });
    clock += 59_999;
    expect(await flywheel.getPrompt('support/triage')).toBe(first);
    expect(registry.requests).toHaveLength(1);
    expect(registry.requests[0]!.url).toBe(
      'http://flywheel.test/api/prompts/support/triage?label=production',
    );
  });

  it('serves a stale prompt at once and revalidates it with one request under 10 concurrent calls', async () => {
    const flywheel = client();
    await flywheel.getPrompt('support/triage');
    registry.publish('Triage v2: {{ticket}}');
    clock += 60_000;
    registry.hold();
    // Every call answers while the revalidation is still held back by the server.
    const prompts = await Promise.all(Array.from({ length: 10 }, () => flywheel.getPrompt('support/triage')));
    expect(prompts.map((prompt) => prompt.version)).toEqual(Array(10).fill(1));
    expect(registry.requests).toHaveLength(2);
    expect(registry.requests[1]!.headers.get('if-none-match')).toBe('"1-production,latest"');
    registry.release();
    await settled(flywheel);
    expect((await flywheel.getPrompt('support/triage')).template).toBe('Triage v2: {{ticket}}');
    expect(registry.requests).toHaveLength(2);
  });

  it('keeps the cached prompt on a 304 and counts its age from the revalidation', async () => {
    const flywheel = client();
    const first = await flywheel.getPrompt('support/triage');
    clock += 61_000;
    expect(await flywheel.getPrompt('support/triage')).toBe(first);
    await settled(flywheel);
    expect(flywheel.promptCache.list()).toEqual([
      { name: 'support/triage', label: 'production', version: 1, ageMs: 0 },
    ]);
    clock += 59_000;
    expect(await flywheel.getPrompt('support/triage')).toBe(first);
    expect(registry.requests).toHaveLength(2);
  });

  it('replaces the cached prompt when the label has moved to a new version', async () => {
    const flywheel = client();
    await flywheel.getPrompt('support/triage', { cacheTtlSeconds: 5 });
    registry.publish('Triage v2: {{ticket}}');
    clock += 5_000;
    expect((await flywheel.getPrompt('support/triage', { cacheTtlSeconds: 5 })).version).toBe(1);
    await settled(flywheel);
    const next = await flywheel.getPrompt('support/triage', { cacheTtlSeconds: 5 });
    expect(next).toMatchObject({ version: 2, template: 'Triage v2: {{ticket}}', isFallback: false });
  });

  it.each(['down', 'failing', 'hung'] as const)(
    'keeps serving the last good version while the server is %s, retrying on each stale read',
    async (mode) => {
      const flywheel = client();
      await flywheel.getPrompt('support/triage');
      clock += 60_000;
      registry.mode = mode;
      expect((await flywheel.getPrompt('support/triage')).version).toBe(1);
      await vi.waitFor(() => expect(registry.requests).toHaveLength(2));
      // Wait out the failure (the hung server times out after 50 ms).
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await flywheel.getPrompt('support/triage')).version).toBe(1);
      await vi.waitFor(() => expect(registry.requests).toHaveLength(3));
      registry.mode = 'up';
      registry.publish('Triage v2: {{ticket}}');
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await flywheel.getPrompt('support/triage')).version).toBe(1);
      await settled(flywheel);
      expect((await flywheel.getPrompt('support/triage')).version).toBe(2);
      expect(unhandled).toEqual([]);
    },
  );

  it('revalidates before answering when cacheTtlSeconds is 0, and still serves the last good version when that fails', async () => {
    const flywheel = client();
    await flywheel.getPrompt('support/triage', { cacheTtlSeconds: 0 });
    registry.publish('Triage v2: {{ticket}}');
    expect((await flywheel.getPrompt('support/triage', { cacheTtlSeconds: 0 })).version).toBe(2);
    expect((await flywheel.getPrompt('support/triage', { cacheTtlSeconds: 0 })).version).toBe(2);
    expect(registry.requests.map((request) => request.headers.get('if-none-match'))).toEqual([
      null,
      '"1-production,latest"',
      '"2-production,latest"',
    ]);
    registry.mode = 'down';
    expect((await flywheel.getPrompt('support/triage', { cacheTtlSeconds: 0 })).version).toBe(2);
  });

  it('fetches a prompt it does not hold once for concurrent callers', async () => {
    const flywheel = client();
    registry.hold();
    const calls = Array.from({ length: 10 }, () => flywheel.getPrompt('support/triage'));
    await vi.waitFor(() => expect(registry.requests).toHaveLength(1));
    registry.release();
    const prompts = await Promise.all(calls);
    expect(new Set(prompts).size).toBe(1);
    expect(registry.requests).toHaveLength(1);
  });

  it('caches each label and version of a prompt apart', async () => {
    const flywheel = client();
    registry.publish('Triage v2: {{ticket}}');
    expect((await flywheel.getPrompt('support/triage', { version: 1 })).version).toBe(1);
    expect((await flywheel.getPrompt('support/triage')).version).toBe(2);
    expect((await flywheel.getPrompt('support/triage', { label: 'latest' })).version).toBe(2);
    expect(registry.requests.map((request) => new URL(request.url).search)).toEqual([
      '?version=1',
      '?label=production',
      '?label=latest',
    ]);
    expect(flywheel.promptCache.list().map((entry) => [entry.label, entry.version])).toEqual([
      [null, 1],
      ['production', 2],
      ['latest', 2],
    ]);
    flywheel.promptCache.clear();
    expect(flywheel.promptCache.list()).toEqual([]);
    await flywheel.getPrompt('support/triage');
    expect(registry.requests).toHaveLength(4);
  });

  it('does not let a fetch that started before clear() refill the cache', async () => {
    const flywheel = client();
    registry.hold();
    const before = flywheel.getPrompt('support/triage');
    await vi.waitFor(() => expect(registry.requests).toHaveLength(1));
    flywheel.promptCache.clear();
    registry.release();
    expect((await before).version).toBe(1);
    expect(flywheel.promptCache.list()).toEqual([]);
  });

  it('refuses a label and a version together, and a negative TTL', async () => {
    const flywheel = client();
    expect((await failure(flywheel.getPrompt('support/triage', { label: 'latest', version: 1 }))).code).toBe(
      'validation_failed',
    );
    expect((await failure(flywheel.getPrompt('support/triage', { cacheTtlSeconds: -1 }))).code).toBe(
      'validation_failed',
    );
    expect(registry.requests).toHaveLength(0);
  });
});

describe('getPrompt fallbacks', () => {
  it.each(['down', 'failing', 'hung'] as const)(
    'serves the fallback when it holds nothing and the server is %s, without caching it',
    async (mode) => {
      const flywheel = client();
      registry.mode = mode;
      const prompt = await flywheel.getPrompt('support/triage', {
        fallback: 'Triage: {{ticket}}',
      });
      expect(prompt).toMatchObject({
        name: 'support/triage',
        version: null,
        type: 'text',
        template: 'Triage: {{ticket}}',
        config: {},
        labels: [],
        variables: ['ticket'],
        isFallback: true,
      });
      expect(flywheel.promptCache.list()).toEqual([]);
      registry.mode = 'up';
      expect(await flywheel.getPrompt('support/triage', { fallback: 'Triage: {{ticket}}' })).toMatchObject({
        version: 1,
        isFallback: false,
      });
    },
  );

  it('throws server_unreachable when it holds nothing, the server is down and there is no fallback', async () => {
    const flywheel = client();
    registry.mode = 'down';
    const down = await failure(flywheel.getPrompt('support/triage'));
    expect(down.code).toBe('server_unreachable');
    expect(down.message).toContain('ECONNREFUSED');
    registry.mode = 'hung';
    const started = Date.now();
    const hung = await failure(flywheel.getPrompt('support/triage'));
    expect(hung.code).toBe('server_unreachable');
    expect(hung.message).toContain('no answer within 50 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('serves the fallback for a prompt the server does not have, and throws prompt_not_found without one', async () => {
    const flywheel = client();
    const prompt = await flywheel.getPrompt('support/missing', {
      fallback: {
        type: 'chat',
        template: [{ role: 'user', content: 'Hi {{name}}' }],
        config: { temperature: 0 },
      },
    });
    expect(prompt).toMatchObject({ type: 'chat', isFallback: true, config: { temperature: 0 } });
    expect((await failure(flywheel.getPrompt('support/missing'))).code).toBe('prompt_not_found');
  });

  it('throws a refused key even with a fallback', async () => {
    const flywheel = client();
    registry.mode = 'unauthorized';
    expect((await failure(flywheel.getPrompt('support/triage', { fallback: 'x' }))).code).toBe(
      'invalid_api_key',
    );
  });

  it('refuses a malformed fallback before fetching, even while the server is up', async () => {
    const flywheel = client();
    const mismatched = await failure(
      flywheel.getPrompt('support/triage', {
        fallback: { type: 'text', template: [{ role: 'user', content: 'x' }] },
      }),
    );
    expect(mismatched.code).toBe('validation_failed');
    const unparsable = await failure(flywheel.getPrompt('support/triage', { fallback: 'Hi {{#open}}' }));
    expect(unparsable.code).toBe('template_invalid');
    expect(registry.requests).toHaveLength(0);
  });
});
