import type { FakeBehavior, FakeOpenAIServer, RecordedRequest } from '@flywheel/providers/testing';
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
} from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// The official `openai` client, with only baseURL and apiKey changed, must work against the
// gateway exactly as it does against OpenAI.

const config = `models:
  - name: chat
    targets:
      - { provider: openai-compatible, model: upstream-chat-model, base_url: "{{primary}}", api_key: upstream-key }
    retries: { max: 0 }
  - name: embed
    targets:
      - { provider: openai-compatible, model: upstream-embedding-model, base_url: "{{primary}}", api_key: upstream-key }
    retries: { max: 0 }
`;

const messages = [{ role: 'user' as const, content: 'hi' }];

let t: GatewayTestApp;
let fake: FakeOpenAIServer;
let client: OpenAI;

const defaultBehavior = (request: RecordedRequest): FakeBehavior =>
  request.body?.stream === true ? { kind: 'stream' } : { kind: 'json' };

beforeAll(async () => {
  t = await startGatewayTestApp(config, { fakes: ['primary'] });
  fake = t.fakes.primary!;
  client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: t.key, maxRetries: 0 });
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.behave(defaultBehavior);
});

function upstream(): RecordedRequest {
  expect(fake.requests).toHaveLength(1);
  return fake.requests[0]!;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

function completionWith(message: Record<string, unknown>, finishReason = 'stop') {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'upstream-chat-model',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
    usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
  };
}

