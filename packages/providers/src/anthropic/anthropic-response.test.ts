import { describe, expect, it } from 'vitest';
import type { AnthropicMessage } from './anthropic-messages-types.js';
import { jsonResponseToolName } from './anthropic-request.js';
import { toChatCompletion, toFinishReason, toOpenAIUsage } from './anthropic-response.js';
import { anthropicFixture } from './testing-internal/fake-anthropic-server.js';

const options = { modelId: 'claude-sonnet-4-5', jsonMode: false, created: 1_700_000_000 };

function fixture(name: string): AnthropicMessage {
  return JSON.parse(anthropicFixture(name)) as AnthropicMessage;
}

describe('toChatCompletion', () => {
  it('translates a text answer, with usage counting cached input as prompt tokens', () => {
    expect(toChatCompletion(fixture('messages-text.json'), options)).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hi! My name is Claude.' },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 2095 + 2051 + 2051,
        completion_tokens: 503,
        total_tokens: 2095 + 2051 + 2051 + 503,
        prompt_tokens_details: { cached_tokens: 2051 },
      },
    });
  });

  it('stamps the current time when none is given', () => {
    const before = Math.floor(Date.now() / 1000);
    const { created } = toChatCompletion(fixture('messages-text.json'), { modelId: 'm', jsonMode: false });
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('translates tool_use blocks into tool_calls with JSON-encoded arguments', () => {
    const completion = toChatCompletion(fixture('messages-tool-use.json'), options);
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: "I'll check the current weather in San Francisco for you.",
        tool_calls: [
          {
            id: 'toolu_01A09q90qw90lq917835lq9',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
          },
        ],
      },
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 472,
      completion_tokens: 89,
      total_tokens: 561,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('returns the forced tool input as the content in JSON mode, finishing with stop', () => {
    const message: AnthropicMessage = {
      ...fixture('messages-tool-use.json'),
      content: [
        {
          type: 'tool_use',
          id: 'toolu_1',
          name: jsonResponseToolName,
          input: { city: 'Paris', population: 2102650 },
        },
      ],
    };
    const completion = toChatCompletion(message, { ...options, jsonMode: true });
    expect(completion.choices[0]?.message).toEqual({
      role: 'assistant',
      content: '{"city":"Paris","population":2102650}',
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers null content when there is no text', () => {
    const message: AnthropicMessage = { ...fixture('messages-text.json'), content: [] };
    expect(toChatCompletion(message, options).choices[0]?.message.content).toBeNull();
  });

  it('joins text blocks and skips blocks OpenAI has no place for', () => {
    const message: AnthropicMessage = {
      ...fixture('messages-text.json'),
      content: [
        { type: 'thinking', text: undefined },
        { type: 'text', text: 'Hello, ' },
        { type: 'text', text: 'world.' },
      ],
    };
    expect(toChatCompletion(message, options).choices[0]?.message.content).toBe('Hello, world.');
  });
});

describe('toFinishReason', () => {
  it.each([
    ['end_turn', false, 'stop'],
    ['stop_sequence', false, 'stop'],
    ['max_tokens', false, 'length'],
    ['max_tokens', true, 'length'],
    ['tool_use', false, 'tool_calls'],
    ['tool_use', true, 'stop'],
    ['refusal', false, 'content_filter'],
    [null, false, 'stop'],
  ])('maps %s (JSON mode %s) to %s', (stopReason, jsonMode, expected) => {
    expect(toFinishReason(stopReason, jsonMode)).toBe(expected);
  });
});

describe('toOpenAIUsage', () => {
  it('counts zero for missing fields', () => {
    expect(toOpenAIUsage(undefined)).toEqual({
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });
});
