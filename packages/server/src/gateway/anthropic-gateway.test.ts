import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// An Anthropic-shaped upstream: the Messages API's documented answer and stream shapes.
const message = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-test',
  content: [{ type: 'text', text: 'Bonjour!' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 11, output_tokens: 3 },
};
const events = [
  [
    'message_start',
    {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 11, output_tokens: 1 } },
    },
  ],
  [
    'content_block_start',
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  ],
  ['ping', { type: 'ping' }],
  [
    'content_block_delta',
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Bon' } },
  ],
  [
    'content_block_delta',
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'jour!' } },
  ],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  [
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 3 },
    },
  ],
  ['message_stop', { type: 'message_stop' }],
] as const;

describe('an anthropic target behind the gateway', () => {
  let upstream: Server;
  let port: number;
  const received: Array<{ headers: Record<string, unknown>; body: Record<string, unknown> }> = [];
  let t: GatewayTestApp;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      let text = '';
      request.on('data', (part) => (text += part));
      request.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        received.push({ headers: request.headers, body });
        if (body.stream) {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const [name, data] of events)
            response.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
          response.end();
        } else {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(message));
        }
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    port = (upstream.address() as AddressInfo).port;
    t = await startGatewayTestApp(
      `models:\n  - name: claude\n    targets:\n      - { provider: anthropic, model: claude-test, base_url: "http://127.0.0.1:${port}/v1", api_key: sk-ant-test }\n`,
      { fakes: [] },
    );
    client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: t.key, maxRetries: 0 });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('translates a chat request to the Messages API and the answer back', async () => {
    const answer = await client.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hello' },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe('Bonjour!');
    expect(answer.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3 });
    const sent = received.at(-1)!;
    expect(sent.headers['x-api-key']).toBe('sk-ant-test');
    expect(sent.body).toMatchObject({
      model: 'claude-test',
      system: 'Answer in French.',
      messages: [{ role: 'user' }],
    });
    expect(sent.body.max_tokens).toEqual(expect.any(Number));
  });

  it('streams the translated events, with usage only when the client asks for it', async () => {
    const plain = await client.chat.completions.create({
      model: 'claude',
      stream: true,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    let text = '';
    let sawUsage = false;
    for await (const chunk of plain) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe('Bonjour!');
    expect(sawUsage).toBe(false);

    const withUsage = await client.chat.completions.create({
      model: 'claude',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hello' }],
    });
    let usage: unknown;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3 });
  });

  it('refuses embeddings for an anthropic target with a clear error', async () => {
    const configYaml = `models:\n  - name: claude-embed\n    targets:\n      - { provider: anthropic, model: claude-test, base_url: "http://127.0.0.1:${port}/v1", api_key: k }\n`;
    const local = await startGatewayTestApp(configYaml, { fakes: [] });
    try {
      const localClient = new OpenAI({ baseURL: `${local.url}/v1`, apiKey: local.key, maxRetries: 0 });
      const error = await localClient.embeddings
        .create({ model: 'claude-embed', input: 'x' })
        .catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(String((error as Error).message)).toMatch(/embeddings/i);
    } finally {
      await local.close();
    }
  });
});
