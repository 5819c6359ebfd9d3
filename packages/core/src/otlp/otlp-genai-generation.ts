import type { SpanKind, SpanUsage } from '../tracing/span.js';
import type { AttributeReader } from './otlp-attribute-reader.js';

/** OpenInference `openinference.span.kind` values; the rest (CHAIN, AGENT, GUARDRAIL, …) are spans. */
const openInferenceKinds: ReadonlyMap<string, SpanKind> = new Map([
  ['LLM', 'generation'],
  ['EMBEDDING', 'generation'],
  ['RETRIEVER', 'retrieval'],
  ['RERANKER', 'retrieval'],
  ['TOOL', 'tool'],
]);

/** OpenTelemetry GenAI `gen_ai.operation.name` values. */
const genAiOperationKinds: ReadonlyMap<string, SpanKind> = new Map([
  ['chat', 'generation'],
  ['text_completion', 'generation'],
  ['generate_content', 'generation'],
  ['embeddings', 'generation'],
  ['execute_tool', 'tool'],
  ['retrieval', 'retrieval'],
  ['create_agent', 'span'],
  ['invoke_agent', 'span'],
  ['invoke_workflow', 'span'],
]);

/**
 * The Vercel AI SDK's provider-call steps. Its outer spans (`ai.generateText`, `ai.streamText`,
 * `ai.embed`, …) carry the summed `ai.usage.*` of the steps inside them, so only spans whose
 * `ai.operationId` ends in one of these are generations; the outer ones are plain spans whose
 * usage stays in their attributes. That way a trace's token totals count each model call once.
 */
const vercelProviderSteps: ReadonlySet<string> = new Set(['doGenerate', 'doStream', 'doEmbed']);

/** Attributes whose presence marks a model call when no convention names the span's kind. */
const modelCallHints = [
  'gen_ai.request.model',
  'gen_ai.response.model',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.prompt_tokens',
  'llm.request.type',
  'llm.model_name',
];

/** What a span records, from the first convention that says. */
export function spanKind(reader: AttributeReader): SpanKind {
  const vercelOperation = reader.peekString('ai.operationId');
  if (vercelOperation !== undefined) {
    if (vercelOperation === 'ai.toolCall') return 'tool';
    const step = vercelOperation.slice(vercelOperation.lastIndexOf('.') + 1);
    return vercelProviderSteps.has(step) ? 'generation' : 'span';
  }
  const openInference = reader.peekString('openinference.span.kind');
  if (openInference !== undefined) return openInferenceKinds.get(openInference.toUpperCase()) ?? 'span';
  const operation = reader.peekString('gen_ai.operation.name');
  const known = operation === undefined ? undefined : genAiOperationKinds.get(operation);
  if (known !== undefined) return known;
  if (reader.peekString('traceloop.span.kind') === 'tool') return 'tool';
  return modelCallHints.some((key) => reader.peek(key) !== undefined) ? 'generation' : 'span';
}

/** The model-call fields of a generation span. */
export interface GenerationFields {
  model?: string;
  provider?: string;
  usage?: SpanUsage;
  timeToFirstTokenMs?: number;
}

/**
 * Model, provider, usage and time to first token of a generation. The response model wins over
 * the requested one (it names the exact version that ran); token counts follow OpenAI semantics
 * like the rest of Flywheel (cached tokens are part of input, reasoning part of output), which is
 * what the GenAI conventions ask of instrumentations too.
 */
export function generationFields(reader: AttributeReader): GenerationFields {
  const fields: GenerationFields = {};
  const model = reader.string(
    'gen_ai.response.model',
    'ai.response.model',
    'gen_ai.request.model',
    'ai.model.id',
    'llm.model_name',
    'embedding.model_name',
  );
  if (model !== undefined) fields.model = model;
  const provider = providerName(reader);
  if (provider !== undefined) fields.provider = provider;
  const usage = spanUsage(reader);
  if (usage !== undefined) fields.usage = usage;
  const firstChunkMs = timeToFirstChunkMs(reader);
  if (firstChunkMs !== undefined) fields.timeToFirstTokenMs = firstChunkMs;
  return fields;
}

function providerName(reader: AttributeReader): string | undefined {
  if (reader.peek('ai.operationId') !== undefined) {
    // The Vercel AI SDK names providers `<provider>.<api>` (`openai.chat`, `anthropic.messages`);
    // the part before the dot is the provider prices are kept under.
    const vercel = reader.string('ai.model.provider', 'gen_ai.system');
    if (vercel !== undefined) return vercel.split('.')[0] || vercel;
  }
  return reader.string('gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system');
}

function spanUsage(reader: AttributeReader): SpanUsage | undefined {
  const inputTokens = reader.count(
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.prompt_tokens',
    'ai.usage.inputTokens',
    'ai.usage.promptTokens',
    'llm.token_count.prompt',
    // Embedding calls of the Vercel AI SDK count only input.
    'ai.usage.tokens',
  );
  const outputTokens = reader.count(
    'gen_ai.usage.output_tokens',
    'gen_ai.usage.completion_tokens',
    'ai.usage.outputTokens',
    'ai.usage.completionTokens',
    'llm.token_count.completion',
  );
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const usage: SpanUsage = {
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    estimated: false,
  };
  const cached = reader.count(
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.cache_read_input_tokens',
    'ai.usage.cachedInputTokens',
    'llm.token_count.prompt_details.cache_read',
  );
  if (cached !== undefined) usage.cachedInputTokens = cached;
  const reasoning = reader.count(
    'gen_ai.usage.reasoning.output_tokens',
    'gen_ai.usage.reasoning_tokens',
    'ai.usage.reasoningTokens',
    'llm.token_count.completion_details.reasoning',
  );
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

function timeToFirstChunkMs(reader: AttributeReader): number | undefined {
  const milliseconds = reader.number('ai.response.msToFirstChunk', 'ai.stream.msToFirstChunk');
  // The GenAI conventions measure in seconds.
  const seconds =
    milliseconds === undefined ? reader.number('gen_ai.response.time_to_first_chunk') : undefined;
  const value = milliseconds ?? (seconds === undefined ? undefined : seconds * 1000);
  // Microsecond precision, as the gateway records it.
  return value !== undefined && value >= 0 ? Math.round(value * 1000) / 1000 : undefined;
}
