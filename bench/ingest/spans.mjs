// Synthetic spans for the ingestion benchmark: ~1 KB each, ten traces of ten spans per batch,
// start times spread over the last 24 hours (`BENCH_SPREAD_MS`), a few models, 2 % errors. Each input and output starts
// with words from a small vocabulary, so a text search hits about one trace in a thousand. The
// rest is prose-like: words drawn from 2,000 with Zipf's law, as in natural text (about a third of the
// words of an input repeat an earlier one). Before 2026-12-07 it was one sentence repeated, which
// made the full-text index's work per span unrealistically small.
import { randomBytes } from 'node:crypto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';

export const spansPerBatch = 100;
const tracesPerBatch = 10;
const spreadMs = Number(process.env.BENCH_SPREAD_MS ?? 86_000_000);
const models = ['gpt-4o-mini', 'gpt-4o', 'claude-3-5-haiku', 'qwen2.5:7b', 'llama3.1:8b'];
export const vocabulary = Array.from({ length: 1000 }, (_, index) => `word${index.toString(36)}x`);
const prose = Array.from({ length: 2000 }, (_, index) => `prose${index.toString(36)}`);
// Zipf's law (exponent 1) over `prose`: cumulative weights, searched by bisection.
const zipf = prose.map((_, index) => 1 / (index + 1));
for (let index = 1; index < zipf.length; index++) zipf[index] += zipf[index - 1];
function proseWords(count) {
  const words = [];
  for (let word = 0; word < count; word++) {
    const target = Math.random() * zipf[zipf.length - 1];
    let low = 0;
    let high = zipf.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (zipf[middle] < target) low = middle + 1;
      else high = middle;
    }
    words.push(prose[low]);
  }
  return words.join(' ');
}

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const hex = (bytes) => randomBytes(bytes).toString('hex');

function spanFacts() {
  const traces = [];
  for (let t = 0; t < tracesPerBatch; t++) {
    const traceId = hex(16);
    const start = Date.now() - Math.floor(Math.random() * spreadMs);
    const userId = `user-${Math.floor(Math.random() * 200)}`;
    const spans = [];
    const rootId = hex(8);
    for (let s = 0; s < spansPerBatch / tracesPerBatch; s++) {
      const duration = 100 + Math.floor(Math.random() * 4900);
      spans.push({
        id: s === 0 ? rootId : hex(8),
        parentId: s === 0 ? null : rootId,
        start: start + s * 10,
        end: start + s * 10 + duration,
        model: pick(models),
        error: Math.random() < 0.02,
        input: `${pick(vocabulary)} ${pick(vocabulary)} ${proseWords(65)}`,
        output: `${pick(vocabulary)} ${proseWords(20)}`,
        inputTokens: 100 + Math.floor(Math.random() * 900),
        outputTokens: 10 + Math.floor(Math.random() * 300),
      });
    }
    traces.push({ traceId, userId, spans });
  }
  return traces;
}

export function buildNativeBody() {
  const batch = [];
  for (const trace of spanFacts()) {
    batch.push({
      id: hex(8),
      type: 'trace-create',
      body: { id: trace.traceId, name: 'bench agent', user_id: trace.userId, tags: ['bench'] },
    });
    for (const span of trace.spans) {
      batch.push({
        id: hex(8),
        type: 'span-create',
        body: {
          id: span.id,
          trace_id: trace.traceId,
          parent_id: span.parentId,
          kind: 'generation',
          name: 'chat',
          start_time: new Date(span.start).toISOString(),
          end_time: new Date(span.end).toISOString(),
          status: span.error ? 'error' : 'ok',
          model: span.model,
          provider: 'openai',
          usage: { input_tokens: span.inputTokens, output_tokens: span.outputTokens },
          input: [{ role: 'user', content: span.input }],
          output: { role: 'assistant', content: span.output },
          attributes: { 'bench.run': 'ingest' },
        },
      });
    }
  }
  return Buffer.from(JSON.stringify({ batch }));
}

const resource = resourceFromAttributes({ 'service.name': 'bench', 'deployment.environment.name': 'bench' });
const scope = { name: 'bench', version: '1.0.0' };
const hrTime = (ms) => [Math.floor(ms / 1000), (ms % 1000) * 1e6];

export function buildOtlpBody() {
  const readable = [];
  for (const trace of spanFacts()) {
    for (const span of trace.spans) {
      readable.push({
        name: 'chat gpt',
        kind: 2,
        spanContext: () => ({ traceId: trace.traceId, spanId: span.id, traceFlags: 1 }),
        parentSpanContext: span.parentId
          ? { traceId: trace.traceId, spanId: span.parentId, traceFlags: 1 }
          : undefined,
        startTime: hrTime(span.start),
        endTime: hrTime(span.end),
        status: { code: span.error ? 2 : 1 },
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': span.model,
          'gen_ai.usage.input_tokens': span.inputTokens,
          'gen_ai.usage.output_tokens': span.outputTokens,
          'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: span.input }]),
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', content: span.output }]),
          'user.id': trace.userId,
        },
        links: [],
        events: [],
        duration: hrTime(span.end - span.start),
        ended: true,
        resource,
        instrumentationScope: scope,
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
      });
    }
  }
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(readable));
}
