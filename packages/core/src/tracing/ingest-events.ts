import {
  type IngestEvent,
  ingestEventSchema,
  type ScoreBody,
  type SpanBody,
  type TraceBody,
} from '@flywheel/spec';
import { computeCost } from '../costs/compute-cost.js';
import type { PriceTable } from '../costs/price-table.js';
import { capPayload } from './cap-payload.js';
import type { SpanUsage } from './span.js';
import type { ScoreRecord, SpanPatch, TracePatch, TraceWriteBatch } from './trace-patch.js';

/** The outcome of one batch item: stored (once committed), or refused with a reason. */
export type IngestItemResult =
  | { index: number; id: string; ok: true }
  | { index: number; id: string | null; ok: false; status: number; code: string; message: string };

/** Options of {@link eventsToBatch}. */
export interface EventsToBatchOptions {
  projectId: string;
  /** When the request arrived (ISO); the event time of events that carry none. */
  receivedAt: string;
  /** Input and output larger than this (UTF-8 bytes of their JSON) are cut and flagged. */
  maxPayloadBytes: number;
  /** Prices usage of spans that name a model but no cost. */
  prices: PriceTable;
}

/**
 * Checks each item of an ingest batch on its own and turns the valid ones into one write batch,
 * so a bad item is refused (with what to fix) while the rest are stored.
 */
export function eventsToBatch(
  items: unknown[],
  options: EventsToBatchOptions,
): { batch: TraceWriteBatch; results: IngestItemResult[] } {
  const batch: TraceWriteBatch = { projectId: options.projectId, traces: [], spans: [], scores: [] };
  const results: IngestItemResult[] = [];
  items.forEach((item, index) => {
    const parsed = ingestEventSchema.safeParse(item);
    if (!parsed.success) {
      const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : null;
      results.push({
        index,
        id,
        ok: false,
        status: 400,
        code: 'validation_failed',
        message: describeIssues(parsed.error.issues),
      });
      return;
    }
    const event = parsed.data;
    const eventTime = event.timestamp ? iso(event.timestamp) : options.receivedAt;
    addEvent(batch, event, eventTime, options);
    results.push({ index, id: event.id, ok: true });
  });
  return { batch, results };
}

function addEvent(
  batch: TraceWriteBatch,
  event: IngestEvent,
  eventTime: string,
  options: EventsToBatchOptions,
) {
  switch (event.type) {
    case 'trace-create':
    case 'trace-update':
      batch.traces.push(tracePatch(event.body, eventTime, options.maxPayloadBytes));
      return;
    case 'span-create':
    case 'span-update':
      batch.spans.push(priceSpan(spanPatch(event.body, eventTime, options.maxPayloadBytes), options.prices));
      return;
    case 'score-create':
      batch.scores.push(scoreRecord(event.body, eventTime));
      return;
  }
}

function tracePatch(body: TraceBody, eventTime: string, maxBytes: number): TracePatch {
  const patch: TracePatch = { id: body.id, eventTime };
  if (body.name !== undefined) patch.name = body.name;
  if (body.start_time !== undefined) patch.startTime = iso(body.start_time);
  if (body.end_time !== undefined) patch.endTime = iso(body.end_time);
  if (body.status !== undefined) patch.status = body.status;
  if (body.user_id !== undefined) patch.userId = body.user_id;
  if (body.session_id !== undefined) patch.sessionId = body.session_id;
  if (body.tags !== undefined) patch.tags = body.tags;
  if (body.metadata !== undefined) patch.metadata = body.metadata;
  if (body.environment !== undefined) patch.environment = body.environment;
  if (body.release !== undefined) patch.release = body.release;
  if (body.input !== undefined) patch.input = capPayload(body.input, maxBytes).value;
  if (body.output !== undefined) patch.output = capPayload(body.output, maxBytes).value;
  return patch;
}