describe('chat completions through the openai client', () => {
  it('answers a non-streaming chat with the upstream completion', async () => {
    const completion = await client.chat.completions.create({ model: 'chat', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: 'Hello from the fake model',
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
  });

  it('sends the upstream the configured key, never the caller’s Flywheel key', async () => {
    await client.chat.completions.create({ model: 'chat', messages });
    const request = upstream();
    expect(request.headers.authorization).toBe('Bearer upstream-key');
    expect(JSON.stringify(request.headers)).not.toContain(t.key);
  });

  it('rewrites model to the target’s model id upstream and leaves the messages alone', async () => {
    await client.chat.completions.create({ model: 'chat', messages, temperature: 0.2 });
    expect(upstream().body).toEqual({ model: 'upstream-chat-model', messages, temperature: 0.2 });
  });

  it('streams deltas that assemble into the answer, without a usage chunk the client did not ask for', async () => {
    const stream = await client.chat.completions.create({ model: 'chat', messages, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'Hello from the fake model',
    );
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.filter((chunk) => chunk.choices.length === 0 || chunk.usage)).toEqual([]);
    // The gateway asked the upstream for usage (for the trace), so there was a chunk to drop.
    expect(upstream().body?.stream_options).toEqual({ include_usage: true });
  });

  it('streams the usage chunk when the client asked for it with stream_options.include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
    expect(upstream().body?.stream_options).toEqual({ include_usage: true });
  });

  it('passes tools and tool_choice through unchanged and returns tool calls the client parses', async () => {
    fake.behave(() => ({
      kind: 'json',
      body: completionWith(
        {
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        'tool_calls',
      ),
    }));
    const tools: ChatCompletionCreateParamsNonStreaming['tools'] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The weather in a city.',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
            additionalProperties: false,
          },
          strict: true,
        },
      },
    ];
    const toolChoice = { type: 'function' as const, function: { name: 'get_weather' } };
    const completion = await client.chat.completions.create({
      model: 'chat',
      messages,
      tools,
      tool_choice: toolChoice,
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.id).toBe('call_1');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
    const body = upstream().body;
    expect(body?.tools).toEqual(tools);
    expect(body?.tool_choice).toEqual(toolChoice);
  });

  it('passes response_format with a JSON schema through unchanged and returns the JSON content', async () => {
    const answer = { name: 'Paris', population: 2_102_650 };
    fake.behave(() => ({ kind: 'json', body: completionWith({ content: JSON.stringify(answer) }) }));
    const responseFormat = {
      type: 'json_schema' as const,
      json_schema: {
        name: 'city',
        strict: true,
        schema: {
          type: 'object',
          properties: { name: { type: 'string' }, population: { type: 'integer' } },
          required: ['name', 'population'],
          additionalProperties: false,
        },
      },
    };
    const completion = await client.chat.completions.create({
      model: 'chat',
      messages,
      response_format: responseFormat,
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual(answer);
    expect(upstream().body?.response_format).toEqual(responseFormat);
  });

  it('passes an image content part through unchanged', async () => {
    const withImage = [
      {
        role: 'user' as const,
        content: [
          { type: 'text' as const, text: 'What is in this image?' },
          {
            type: 'image_url' as const,
            image_url: {
              url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAY=',
              detail: 'low' as const,
            },
          },
        ],
      },
    ];
    await client.chat.completions.create({ model: 'chat', messages: withImage });
    expect(upstream().body?.messages).toEqual(withImage);
  });

  it('passes fields OpenAI does not know through to the vendor', async () => {
    const vendorFields = {
      top_k: 40,
      repetition_penalty: 1.1,
      chat_template_kwargs: { enable_thinking: false },
    };
    const params = { model: 'chat', messages, ...vendorFields } as ChatCompletionCreateParamsNonStreaming;
    await client.chat.completions.create(params);
    expect(upstream().body).toMatchObject(vendorFields);
  });
});

describe('embeddings and models through the openai client', () => {
  it('returns embeddings in the base64 form the client asks for by default, decoded by the client', async () => {
    const vector = [0.5, 0.25, -1];
    const base64 = Buffer.from(new Float32Array(vector).buffer).toString('base64');
    fake.behave((request) => ({
      kind: 'json',
      body: {
        object: 'list',
        data: ((request.body?.input as string[] | undefined) ?? []).map((_input, index) => ({
          object: 'embedding',
          index,
          embedding: request.body?.encoding_format === 'base64' ? base64 : vector,
        })),
        model: 'upstream-embedding-model',
        usage: { prompt_tokens: 6, total_tokens: 6 },
      },
    }));
    const result = await client.embeddings.create({ model: 'embed', input: ['first', 'second'] });
    expect(result.data.map((item) => item.embedding)).toEqual([vector, vector]);
    expect(result.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    expect(upstream().body).toEqual({
      model: 'upstream-embedding-model',
      input: ['first', 'second'],
      encoding_format: 'base64',
    });
  });

  it('returns float embeddings when the client asks for floats', async () => {
    const result = await client.embeddings.create({ model: 'embed', input: 'one', encoding_format: 'float' });
    expect(result.data).toEqual([{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }]);
    expect(upstream().body).toMatchObject({ model: 'upstream-embedding-model', encoding_format: 'float' });
  });

  it('lists the configured aliases as models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['chat', 'embed']);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('errors through the openai client', () => {
  it('throws NotFoundError with code model_not_found for an unknown model, without calling upstream', async () => {
    const error = await failure(client.chat.completions.create({ model: 'no-such-model', messages }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect(fake.requests).toHaveLength(0);
  });

  it('passes an upstream 400 to the client with its status and message', async () => {
    fake.behave(() => ({
      kind: 'json',
      status: 400,
      body: {
        error: {
          message: "Invalid value for 'temperature': must be at most 2.",
          type: 'invalid_request_error',
          code: 'invalid_value',
          param: 'temperature',
        },
      },
    }));
    const error = await failure(client.chat.completions.create({ model: 'chat', messages, temperature: 3 }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.status).toBe(400);
    expect(apiError.message).toContain("Invalid value for 'temperature': must be at most 2.");
    expect(apiError.code).toBe('invalid_value');
    expect(apiError.param).toBe('temperature');
    // A 400 is the caller's mistake: not retried.
    expect(fake.requests).toHaveLength(1);
  });

  it('throws AuthenticationError (401) for a key Flywheel does not know', async () => {
    const stranger = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: `fw_sk_${'x'.repeat(43)}`, maxRetries: 0 });
    const error = await failure(stranger.chat.completions.create({ model: 'chat', messages }));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
    expect(fake.requests).toHaveLength(0);
  });

  it('throws PermissionDeniedError (403) for a key without the gateway scope', async () => {
    const created = await fetch(`${t.url}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'read only', scopes: ['read'] }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const reader = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 0 });
    const error = await failure(reader.chat.completions.create({ model: 'chat', messages }));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const apiError = error as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(apiError.status).toBe(403);
    expect(apiError.code).toBe('insufficient_scope');
    expect(fake.requests).toHaveLength(0);
  });
});
