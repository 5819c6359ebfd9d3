import { z } from 'zod';
import {
  isoTimeSchema,
  promptRefSchema,
  scoreDataTypeSchema,
  scoreSourceSchema,
  spanKindSchema,
  spanStatusSchema,
} from './ingest.js';

/** Token counts as the API shows them. */
export const usageViewSchema = z.object({
  input_tokens: z.number(),
  output_tokens: z.number(),
  cached_input_tokens: z.number().nullable(),
  reasoning_tokens: z.number().nullable(),
  estimated: z.boolean(),
});

/** A trace in `GET /api/traces`. Aggregates (tokens, cost, models) cover all of its spans. */
export const traceSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  start_time: z.string(),
  end_time: z.string().nullable(),
  latency_ms: z.number().nullable(),
  status: spanStatusSchema,
  user_id: z.string().nullable(),
  session_id: z.string().nullable(),
  tags: z.array(z.string()),
  environment: z.string().nullable(),
  release: z.string().nullable(),
  span_count: z.number(),
  error_count: z.number(),
  models: z.array(z.string()),
  input_tokens: z.number(),
  output_tokens: z.number(),
  /** USD summed over the spans with a known cost; null when none has one. */
  cost: z.number().nullable(),
  /** Generations whose cost is unknown (no price for the model): `cost` leaves them out. */
  unknown_cost_count: z.number(),
});
export type TraceSummaryBody = z.infer<typeof traceSummarySchema>;

/** A score as the API shows it. */
export const scoreSchema = z.object({
  id: z.string(),
  trace_id: z.string(),
  span_id: z.string().nullable(),
  name: z.string(),
  data_type: scoreDataTypeSchema,
  value: z.union([z.number(), z.boolean(), z.string()]),
  source: scoreSourceSchema,
  comment: z.string().nullable(),
  created_at: z.string(),
});
export type ScoreViewBody = z.infer<typeof scoreSchema>;

/** A span as the API shows it, with its children (the tree of `GET /api/traces/:id`). */
export interface SpanNodeBody {
  id: string;
  trace_id: string;
  parent_id: string | null;
  kind: z.infer<typeof spanKindSchema>;
  name: string;
  start_time: string;
  end_time: string | null;
  duration_ms: number | null;
  status: z.infer<typeof spanStatusSchema>;
  status_message: string | null;
  input: unknown;
  output: unknown;
  input_truncated: boolean;
  output_truncated: boolean;
  model: string | null;
  provider: string | null;
  usage: z.infer<typeof usageViewSchema> | null;
  cost: number | null;
  time_to_first_token_ms: number | null;
  attributes: Record<string, unknown>;
  prompt: z.infer<typeof promptRefSchema> | null;
  children: SpanNodeBody[];
}
export const spanNodeSchema: z.ZodType<SpanNodeBody> = z.lazy(() =>
  z.object({
    id: z.string(),
    trace_id: z.string(),
    parent_id: z.string().nullable(),
    kind: spanKindSchema,
    name: z.string(),
    start_time: z.string(),
    end_time: z.string().nullable(),
    duration_ms: z.number().nullable(),
    status: spanStatusSchema,
    status_message: z.string().nullable(),
    input: z.unknown(),
    output: z.unknown(),
    input_truncated: z.boolean(),
    output_truncated: z.boolean(),
    model: z.string().nullable(),
    provider: z.string().nullable(),
    usage: usageViewSchema.nullable(),
    cost: z.number().nullable(),
    time_to_first_token_ms: z.number().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    prompt: promptRefSchema.nullable(),
    children: z.array(spanNodeSchema),
  }),
);

/** `GET /api/traces/:id`: the trace, its span tree (roots first, children by start time) and scores. */
export const traceDetailSchema = traceSummarySchema.extend({
  input: z.unknown(),
  output: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  spans: z.array(spanNodeSchema),
  scores: z.array(scoreSchema),
});
export type TraceDetailBody = z.infer<typeof traceDetailSchema>;

const optionalNumber = z.coerce.number().nonnegative().optional();
const listOf = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(',')).map((item) => item.trim()).filter(Boolean),
  )
  .optional();

/** Query of `GET /api/traces`; every filter is optional and they combine with AND. */
export const traceListQuerySchema = z.strictObject({
  /** Start time at or after (ISO). */
  from: isoTimeSchema.optional(),
  /** Start time before (ISO). */
  to: isoTimeSchema.optional(),
  name: z.string().max(500).optional(),
  user_id: z.string().max(500).optional(),
  session_id: z.string().max(500).optional(),
  /** Every tag listed (comma-separated or repeated). */
  tags: listOf,
  /** Traces with a span on this model. */
  model: z.string().max(300).optional(),
  status: z.enum(['ok', 'error']).optional(),
  environment: z.string().max(200).optional(),
  min_latency_ms: optionalNumber,
  max_latency_ms: optionalNumber,
  min_cost: optionalNumber,
  max_cost: optionalNumber,
  /** Words that must all appear in an input or output of the trace or its spans. */
  q: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** `next_cursor` of the previous page. */
  cursor: z.string().max(500).optional(),
});
export type TraceListQuery = z.input<typeof traceListQuerySchema>;

/** The answer to `GET /api/traces`: newest first. */
export const traceListSchema = z.object({
  data: z.array(traceSummarySchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
});
export type TraceListBody = z.infer<typeof traceListSchema>;

/** Query of `GET /api/metrics`. */
export const metricsQuerySchema = z.strictObject({
  from: isoTimeSchema,
  to: isoTimeSchema,
  group_by: z.enum(['model', 'prompt_version', 'time']).default('time'),
  /** Bucket width when grouping by time. */
  bucket: z.enum(['minute', 'hour', 'day']).default('hour'),
  /** Only generations of this model (as in `group_by=model`'s keys). */
  model: z.string().min(1).max(300).optional(),
  /** Only generations of this prompt version, `name@version` (as in `group_by=prompt_version`'s keys). */
  prompt_version: z.string().min(1).max(300).optional(),
});
export type MetricsQuery = z.input<typeof metricsQuerySchema>;

/** Figures of one group of generations. */
export const metricsRowSchema = z.object({
  /** The model, `name@version` of the prompt, or the bucket start (ISO); null when the spans had none. */
  key: z.string().nullable(),
  requests: z.number(),
  errors: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  /** USD over the generations with a known cost. */
  cost: z.number(),
  unknown_cost_count: z.number(),
  latency_ms: z.object({
    avg: z.number().nullable(),
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
  }),
});
export type MetricsRowBody = z.infer<typeof metricsRowSchema>;

/** The answer to `GET /api/metrics`: figures over generation spans, from rollups kept at write time. */
export const metricsSchema = z.object({
  from: z.string(),
  to: z.string(),
  group_by: z.enum(['model', 'prompt_version', 'time']),
  data: z.array(metricsRowSchema),
  total: metricsRowSchema,
});
export type MetricsBody = z.infer<typeof metricsSchema>;

/** `POST /api/scores`: feedback or an evaluation result on a trace or span. */
export { scoreBodySchema as createScoreRequestSchema } from './ingest.js';