function spanPatch(body: SpanBody, eventTime: string, maxBytes: number): SpanPatch {
  const patch: SpanPatch = { id: body.id, traceId: body.trace_id, eventTime };
  if (body.parent_id !== undefined) patch.parentId = body.parent_id;
  if (body.kind !== undefined) patch.kind = body.kind;
  if (body.name !== undefined) patch.name = body.name;
  if (body.start_time !== undefined) patch.startTime = iso(body.start_time);
  if (body.end_time !== undefined) patch.endTime = iso(body.end_time);
  if (body.status !== undefined) patch.status = body.status;
  if (body.status_message !== undefined) patch.statusMessage = body.status_message;
  if (body.input !== undefined) {
    const capped = capPayload(body.input, maxBytes);
    patch.input = capped.value;
    patch.inputTruncated = capped.truncated;
  }
  if (body.output !== undefined) {
    const capped = capPayload(body.output, maxBytes);
    patch.output = capped.value;
    patch.outputTruncated = capped.truncated;
  }
  if (body.model !== undefined) patch.model = body.model;
  if (body.provider !== undefined) patch.provider = body.provider;
  if (body.usage !== undefined) patch.usage = body.usage === null ? null : spanUsage(body.usage);
  if (body.cost !== undefined) patch.cost = body.cost;
  if (body.time_to_first_token_ms !== undefined) patch.timeToFirstTokenMs = body.time_to_first_token_ms;
  if (body.attributes !== undefined) patch.attributes = body.attributes;
  if (body.prompt !== undefined) {
    patch.promptName = body.prompt?.name ?? null;
    patch.promptVersion = body.prompt?.version ?? null;
  }
  return patch;
}

function spanUsage(usage: NonNullable<SpanBody['usage']>): SpanUsage {
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    ...(usage.cached_input_tokens === undefined ? {} : { cachedInputTokens: usage.cached_input_tokens }),
    ...(usage.reasoning_tokens === undefined ? {} : { reasoningTokens: usage.reasoning_tokens }),
    estimated: usage.estimated ?? false,
  };
}

/** A score as stored, from what a client sent; `receivedAt` stands in for a missing timestamp. */
export function scoreRecord(body: ScoreBody, receivedAt: string): ScoreRecord {
  return {
    id: body.id,
    traceId: body.trace_id,
    spanId: body.span_id ?? null,
    name: body.name,
    dataType:
      typeof body.value === 'number'
        ? 'numeric'
        : typeof body.value === 'boolean'
          ? 'boolean'
          : 'categorical',
    value: body.value,
    source: body.source ?? 'api',
    comment: body.comment ?? null,
    createdAt: body.timestamp ? iso(body.timestamp) : receivedAt,
  };
}

/**
 * Fills in the cost of a span that reports usage and a model but no cost, from the price table
 * (null, unknown, when no price applies). A span that states its cost keeps it. The cost is set
 * on `patch` itself, which must be one the caller just made: a copy of every span's ~30 fields
 * was ~3 % of the request thread of ingestion (bench/ingest).
 */
export function priceSpan(patch: SpanPatch, prices: PriceTable): SpanPatch {
  if (patch.cost !== undefined || !patch.usage || !patch.model) return patch;
  const at = new Date(patch.startTime ?? patch.eventTime);
  patch.cost = null;
  for (const provider of providerCandidates(patch.provider)) {
    const cost = computeCost(patch.usage, { provider, model: patch.model }, at, prices);
    if (cost.total !== null) {
      patch.cost = cost.total;
      break;
    }
  }
  return patch;
}

// OpenTelemetry and SDKs name providers loosely (`openai`, `azure.ai.openai`, `anthropic`,
// `aws.bedrock`, …). Only names that are unmistakably one of the priced providers are mapped;
// an unnamed provider is tried against each, since model ids of the price table are distinct.
function providerCandidates(provider: string | null | undefined): string[] {
  const name = provider?.toLowerCase() ?? '';
  if (name === 'openai' || name.endsWith('.openai')) return ['openai'];
  if (name === 'anthropic' || name.endsWith('.anthropic')) return ['anthropic'];
  if (name === '') return ['openai', 'anthropic', '*'];
  return [name];
}

/**
 * A validated timestamp as ISO-8601 UTC with milliseconds, as `Date#toISOString` writes it. Text
 * already in that form is returned as it is when no field can roll over (days up to the 28th):
 * parsing it into a `Date` and back was ~2 µs per span, 7 % of ingestion's request thread
 * (bench/ingest, --cpu-prof). Anything else (another zone, no milliseconds, the 29th to the
 * 31st) goes through `Date`, as before.
 */
const iso = (time: string) => (canonicalIso.test(time) ? time : new Date(time).toISOString());
const canonicalIso =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(item)'}: ${issue.message}`,
    )
    .join('; ');
}
