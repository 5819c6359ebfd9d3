import { beforeAll, describe, expect, it } from 'vitest';
import type { SpanPatch } from '../tracing/trace-patch.js';
import { mapOtlpSpans, type OtlpMappingResult } from './otlp-genai-mapping.js';
import { decodeOtlpJson } from './otlp-json.js';
import { decodeOtlpProtobuf } from './otlp-protobuf.js';
import {
  type ExportedScenario,
  exportScenarios,
  type ScenarioName,
} from './testing-internal/otlp-test-export.js';

/** An own property, read without touching the `__proto__` accessor. */
const own = (value: object | undefined, key: string): unknown =>
  value === undefined ? undefined : Object.getOwnPropertyDescriptor(value, key)?.value;

const receivedAt = '2026-11-21T10:00:00.000Z';

let scenarios: Record<ScenarioName, ExportedScenario>;
beforeAll(async () => {
  scenarios = await exportScenarios();
});

function mapScenario(name: ScenarioName): OtlpMappingResult {
  return mapOtlpSpans(decodeOtlpProtobuf(scenarios[name].protobuf), { receivedAt });
}

function spanNamed(result: OtlpMappingResult, name: string, index = 0): SpanPatch {
  const found = result.spans.filter((span) => span.name === name)[index];
  if (!found) throw new Error(`no span named ${name}`);
  return found;
}

