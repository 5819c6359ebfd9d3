import { UpstreamError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import type { AnthropicStreamEvent } from './anthropic-messages-types.js';
import { createAnthropicStreamTranslator } from './anthropic-stream-translator.js';

const start: AnthropicStreamEvent = {
  type: 'message_start',
  message: {
    id: 'msg_1',
    model: 'claude-sonnet-4-5-20250929',
    content: [],
    usage: { input_tokens: 0, output_tokens: 1 },
  },
};

function translator(overrides: { jsonMode?: boolean; includeUsage?: boolean } = {}) {
  return createAnthropicStreamTranslator({
    modelId: 'claude-sonnet-4-5',
    jsonMode: false,
    includeUsage: true,
    created: 1,
    ...overrides,
  });
}

describe('createAnthropicStreamTranslator', () => {
  it('numbers tool calls in the order they start, whatever their block index', () => {
    const t = translator();
    t.translate(start);
    t.translate({ type: 'content_block_start', index: 0, content_block: { type: 'thinking' } });
    const first = t.translate({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_a', name: 'a' },
    });
    const second = t.translate({
      type: 'content_block_start',
      index: 2,
      content_block: { type: 'tool_use', id: 'toolu_b', name: 'b' },
    });
    const delta = t.translate({
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'input_json_delta', partial_json: '{}' },
    });
    expect(first[0]?.choices[0]?.delta.tool_calls?.[0]).toMatchObject({ index: 0, id: 'toolu_a' });
    expect(second[0]?.choices[0]?.delta.tool_calls?.[0]).toMatchObject({ index: 1, id: 'toolu_b' });
    expect(delta[0]?.choices[0]?.delta.tool_calls).toEqual([{ index: 1, function: { arguments: '{}' } }]);
  });

  it('skips thinking deltas, pings and event types it does not know', () => {
    const t = translator();
    t.translate(start);
    t.translate({ type: 'content_block_start', index: 0, content_block: { type: 'thinking' } });
    expect(t.translate({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta' } })).toEqual(
      [],
    );
    expect(t.translate({ type: 'ping' })).toEqual([]);
    expect(t.translate({ type: 'brand_new_event' })).toEqual([]);
  });

  it('takes the latest usage counts, including input counts repeated in message_delta', () => {
    const t = translator();
    t.translate(start);
    t.translate({
      type: 'message_delta',
      delta: { stop_reason: 'max_tokens' },
      usage: { input_tokens: 1766, cache_read_input_tokens: 100, output_tokens: 42 },
    });
    const [finish, usage] = t.translate({ type: 'message_stop' });
    expect(finish?.choices[0]?.finish_reason).toBe('length');
    expect(usage?.usage).toEqual({
      prompt_tokens: 1866,
      completion_tokens: 42,
      total_tokens: 1908,
      prompt_tokens_details: { cached_tokens: 100 },
    });
    expect(t.finished).toBe(true);
  });

  it('gives the role to the first chunk even without message_start', () => {
    const t = translator();
    t.translate({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const [first] = t.translate({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'Hi' },
    });
    expect(first?.choices[0]?.delta).toEqual({ role: 'assistant', content: 'Hi' });
    expect(first?.model).toBe('claude-sonnet-4-5');
  });

  it.each([
    ['overloaded_error', 'upstream_error', true, 529],
    ['rate_limit_error', 'upstream_rate_limited', true, 429],
    ['api_error', 'upstream_error', true, 500],
    ['invalid_request_error', 'upstream_error', false, 400],
  ])('throws a %s event as %s (retryable %s)', (type, code, retryable, upstreamStatus) => {
    const t = translator();
    t.translate(start);
    let thrown: unknown;
    try {
      t.translate({ type: 'error', error: { type, message: 'boom' } });
    } catch (error) {
      thrown = error;
    }
    expect(UpstreamError.isUpstream(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code, retryable, upstreamStatus, phase: 'stream' });
  });
});
