import * as cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import * as o200k from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { estimateChatUsage, estimateTextTokens, tokenizerEncodingForModel } from './token-estimator.js';

// OpenAI's framing: 3 tokens per message and 3 priming the reply.
const framing = { perMessage: 3, replyPriming: 3 };

describe('tokenizerEncodingForModel', () => {
  it('uses o200k_base for gpt-4o, gpt-4.1, gpt-5 and the o-series', () => {
    for (const model of [
      'gpt-4o',
      'gpt-4o-mini-2024-07-18',
      'gpt-4.1-nano',
      'gpt-5',
      'o1',
      'o3-mini',
      'o4-mini',
    ]) {
      expect(tokenizerEncodingForModel(model), model).toBe('o200k_base');
    }
  });

  it('uses cl100k_base for gpt-4, gpt-3.5 and the embedding models', () => {
    for (const model of [
      'gpt-4',
      'gpt-4-0613',
      'gpt-4-turbo',
      'gpt-3.5-turbo-0125',
      'text-embedding-3-small',
    ]) {
      expect(tokenizerEncodingForModel(model), model).toBe('cl100k_base');
    }
  });

  it('falls back to o200k_base for unknown models and reads router-prefixed ids', () => {
    expect(tokenizerEncodingForModel('claude-sonnet-4-20250514')).toBe('o200k_base');
    expect(tokenizerEncodingForModel('llama3.1:8b')).toBe('o200k_base');
    expect(tokenizerEncodingForModel('openai/gpt-4')).toBe('cl100k_base');
    expect(tokenizerEncodingForModel('GPT-3.5-Turbo')).toBe('cl100k_base');
  });
});

describe('estimateChatUsage', () => {
  it('counts a one-message chat as the encoder does, plus OpenAI framing', async () => {
    const usage = await estimateChatUsage({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hello world' }],
      outputText: 'Hi there!',
    });
    const expectedInput =
      framing.perMessage +
      o200k.countTokens('user') +
      o200k.countTokens('hello world') +
      framing.replyPriming;
    expect(usage).toEqual({
      inputTokens: expectedInput,
      outputTokens: o200k.countTokens('Hi there!'),
      estimated: true,
    });
    // A sanity bound independent of the tokenizer: "user" and "hello world" are 1 and 2 tokens.
    expect(usage.inputTokens).toBe(9);
  });

  it('uses the encoding of the model', async () => {
    const text = 'Grüße aus Köln — ça va? 東京は晴れ';
    const messages = [{ role: 'user', content: text }];
    const gpt4 = await estimateChatUsage({ model: 'gpt-4', messages, outputText: text });
    const gpt4o = await estimateChatUsage({ model: 'gpt-4o', messages, outputText: text });
    expect(cl100k.countTokens(text)).not.toBe(o200k.countTokens(text));
    expect(gpt4.outputTokens).toBe(cl100k.countTokens(text));
    expect(gpt4o.outputTokens).toBe(o200k.countTokens(text));
  });

  it('counts the text parts of array content and not the images', async () => {
    const withImage = await estimateChatUsage({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in ' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'text', text: 'this picture?' },
          ],
        },
      ],
      outputText: '',
    });
    const textOnly = await estimateChatUsage({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'What is in this picture?' }],
      outputText: '',
    });
    expect(withImage.inputTokens).toBe(textOnly.inputTokens);
    expect(withImage.outputTokens).toBe(0);
  });

  it('counts names, tool calls and tool-call output, and adds framing for every message', async () => {
    const usage = await estimateChatUsage({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', name: 'ada', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C, cloudy' },
      ],
      outputText: 'It is 18°C and cloudy.',
      outputToolCalls: '{"name":"log","arguments":"{}"}',
    });
    const count = o200k.countTokens;
    const expectedInput =
      4 * framing.perMessage +
      framing.replyPriming +
      count('system') +
      count('Be brief.') +
      count('user') +
      1 +
      count('ada') +
      count('Weather in Paris?') +
      count('assistant') +
      count('weather') +
      count('{"city":"Paris"}') +
      count('tool') +
      count('18°C, cloudy');
    expect(usage.inputTokens).toBe(expectedInput);
    expect(usage.outputTokens).toBe(
      count('It is 18°C and cloudy.') + count('{"name":"log","arguments":"{}"}'),
    );
  });

  it('counts special-token text in content as ordinary text instead of throwing', async () => {
    const usage = await estimateChatUsage({ model: 'gpt-4o', messages: [], outputText: 'a <|endoftext|> b' });
    expect(usage.outputTokens).toBeGreaterThan(3);
    expect(usage.inputTokens).toBe(framing.replyPriming);
  });
});

describe('estimateTextTokens', () => {
  it('counts plain text without chat framing', async () => {
    expect(await estimateTextTokens('text-embedding-3-small', 'hello world')).toBe(
      cl100k.countTokens('hello world'),
    );
    expect(await estimateTextTokens('text-embedding-3-small', '')).toBe(0);
  });
});
