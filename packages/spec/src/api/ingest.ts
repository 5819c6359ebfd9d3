import { z } from 'zod';

/** What a span records. */
export const spanKinds = ['span', 'generation', 'retrieval', 'tool', 'event'] as const;
export const spanKindSchema = z.enum(spanKinds);

/** How a span or trace ended. */
export const spanStatusSchema = z.enum(['ok', 'error', 'unset']);

/** Nesting allowed inside `input`, `output`, `metadata` and `attributes` (deeper values are refused). */
export const maxJsonDepth = 32;

/** Events per `POST /api/ingest` batch; larger batches are refused whole with 413. */
export const maxIngestBatchItems = 5_000;

/**
 * Ids of traces, spans, scores and events: what the SDK generates, OTLP's hex ids, UUIDs and
 * most other schemes fit.
 */
export const entityIdSchema = z
  .string()
  .min(1, 'ids must not be empty')
  .max(200, 'ids must be at most 200 characters')
  .regex(/^[A-Za-z0-9._:-]+$/, 'ids may use letters, digits and . _ : -');

/** An ISO-8601 time with a zone, e.g. `2026-11-21T10:00:00.123Z`. */
export const isoTimeSchema = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 time with a zone, e.g. 2026-11-21T10:00:00.000Z',
});

/** Any JSON value, nested at most {@link maxJsonDepth} levels. */
export const jsonValueSchema = z.unknown().superRefine((value, context) => {
  if (jsonDepthExceeds(value, maxJsonDepth))
    context.addIssue({ code: 'custom', message: `is nested deeper than ${maxJsonDepth} levels` });
});

const jsonObjectSchema = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  if (jsonDepthExceeds(value, maxJsonDepth))
    context.addIssue({ code: 'custom', message: `is nested deeper than ${maxJsonDepth} levels` });
});

/** Token counts of a generation. */
export const usageSchema = z.strictObject({
  input_tokens: z.number().int().nonnegative().optional(),
  output_tokens: z.number().int().nonnegative().optional(),
  cached_input_tokens: z.number().int().nonnegative().optional(),
  reasoning_tokens: z.number().int().nonnegative().optional(),
  /** Counted by a tokenizer rather than reported by the provider. */
  estimated: z.boolean().optional(),
});
export type UsageBody = z.infer<typeof usageSchema>;

/** The prompt version a generation rendered. */
export const promptRefSchema = z.strictObject({
  name: z.string().min(1).max(300),
  version: z.number().int().positive(),
});

/**
 * The fields of a trace an event sets. Create and update events carry the same shape: every
 * field is optional but `id`, and a field an event leaves out keeps what is stored.
 */
export const traceBodySchema = z.strictObject({
  id: entityIdSchema,
  name: z.string().max(500).optional(),
  start_time: isoTimeSchema.optional(),
  end_time: isoTimeSchema.optional(),
  status: spanStatusSchema.optional(),
  user_id: z.string().max(500).nullable().optional(),
  session_id: z.string().max(500).nullable().optional(),
  tags: z.array(z.string().min(1).max(200)).max(50).optional(),
  metadata: jsonObjectSchema.optional(),
  environment: z.string().max(200).nullable().optional(),
  release: z.string().max(200).nullable().optional(),
  input: jsonValueSchema.optional(),
  output: jsonValueSchema.optional(),
});
export type TraceBody = z.infer<typeof traceBodySchema>;

/** The fields of a span an event sets; as for traces, what an event leaves out is kept. */
export const spanBodySchema = z.strictObject({
  id: entityIdSchema,
  trace_id: entityIdSchema,
  parent_id: entityIdSchema.nullable().optional(),
  kind: spanKindSchema.optional(),
  name: z.string().max(500).optional(),
  start_time: isoTimeSchema.optional(),
  end_time: isoTimeSchema.optional(),
  status: spanStatusSchema.optional(),
  status_message: z.string().max(10_000).nullable().optional(),
  input: jsonValueSchema.optional(),
  output: jsonValueSchema.optional(),
  model: z.string().max(300).nullable().optional(),
  provider: z.string().max(100).nullable().optional(),
  usage: usageSchema.nullable().optional(),
  /** USD. `null` means unknown; left out, the server prices the usage when it knows the model. */
  cost: z.number().nonnegative().nullable().optional(),
  time_to_first_token_ms: z.number().nonnegative().nullable().optional(),
  attributes: jsonObjectSchema.optional(),
  prompt: promptRefSchema.nullable().optional(),
});
export type SpanBody = z.infer<typeof spanBodySchema>;

/** Where a score came from. */
export const scoreSourceSchema = z.enum(['api', 'human', 'eval']);
export const scoreDataTypeSchema = z.enum(['numeric', 'boolean', 'categorical']);

/** A score on a trace, or on one of its spans. Re-sending the same id replaces it. */
export const scoreBodySchema = z.strictObject({
  id: entityIdSchema,
  trace_id: entityIdSchema,
  span_id: entityIdSchema.nullable().optional(),
  name: z.string().min(1).max(200),
  /** A number (numeric), a boolean, or a string (categorical). */
  value: z.union([z.number(), z.boolean(), z.string().max(500)]),
  source: scoreSourceSchema.optional(),
  comment: z.string().max(10_000).nullable().optional(),
  timestamp: isoTimeSchema.optional(),
});
export type ScoreBody = z.infer<typeof scoreBodySchema>;

const eventEnvelope = {
  /** The event's own id (for per-item results); the entity id is `body.id`. */
  id: entityIdSchema,
  /**
   * When the event happened (default: when the server received it). When two events set the
   * same field, the later one wins, whatever order they arrive in.
   */
  timestamp: isoTimeSchema.optional(),
};

/** One item of a `POST /api/ingest` batch. */
export const ingestEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...eventEnvelope, type: z.literal('trace-create'), body: traceBodySchema }),
  z.strictObject({ ...eventEnvelope, type: z.literal('trace-update'), body: traceBodySchema }),
  z.strictObject({ ...eventEnvelope, type: z.literal('span-create'), body: spanBodySchema }),
  z.strictObject({ ...eventEnvelope, type: z.literal('span-update'), body: spanBodySchema }),
  z.strictObject({ ...eventEnvelope, type: z.literal('score-create'), body: scoreBodySchema }),
]);
export type IngestEvent = z.infer<typeof ingestEventSchema>;
export type IngestEventType = IngestEvent['type'];

/** `POST /api/ingest`: items are checked one by one, so one bad item does not sink the batch. */
export const ingestRequestSchema = z.strictObject({
  batch: z.array(z.unknown()),
});
export type IngestRequest = { batch: IngestEvent[] };

/** The answer to `POST /api/ingest` (200 when every item was stored, 207 when some were refused). */
export const ingestResponseSchema = z.object({
  successes: z.array(z.object({ id: z.string(), status: z.number() })),
  errors: z.array(
    z.object({ id: z.string().nullable(), status: z.number(), code: z.string(), message: z.string() }),
  ),
});
export type IngestResponseBody = z.infer<typeof ingestResponseSchema>;

/** Whether a JSON-like value nests deeper than `limit` levels (iterative: no stack overflow). */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (depth > limit) return true;
    const children = Array.isArray(current) ? current : Object.values(current as object);
    for (const child of children)
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
