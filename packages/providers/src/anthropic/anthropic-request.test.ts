import { type ChatCompletionRequest, type ChatMessage, UpstreamError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { jsonResponseToolName, toAnthropicRequest } from './anthropic-request.js';

const options = { modelId: 'claude-sonnet-4-5', defaultMaxTokens: 4096 };

function translate(body: Partial<ChatCompletionRequest> & { messages: ChatMessage[] }) {
  return toAnthropicRequest({ model: 'alias', ...body }, options);
}

function refusal(body: Partial<ChatCompletionRequest> & { messages: ChatMessage[] }): UpstreamError {
  try {
    translate(body);
  } catch (error) {
    if (UpstreamError.isUpstream(error)) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

const hello: ChatMessage = { role: 'user', content: 'Hello' };

describe('toAnthropicRequest', () => {
  it('sends the upstream model id and the default max_tokens, which Anthropic requires', () => {
    const { request, jsonMode } = translate({ messages: [hello] });
    expect(request).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
    expect(jsonMode).toBe(false);
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    expect(translate({ messages: [hello], max_tokens: 100 }).request.max_tokens).toBe(100);
    expect(
      translate({ messages: [hello], max_tokens: 100, max_completion_tokens: 200 }).request.max_tokens,
    ).toBe(200);
    expect(translate({ messages: [hello], max_tokens: null }).request.max_tokens).toBe(4096);
  });

  it('hoists system and developer messages, string or text parts, into the top-level system', () => {
    const { request } = translate({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        hello,
        { role: 'system', content: 'Never mention the weather.' },
      ],
    });
    expect(request.system).toBe('You are terse.\n\nAnswer in French.\n\nNever mention the weather.');
    expect(request.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
  });

  it('merges consecutive messages of one role, because Anthropic requires alternation', () => {
    const { request } = translate({
      messages: [
        { role: 'user', content: 'First' },
        { role: 'user', content: [{ type: 'text', text: 'Second' }] },
        { role: 'assistant', content: 'Reply' },
        { role: 'system', content: 'between' },
        { role: 'assistant', content: 'More' },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'First' },
          { type: 'text', text: 'Second' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Reply' },
          { type: 'text', text: 'More' },
        ],
      },
    ]);
  });

  it('turns assistant tool_calls into tool_use blocks and tool messages into tool_result blocks of one user turn', () => {
    const { request } = translate({
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            {
              id: 'call.2',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        { role: 'tool', tool_call_id: 'call.2', content: [{ type: 'text', text: '24°C' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '24°C' }] },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('keeps tool results before text when a user message comes first in the merged turn', () => {
    const { request } = translate({
      messages: [
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'call_1', function: { name: 'f', arguments: '' } }],
        },
        { role: 'user', content: 'Also this' },
        { role: 'tool', tool_call_id: 'call_1', content: 'done' },
      ],
    });
    expect(request.messages[1]?.content.map((block) => block.type)).toEqual(['tool_result', 'text']);
    expect(request.messages[0]?.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'f', input: {} }]);
  });

  it('translates a base64 data: URL image and an https image', () => {
    const { request } = translate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(request.messages[0]?.content).toEqual([
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it.each([
    ['a non-base64 data: URL', 'data:image/svg+xml,<svg/>'],
    ['a file: URL', 'file:///etc/passwd'],
  ])('refuses %s as an image', (_what, url) => {
    const error = refusal({
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
    });
    expect(error).toMatchObject({
      code: 'upstream_error',
      retryable: false,
      upstreamStatus: 400,
      status: 400,
    });
  });

  it('translates function tools and every tool_choice', () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Get the current weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
      { type: 'function', function: { name: 'now' } },
    ];
    const { request } = translate({ messages: [hello], tools });
    expect(request.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Get the current weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(request.tool_choice).toBeUndefined();
    const choice = (tool_choice: unknown, parallel_tool_calls?: boolean) =>
      translate({
        messages: [hello],
        tools,
        tool_choice,
        ...(parallel_tool_calls === undefined ? {} : { parallel_tool_calls }),
      }).request.tool_choice;
    expect(choice('auto')).toEqual({ type: 'auto' });
    expect(choice('required')).toEqual({ type: 'any' });
    expect(choice('none')).toEqual({ type: 'none' });
    expect(choice({ type: 'function', function: { name: 'now' } })).toEqual({ type: 'tool', name: 'now' });
    expect(choice('required', false)).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(choice(undefined, false)).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('drops tool_choice when no tools are sent', () => {
    expect(translate({ messages: [hello], tool_choice: 'none' }).request).not.toHaveProperty('tool_choice');
  });

  it('passes sampling settings, stop sequences, stream and the end user on', () => {
    const { request } = translate({
      messages: [hello],
      temperature: 0.3,
      top_p: 0.9,
      stop: 'END',
      stream: true,
      stream_options: { include_usage: true },
      user: 'user-42',
    });
    expect(request).toMatchObject({
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ['END'],
      stream: true,
      metadata: { user_id: 'user-42' },
    });
    expect(translate({ messages: [hello], stop: ['a', 'b'] }).request.stop_sequences).toEqual(['a', 'b']);
    expect(translate({ messages: [hello], stop: null }).request).not.toHaveProperty('stop_sequences');
  });

  it('drops OpenAI-only fields Anthropic would reject', () => {
    const { request } = translate({
      messages: [hello],
      n: 1,
      logprobs: true,
      top_logprobs: 2,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      seed: 7,
      logit_bias: { '50256': -100 },
      stream_options: { include_usage: true },
      service_tier: 'auto',
      metadata: { team: 'a' },
      vendor_extension: true,
    });
    expect(Object.keys(request).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('refuses n > 1 and the legacy functions without retry', () => {
    expect(refusal({ messages: [hello], n: 2 })).toMatchObject({
      retryable: false,
      upstreamStatus: 400,
      upstreamBody: { error: { type: 'invalid_request_error', param: 'n' } },
    });
    expect(refusal({ messages: [hello], functions: [{ name: 'f' }] }).retryable).toBe(false);
  });

  it('emulates json_object mode by forcing a single tool', () => {
    const { request, jsonMode } = translate({ messages: [hello], response_format: { type: 'json_object' } });
    expect(jsonMode).toBe(true);
    expect(request.tools).toEqual([
      {
        name: jsonResponseToolName,
        description: 'Answer with a JSON object.',
        input_schema: { type: 'object' },
      },
    ]);
    expect(request.tool_choice).toEqual({ type: 'tool', name: jsonResponseToolName });
  });

  it('emulates json_schema mode with the schema as the forced tool input schema', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const { request, jsonMode } = translate({
      messages: [hello],
      response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true, schema } },
    });
    expect(jsonMode).toBe(true);
    expect(request.tools?.[0]).toMatchObject({ name: jsonResponseToolName, input_schema: schema });
    expect(request.tool_choice).toEqual({ type: 'tool', name: jsonResponseToolName });
  });

  it('leaves text response_format alone and refuses JSON mode combined with tools', () => {
    expect(translate({ messages: [hello], response_format: { type: 'text' } }).jsonMode).toBe(false);
    const error = refusal({
      messages: [hello],
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'f' } }],
    });
    expect(error.upstreamBody).toMatchObject({ error: { param: 'response_format' } });
  });

  it('refuses content it cannot express instead of dropping it', () => {
    expect(
      refusal({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] })
        .retryable,
    ).toBe(false);
    expect(refusal({ messages: [{ role: 'function', name: 'f', content: '1' }] }).upstreamStatus).toBe(400);
    expect(
      refusal({
        messages: [
          { role: 'assistant', tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{oops' } }] },
        ],
      }).message,
    ).toContain('not valid JSON');
  });
});
