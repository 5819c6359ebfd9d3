import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { createFlywheelClient } from './flywheel-client.js';

function clientAnswering(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Request[] = [];
  const client = createFlywheelClient({
    baseUrl: 'http://flywheel.test/',
    apiKey: 'fw_sk_test',
    fetch: async (input, init) => {
      calls.push(new Request(input, init));
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers });
    },
  });
  return { client, calls };
}

async function failure(promise: Promise<unknown>): Promise<FlywheelError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FlywheelError.is(error)) throw new Error(`expected a FlywheelError, got ${String(error)}`);
  return error;
}

describe('flywheel client', () => {
  it('sends the key as a bearer token and parses the answer', async () => {
    const { client, calls } = clientAnswering(200, {
      id: 'proj_1',
      name: 'default',
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(await client.projects.current()).toEqual({
      id: 'proj_1',
      name: 'default',
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(calls[0]?.url).toBe('http://flywheel.test/api/projects/current');
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer fw_sk_test');
  });

  it('passes project_id and encodes key ids', async () => {
    const { client, calls } = clientAnswering(200, { data: [] });
    await client.keys.list({ projectId: 'proj_b' });
    expect(calls[0]?.url).toBe('http://flywheel.test/api/keys?project_id=proj_b');
    const revoke = clientAnswering(404, { error: { code: 'api_key_not_found', message: 'nope' } });
    await failure(revoke.client.keys.revoke('key/../x'));
    expect(revoke.calls[0]?.url).toBe('http://flywheel.test/api/keys/key%2F..%2Fx');
  });

  it("turns the server's error body into a FlywheelError with its code", async () => {
    const { client } = clientAnswering(
      503,
      { error: { code: 'storage_busy', message: 'locked' } },
      { 'retry-after': '2' },
    );
    const error = await failure(client.projects.list());
    expect(error).toMatchObject({
      code: 'storage_busy',
      status: 503,
      message: 'locked',
      retryAfterSeconds: 2,
    });
  });

  it('reports an unreachable server as server_unreachable', async () => {
    const client = createFlywheelClient({
      baseUrl: 'http://flywheel.test',
      apiKey: 'fw_sk_test',
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:4000') });
      },
    });
    const error = await failure(client.health());
    expect(error.code).toBe('server_unreachable');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('refuses an answer of an unexpected shape', async () => {
    const { client } = clientAnswering(200, { id: 42 });
    expect((await failure(client.projects.current())).code).toBe('internal_error');
  });
});
