import type { SpanBody, TraceBody, UsageBody } from '@flywheel/spec';
import type { SpanFields, TokenUsage, TraceFields } from './tracer-types.js';

/** Applies the tracer's mask to a payload; never throws. */
export type Clean = <T>(value: T) => T;

/** The wire body of a span event: only the fields given are set (left out = keep what is stored). */
export function spanBody(id: string, traceId: string, fields: SpanFields, clean: Clean): SpanBody {
  const body: SpanBody = { id, trace_id: traceId };
  if (fields.name !== undefined) body.name = fields.name;
  if (fields.input !== undefined) body.input = clean(fields.input);
  if (fields.output !== undefined) body.output = clean(fields.output);
  if (fields.model !== undefined) body.model = fields.model;
  if (fields.provider !== undefined) body.provider = fields.provider;
  if (fields.usage !== undefined) body.usage = usageBody(fields.usage);
  if (fields.cost !== undefined) body.cost = fields.cost;
  if (fields.timeToFirstTokenMs !== undefined) body.time_to_first_token_ms = fields.timeToFirstTokenMs;
  if (fields.attributes !== undefined) body.attributes = clean(fields.attributes);
  if (fields.status !== undefined) body.status = fields.status;
  if (fields.statusMessage !== undefined) body.status_message = String(fields.statusMessage).slice(0, 10_000);
  if (fields.prompt !== undefined) body.prompt = fields.prompt;
  return body;
}

/** The wire body of a trace event, with the same "only what is given" rule. */
export function traceBody(id: string, fields: TraceFields, clean: Clean): TraceBody {
  const body: TraceBody = { id };
  if (fields.name !== undefined) body.name = fields.name;
  if (fields.userId !== undefined) body.user_id = fields.userId;
  if (fields.sessionId !== undefined) body.session_id = fields.sessionId;
  if (fields.tags !== undefined) body.tags = fields.tags;
  if (fields.metadata !== undefined) body.metadata = clean(fields.metadata);
  if (fields.input !== undefined) body.input = clean(fields.input);
  if (fields.output !== undefined) body.output = clean(fields.output);
  return body;
}

function usageBody(usage: TokenUsage): UsageBody {
  const body: UsageBody = {};
  if (usage.inputTokens !== undefined) body.input_tokens = usage.inputTokens;
  if (usage.outputTokens !== undefined) body.output_tokens = usage.outputTokens;
  if (usage.cachedInputTokens !== undefined) body.cached_input_tokens = usage.cachedInputTokens;
  if (usage.reasoningTokens !== undefined) body.reasoning_tokens = usage.reasoningTokens;
  return body;
}

/** How an error reads in `status_message`: `TypeError: x is undefined`. */
export function describeFailure(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    // An object whose toString throws must not make recording the failure throw too.
    return 'unknown error';
  }
}

/** `date` (default now) in ms; an invalid Date counts as now rather than throw into the app later. */
export function timeMs(date: Date | undefined): number {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  return Number.isNaN(time) ? Date.now() : time;
}

/** `date` (default now) as ISO-8601, see {@link timeMs}. */
export function isoTime(date: Date | undefined): string {
  return new Date(timeMs(date)).toISOString();
}
