import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { TraceDetailBody, TraceListBody } from '@flywheel/spec';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { OTLPTraceExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// OpenTelemetry's ESM builds use extension-less imports that Node's loader refuses, so its
// packages are loaded the way most Node apps load them: as CommonJS.
const require = createRequire(import.meta.url);
const { OTLPTraceExporter: ProtoExporter } =
  require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPTraceExporter: JsonExporter } =
  require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } =
  require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
const { BasicTracerProvider, BatchSpanProcessor } =
  require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');

// What the official OpenTelemetry SDK and OTLP exporters send, unchanged, must land as
// generation spans with model, tokens and cost.

let t: GatewayTestApp;
beforeAll(async () => {
  t = await startGatewayTestApp('models: []\n', { fakes: [] });
});
afterAll(() => t.close());

/** Only OpenTelemetry's own packages: a provider, a batch processor and an OTLP exporter. */
async function sendWithOpenTelemetry(exporter: OTLPProtoExporter | OTLPHttpJsonExporter, marker: string) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'otel-app',
      'deployment.environment.name': 'staging',
    }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('genai-test', '1.0.0');
  let traceId = '';
  await tracer.startActiveSpan('answer question', async (root) => {
    traceId = root.spanContext().traceId;
    root.setAttribute('user.id', `user-${marker}`);
    root.setAttribute('session.id', `session-${marker}`);
    // No context manager is registered (nothing global is installed), so the parent is explicit.
    const parent = trace.setSpan(context.active(), root);
    const chat = tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT }, parent);
    chat.setAttributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.input.messages': JSON.stringify([
        { role: 'user', parts: [{ type: 'text', content: `Where is ${marker}?` }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([
        { role: 'assistant', parts: [{ type: 'text', content: 'Over there.' }] },
      ]),
    });
    chat.end();
    const failing = tracer.startSpan('chat broken', {}, parent);
    failing.setAttributes({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' });
    failing.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
    failing.end();
    root.end();
  });
  await provider.forceFlush();
  await provider.shutdown();
  return traceId;
}

const exporterOptions = () => ({
  url: `${t.url}/otlp/v1/traces`,
  headers: { authorization: `Bearer ${t.key}` },
});

async function detail(traceId: string): Promise<TraceDetailBody> {
  const response = await fetch(`${t.url}/api/traces/${traceId}`, {
    headers: { authorization: `Bearer ${t.key}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as TraceDetailBody;
}

describe('POST /otlp/v1/traces', () => {
  it.each([
    ['protobuf', () => new ProtoExporter(exporterOptions())],
    ['JSON', () => new JsonExporter(exporterOptions())],
  ])(
    'takes GenAI spans from the official %s exporter, with model, tokens and cost',
    async (encoding, exporter) => {
      const traceId = await sendWithOpenTelemetry(exporter(), `marker${encoding}`);
      const trace = await detail(traceId);
      expect(trace).toMatchObject({
        name: 'answer question',
        user_id: `user-marker${encoding}`,
        session_id: `session-marker${encoding}`,
        environment: 'staging',
        span_count: 3,
        error_count: 1,
        status: 'error',
        input_tokens: 1200,
        output_tokens: 300,
      });
      const generation = trace.spans[0]!.children.find((span) => span.name === 'chat gpt-4o-mini')!;
      expect(generation).toMatchObject({
        kind: 'generation',
        model: 'gpt-4o-mini-2024-07-18',
        provider: 'openai',
      });
      expect(generation.usage).toMatchObject({ input_tokens: 1200, output_tokens: 300, estimated: false });
      // gpt-4o-mini: $0.15 in and $0.60 out per million tokens.
      expect(generation.cost).toBeCloseTo(0.00036, 8);
      expect(JSON.stringify(generation.input)).toContain(`Where is marker${encoding}?`);
      const listed = (await (
        await fetch(`${t.url}/api/traces?model=gpt-4o-mini-2024-07-18&user_id=user-marker${encoding}`, {
          headers: { authorization: `Bearer ${t.key}` },
        })
      ).json()) as TraceListBody;
      expect(listed.data.map((item) => item.id)).toEqual([traceId]);
    },
  );

  it('answers a broken protobuf body with 400 and a google.rpc.Status, storing nothing', async () => {
    const response = await fetch(`${t.url}/otlp/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/x-protobuf');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes[0]).toBe(0x08);
    expect(bytes[1]).toBe(3);
    expect(new TextDecoder().decode(bytes.subarray(4))).toMatch(/protobuf/i);
  });

  it('keeps the good spans of a JSON request and reports the bad ones as partial success', async () => {
    const traceId = 'a1'.repeat(16);
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-app' } }] },
          scopeSpans: [
            {
              scope: { name: 'manual' },
              spans: [
                {
                  traceId,
                  spanId: 'b1'.repeat(8),
                  name: 'good',
                  startTimeUnixNano: '1763632800000000000',
                  endTimeUnixNano: '1763632801000000000',
                  attributes: [
                    { key: '__proto__', value: { stringValue: 'plain' } },
                    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
                  ],
                },
                {
                  traceId: 'zz',
                  spanId: 'nothex',
                  name: 'bad',
                  startTimeUnixNano: '1',
                  endTimeUnixNano: '2',
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(`${t.url}/otlp/v1/traces`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.key}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync(JSON.stringify(body)),
    });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer.partialSuccess.rejectedSpans).toBe('1');
    expect(answer.partialSuccess.errorMessage).not.toBe('');
    const trace = await detail(traceId);
    expect(trace.span_count).toBe(1);
    expect(Object.keys(trace.spans[0]!.attributes)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a request without a key, or with a key lacking the ingest scope', async () => {
    const anonymous = await fetch(`${t.url}/otlp/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    const reader = await (
      await fetch(`${t.url}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'reader', scopes: ['read'] }),
      })
    ).json();
    const refused = await fetch(`${t.url}/otlp/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader.key}`, 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    expect(refused.status).toBe(403);
  });
});