/** An OTLP/JSON request with one span carrying `attributes` (written as plain values). */
function jsonRequest(attributes: Record<string, unknown>, span: Record<string, unknown> = {}) {
  const anyValue = (value: unknown): unknown => {
    if (typeof value === 'string') return { stringValue: value };
    if (typeof value === 'boolean') return { boolValue: value };
    if (typeof value === 'number')
      return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
    if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
    return { kvlistValue: { values: keyValues(value as Record<string, unknown>) } };
  };
  const keyValues = (values: Record<string, unknown>) =>
    Object.entries(values).map(([key, value]) => ({ key, value: anyValue(value) }));
  return decodeOtlpJson({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-app' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name: 'call',
                startTimeUnixNano: '1763719200000000000',
                endTimeUnixNano: '1763719201500000000',
                attributes: keyValues(attributes),
                ...span,
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('mapOtlpSpans', () => {
  it('maps the same spans alike whether they came as protobuf or JSON', () => {
    for (const scenario of Object.values(scenarios))
      expect(mapOtlpSpans(decodeOtlpProtobuf(scenario.protobuf), { receivedAt })).toEqual(
        mapOtlpSpans(decodeOtlpJson(scenario.json), { receivedAt }),
      );
  });

  it('maps a GenAI chat span: response model, provider, usage, messages and time to first chunk', () => {
    const result = mapScenario('genai-chat');
    const chat = spanNamed(result, 'chat gpt-4o');
    const recorded = scenarios['genai-chat'].spans.find((span) => span.name === 'chat gpt-4o')!;
    expect(chat).toMatchObject({
      id: recorded.spanId,
      traceId: recorded.traceId,
      parentId: recorded.parentSpanId,
      kind: 'generation',
      status: 'unset',
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      usage: {
        inputTokens: 120,
        outputTokens: 30,
        cachedInputTokens: 100,
        reasoningTokens: 10,
        estimated: false,
      },
      timeToFirstTokenMs: 350,
      input: [
        { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] },
      ],
      output: [
        { role: 'assistant', parts: [{ type: 'text', content: 'It ships today.' }], finish_reason: 'stop' },
      ],
      inputTruncated: false,
      outputTruncated: false,
    });
    expect(chat.cost).toBeUndefined();
    const endTime = new Date(Number(recorded.endTimeUnixNano / 1_000_000n)).toISOString();
    expect(chat.endTime).toBe(endTime);
    expect(chat.eventTime).toBe(endTime);
    // The requested model is not the response model, so it stays; mapped keys do not repeat.
    expect(chat.attributes).toEqual({
      'service.name': 'support-bot',
      'otel.scope.name': 'test-scope',
      'otel.scope.version': '1.2.3',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.request.temperature': 0.2,
    });
  });

  it('maps GenAI tool calls, and takes an error span message from its exception', () => {
    const result = mapScenario('genai-chat');
    expect(spanNamed(result, 'execute_tool lookup_order')).toMatchObject({
      kind: 'tool',
      input: { orderId: 'A1' },
      output: { status: 'shipped' },
    });
    const failed = spanNamed(result, 'chat gpt-4o', 1);
    expect(failed).toMatchObject({ status: 'error', statusMessage: 'rate limited' });
    expect(failed.attributes?.['otel.events']).toMatchObject([
      { name: 'exception', attributes: { 'exception.message': 'rate limited' } },
    ]);
  });

  it('emits one trace patch per trace, named after its root, with user, session, environment and release', () => {
    const result = mapScenario('genai-chat');
    expect(result.traces).toEqual([
      {
        id: scenarios['genai-chat'].spans[0]!.traceId,
        eventTime: receivedAt,
        name: 'handle-ticket',
        userId: 'user-7',
        sessionId: 'session-1',
        environment: 'production',
        release: '2.3.1',
      },
    ]);
    expect(spanNamed(result, 'handle-ticket')).toMatchObject({ parentId: null, kind: 'span' });
    expect(result).toMatchObject({ rejected: 0, errors: [] });
  });

  it('counts Vercel AI SDK tokens once: provider calls are generations, the outer call a plain span', () => {
    const result = mapScenario('vercel');
    const generations = result.spans.filter((span) => span.kind === 'generation');
    expect(generations.map((span) => span.name)).toEqual([
      'ai.generateText.doGenerate',
      'ai.generateText.doGenerate',
      'ai.streamText.doStream',
    ]);
    const first = generations[0]!;
    expect(first).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      usage: { inputTokens: 30, outputTokens: 8, estimated: false },
      input: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }],
      output: { toolCalls: [{ toolCallId: 'call_1', toolName: 'weather', args: '{"city":"Paris"}' }] },
    });
    expect(generations[1]).toMatchObject({
      model: 'gpt-4o-mini',
      usage: { inputTokens: 20, outputTokens: 4 },
    });
    expect(generations[1]?.output).toBe('Sunny.');

    const outer = spanNamed(result, 'ai.generateText');
    expect(outer).toMatchObject({
      kind: 'span',
      input: { system: 'You are helpful.', prompt: 'Weather in Paris?' },
      output: 'Sunny.',
    });
    expect(outer.usage).toBeUndefined();
    expect(outer.model).toBeUndefined();
    expect(outer.attributes).toMatchObject({ 'ai.usage.promptTokens': 50, 'ai.usage.completionTokens': 12 });

    expect(spanNamed(result, 'ai.toolCall')).toMatchObject({
      kind: 'tool',
      input: { city: 'Paris' },
      output: { forecast: 'sunny' },
    });
    expect(spanNamed(result, 'ai.streamText.doStream')).toMatchObject({
      provider: 'anthropic',
      timeToFirstTokenMs: 412.5,
      usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 },
    });
    const [weather, stream] = result.traces;
    expect(weather).toMatchObject({ name: 'weather-agent', userId: 'user-42', metadata: { tenant: 'acme' } });
    expect(stream).toMatchObject({ name: 'ai.streamText' });
  });

  it('maps OpenInference LLM, RETRIEVER and CHAIN spans', () => {
    const result = mapScenario('openinference');
    expect(spanNamed(result, 'llm')).toMatchObject({
      kind: 'generation',
      model: 'claude-3-5-sonnet-20241022',
      provider: 'anthropic',
      usage: { inputTokens: 200, outputTokens: 40, cachedInputTokens: 150, estimated: false },
      input: [
        { role: 'system', content: 'Answer from the context.' },
        { role: 'user', content: 'What is OTLP?' },
      ],
      output: [{ role: 'assistant', content: 'A protocol.' }],
    });
    expect(spanNamed(result, 'retrieve')).toMatchObject({
      kind: 'retrieval',
      input: 'What is OTLP?',
      output: [
        { id: 'doc-1', content: 'OTLP is the OpenTelemetry protocol.', score: 0.9 },
        { id: 'doc-2', score: 0.5 },
      ],
    });
    expect(spanNamed(result, 'rag-pipeline')).toMatchObject({
      kind: 'span',
      input: 'What is OTLP?',
      output: { answer: 'A protocol.' },
    });
    expect(result.traces).toMatchObject([
      { name: 'rag-pipeline', userId: 'user-9', sessionId: 'session-9', environment: 'staging' },
    ]);
  });

  it('rebuilds OpenLLMetry flattened messages and GenAI message events', () => {
    const result = mapScenario('flattened-and-events');
    expect(spanNamed(result, 'openai.chat')).toMatchObject({
      kind: 'generation',
      model: 'gpt-3.5-turbo-0125',
      provider: 'openai',
      usage: { inputTokens: 15, outputTokens: 5 },
      input: [{ role: 'user', content: 'Hi' }],
      output: [{ role: 'assistant', content: 'Hello!', finish_reason: 'stop' }],
    });
    const withEvents = spanNamed(result, 'chat claude');
    expect(withEvents).toMatchObject({
      model: 'claude-3-haiku',
      provider: 'anthropic',
      input: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hi' },
      ],
      output: [{ index: 0, finish_reason: 'end_turn', role: 'assistant', content: 'Hello there!' }],
    });
    // Events that became messages are not repeated; the others are kept.
    expect(withEvents.attributes?.['otel.events']).toMatchObject([
      { name: 'annotation', attributes: { note: 'kept' } },
    ]);
  });

  it('cuts payloads and attributes larger than maxPayloadBytes to a flagged preview', () => {
    const long = 'é'.repeat(5_000);
    const request = jsonRequest({
      'gen_ai.operation.name': 'chat',
      'gen_ai.prompt': long,
      'gen_ai.completion': 'short',
      'custom.blob': long,
    });
    const [span] = mapOtlpSpans(request, { receivedAt, maxPayloadBytes: 1_000 }).spans;
    expect(span?.inputTruncated).toBe(true);
    expect(span?.input).toMatchObject({ truncated: true });
    const preview = (span!.input as { preview: string }).preview;
    expect(new TextEncoder().encode(preview).length).toBeLessThanOrEqual(1_000);
    expect(span).toMatchObject({ output: 'short', outputTruncated: false });
    expect(span?.attributes?.['custom.blob']).toMatchObject({ truncated: true });
  });

  it('never throws on odd attribute types: coerces what is unambiguous and keeps the rest', () => {
    const request = jsonRequest({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 4,
      'gen_ai.provider.name': ['openai'],
      'gen_ai.usage.input_tokens': '12',
      'gen_ai.usage.output_tokens': true,
      'gen_ai.usage.completion_tokens': -3,
      'gen_ai.usage.cache_read.input_tokens': 1e12,
      'gen_ai.response.time_to_first_chunk': 'soon',
      'gen_ai.input.messages': 'not json [',
      'gen_ai.output.messages': { role: 'assistant', content: 'structured' },
      'gen_ai.prompt.name': '',
      'flywheel.prompt.version': 'two',
    });
    const [span] = mapOtlpSpans(request, { receivedAt }).spans;
    expect(span).toMatchObject({
      kind: 'generation',
      model: '4',
      usage: { inputTokens: 12, outputTokens: 0, estimated: false },
      input: 'not json [',
      output: { role: 'assistant', content: 'structured' },
    });
    expect(span?.provider).toBeUndefined();
    expect(span?.usage?.cachedInputTokens).toBeUndefined();
    expect(span?.timeToFirstTokenMs).toBeUndefined();
    expect(span?.promptName).toBeUndefined();
    expect(span?.attributes).toMatchObject({
      'gen_ai.provider.name': ['openai'],
      'gen_ai.usage.output_tokens': true,
      'gen_ai.usage.cache_read.input_tokens': 1e12,
      'flywheel.prompt.version': 'two',
    });
  });

  it('reads the Flywheel prompt reference', () => {
    const request = jsonRequest({ 'flywheel.prompt.name': 'support-reply', 'flywheel.prompt.version': 3 });
    expect(mapOtlpSpans(request, { receivedAt }).spans[0]).toMatchObject({
      promptName: 'support-reply',
      promptVersion: 3,
    });
  });

  it('stores __proto__ and constructor keys as plain keys without polluting prototypes', () => {
    // Parsed, so `__proto__` is an own key here as it is in a request body.
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
    );
    const request = jsonRequest({
      ...hostile,
      'ai.operationId': 'ai.generateText',
      'ai.telemetry.metadata.__proto__': 'meta',
      'gen_ai.prompt.0.__proto__': { polluted: true },
      'gen_ai.prompt.0.role': 'user',
      'llm.output_messages.0.message.__proto__.polluted': true,
    });
    const result = mapOtlpSpans(request, { receivedAt });
    const [span] = result.spans;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(span?.attributes)).toBe(Object.prototype);
    expect(Object.hasOwn(span!.attributes!, '__proto__')).toBe(true);
    expect(own(span?.attributes, '__proto__')).toEqual({ polluted: true });
    expect(Object.hasOwn(span!.attributes!, 'constructor')).toBe(true);
    const metadata = result.traces[0]?.metadata;
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.hasOwn(metadata!, '__proto__')).toBe(true);
    const [message] = span!.input as Array<Record<string, unknown>>;
    expect(Object.hasOwn(message!, '__proto__')).toBe(true);
    expect(message?.role).toBe('user');
    const [output] = span!.output as Array<Record<string, unknown>>;
    expect(Object.keys(output!)).toEqual(['__proto__']);
  });

  it('passes on the spans the decoder refused and maps the rest', () => {
    const request = decodeOtlpJson({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: 'nope', spanId: 'eee19b7ec3c1b174', name: 'bad' },
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'good' },
              ],
            },
          ],
        },
      ],
    });
    const result = mapOtlpSpans(request, { receivedAt });
    expect(result.spans.map((span) => span.name)).toEqual(['good']);
    expect(result.rejected).toBe(1);
    expect(result.errors).toEqual([
      'resourceSpans[0].scopeSpans[0].spans[0] (spanId eee19b7ec3c1b174): traceId: must be 32 hex digits',
    ]);
    // No times: the event time is when the request arrived.
    expect(result.spans[0]).toMatchObject({ eventTime: receivedAt, parentId: null, status: 'unset' });
    expect(result.spans[0]?.startTime).toBeUndefined();
  });

  it('leaves the trace name unset when the request holds no root span', () => {
    const request = jsonRequest({}, { parentSpanId: 'aaaaaaaaaaaaaaaa', status: { code: 1 } });
    const result = mapOtlpSpans(request, { receivedAt });
    expect(result.traces).toEqual([{ id: '5b8efff798038103d269b633813fc60c', eventTime: receivedAt }]);
    expect(result.spans[0]).toMatchObject({
      parentId: 'aaaaaaaaaaaaaaaa',
      status: 'ok',
      startTime: '2025-11-21T10:00:00.000Z',
      endTime: '2025-11-21T10:00:01.500Z',
      eventTime: '2025-11-21T10:00:01.500Z',
    });
  });
});
