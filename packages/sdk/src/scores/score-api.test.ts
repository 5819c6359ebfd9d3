import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { createFlywheelClient } from '../client/flywheel-client.js';

const stored = {
  id: 'sc_1',
  trace_id: 'tr_1',
  span_id: null,
  name: 'helpful',
  data_type: 'numeric',
  value: 1,
  source: 'human',
  comment: 'Answered the question',
  created_at: '2026-11-21T10:00:00.000Z',
};

function clientAnswering(status: number, body: unknown) {
  const calls: Request[] = [];
  const client = createFlywheelClient({
    baseUrl: 'http://flywheel.test',
    apiKey: 'fw_sk_test',
    fetch: async (input, init) => {
      calls.push(new Request(input, init));
      return new Response(JSON.stringify(body), { status });
    },
  });
  return { client, calls };
}

describe('scores in the client', () => {
  it('posts a score with a new random id and returns the stored score', async () => {
    const { client, calls } = clientAnswering(201, stored);
    const score = await client.scores.create({
      trace_id: 'tr_1',
      name: 'helpful',
      value: 1,
      source: 'human',
      comment: 'Answered the question',
    });
    expect(score).toEqual(stored);
    expect(calls[0]!.method).toBe('POST');
    expect(new URL(calls[0]!.url).pathname).toBe('/api/scores');
    const sent = (await calls[0]!.json()) as Record<string, unknown>;
    expect(sent).toMatchObject({ trace_id: 'tr_1', name: 'helpful', value: 1, source: 'human' });
    expect(sent.id).toMatch(/^[0-9a-f]{32}$/);

    await client.scores.create({ trace_id: 'tr_1', name: 'helpful', value: 0 });
    const again = (await calls[1]!.json()) as Record<string, unknown>;
    expect(again.id).not.toBe(sent.id);
  });

  it('keeps a given id, so re-sending replaces the score', async () => {
    const { client, calls } = clientAnswering(201, stored);
    await client.scores.create({
      id: 'sc_1',
      trace_id: 'tr_1',
      span_id: 'sp_1',
      name: 'label',
      value: 'billing',
    });
    expect(await calls[0]!.json()).toEqual({
      id: 'sc_1',
      trace_id: 'tr_1',
      span_id: 'sp_1',
      name: 'label',
      value: 'billing',
    });
  });

  it("throws the server's error for a trace the project does not have", async () => {
    const { client } = clientAnswering(404, {
      error: {
        code: 'trace_not_found',
        message: "No trace with id 'tr_x' in this project.",
        request_id: 'r',
      },
    });
    const error = await client.scores
      .create({ trace_id: 'tr_x', name: 'helpful', value: true })
      .catch((e) => e);
    expect(FlywheelError.is(error)).toBe(true);
    expect((error as FlywheelError).code).toBe('trace_not_found');
    expect((error as FlywheelError).message).toBe("No trace with id 'tr_x' in this project.");
  });
});
