import { capPayload } from '../tracing/cap-payload.js';
import type { SpanStatus } from '../tracing/span.js';
import type { SpanPatch, TracePatch } from '../tracing/trace-patch.js';
import { AttributeReader } from './otlp-attribute-reader.js';
import { generationFields, spanKind } from './otlp-genai-generation.js';
import { SpanEvents, spanInput, spanOutput } from './otlp-genai-payloads.js';
import type { OtlpEvent, OtlpSpan, OtlpTraceRequest } from './otlp-types.js';
import { maxOtlpErrors, unixNanosToIso } from './otlp-values.js';

/** Options of {@link mapOtlpSpans}. */
export interface MapOtlpSpansOptions {
  /** When the request arrived (ISO-8601 UTC): event time of traces, and of spans with no end. */
  receivedAt: string;
  /**
   * Input, output and any single attribute larger than this (UTF-8 bytes of its JSON) is cut to
   * `{ truncated: true, preview }`; unlimited when absent.
   */
  maxPayloadBytes?: number;
}

/** What an OTLP request says about traces and spans, ready for the trace writer. */
export interface OtlpMappingResult {
  /** One patch per trace id, with only the fields its spans supply. */
  traces: TracePatch[];
  spans: SpanPatch[];
  /** Spans not kept: refused by the decoder, plus any that could not be mapped. */
  rejected: number;
  /** Why, at most `maxOtlpErrors` lines. */
  errors: string[];
}

/** What a span contributes to its trace. */
interface TraceFacts {
  name?: string;
  userId?: string;
  sessionId?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Maps decoded OTLP spans to span and trace patches, reading the OpenTelemetry GenAI semantic
 * conventions, the Vercel AI SDK's `ai.*` attributes, OpenInference and OpenLLMetry: kind, model,
 * provider, token usage, messages and time to first token. What no field takes is kept in
 * `attributes`, with the resource's `service.name` and the scope as `otel.scope.name`/`version`.
 * Costs are left unset for the server to price. Never throws on odd attribute values: they are
 * coerced when unambiguous, else kept as plain attributes.
 *
 * @example
 * const request = decodeOtlpProtobuf(body);
 * const { traces, spans, rejected, errors } = mapOtlpSpans(request, { receivedAt, maxPayloadBytes });
 */
export function mapOtlpSpans(request: OtlpTraceRequest, options: MapOtlpSpansOptions): OtlpMappingResult {
  const traces = new Map<string, TracePatch>();
  const spans: SpanPatch[] = [];
  const errors = [...request.errors];
  let rejected = request.rejectedSpans;
  for (const { resource, scopeSpans } of request.resourceSpans) {
    const resourceReader = new AttributeReader(resource.attributes);
    const serviceName = resourceReader.peekString('service.name');
    const environment =
      resourceReader.peekString('deployment.environment.name') ??
      resourceReader.peekString('deployment.environment');
    const release = resourceReader.peekString('service.version');
    for (const { scope, spans: scopeSpanList } of scopeSpans) {
      const context: SpanContext = { serviceName, scope, options };
      for (const span of scopeSpanList) {
        let mapped: { patch: SpanPatch; facts: TraceFacts };
        try {
          mapped = mapSpan(span, context);
        } catch (error) {
          // Not expected (every read is defensive); one odd span must not lose the request.
          rejected++;
          if (errors.length < maxOtlpErrors)
            errors.push(`span ${span.spanId}: could not be mapped (${describe(error)})`);
          continue;
        }
        spans.push(mapped.patch);
        const trace = traces.get(span.traceId) ?? { id: span.traceId, eventTime: options.receivedAt };
        traces.set(span.traceId, trace);
        addTraceFacts(trace, mapped.facts);
        if (environment !== undefined) trace.environment ??= environment;
        if (release !== undefined) trace.release ??= release;
      }
    }
  }
  return { traces: [...traces.values()], spans, rejected, errors };
}

interface SpanContext {
  serviceName: string | undefined;
  scope: { name: string; version: string };
  options: MapOtlpSpansOptions;
}

function mapSpan(span: OtlpSpan, context: SpanContext): { patch: SpanPatch; facts: TraceFacts } {
  const { receivedAt, maxPayloadBytes } = context.options;
  const reader = new AttributeReader(span.attributes);
  const events = new SpanEvents(span.events);
  const startTime = unixNanosToIso(span.startTimeUnixNano);
  const endTime = unixNanosToIso(span.endTimeUnixNano);
  const kind = spanKind(reader);
  const patch: SpanPatch = {
    id: span.spanId,
    traceId: span.traceId,
    eventTime: endTime ?? receivedAt,
    parentId: span.parentSpanId,
    kind,
    name: span.name,
    status: statuses[span.status.code],
  };
  if (startTime !== undefined) patch.startTime = startTime;
  if (endTime !== undefined) patch.endTime = endTime;
  if (span.status.code === 2) patch.statusMessage = span.status.message || exceptionMessage(span.events);
  // Usage, model and provider only on model calls: wrapper spans (agents, chains, the Vercel AI
  // SDK's outer `ai.generateText`) repeat their children's tokens, which would count twice.
  if (kind === 'generation') Object.assign(patch, generationFields(reader));
  const promptName = reader.string('flywheel.prompt.name', 'gen_ai.prompt.name');
  const promptVersion = reader.count('flywheel.prompt.version');
  if (promptName !== undefined) patch.promptName = promptName;
  if (promptVersion !== undefined && promptVersion > 0) patch.promptVersion = promptVersion;

  const input = spanInput(reader, events);
  if (input !== undefined) {
    const capped = cap(input, maxPayloadBytes);
    patch.input = capped.value;
    patch.inputTruncated = capped.truncated;
  }
  const output = spanOutput(reader, events);
  if (output !== undefined) {
    const capped = cap(output, maxPayloadBytes);
    patch.output = capped.value;
    patch.outputTruncated = capped.truncated;
  }

  const facts: TraceFacts = {
    userId: reader.string('user.id', 'enduser.id', 'ai.telemetry.metadata.userId'),
    sessionId: reader.string('session.id', 'gen_ai.conversation.id', 'ai.telemetry.metadata.sessionId'),
    metadata: vercelMetadata(reader),
  };
  if (span.parentSpanId === null) {
    // The Vercel AI SDK names every root `ai.generateText` and the like; the function id the
    // application chose says which call it was.
    facts.name = reader.peekString('ai.telemetry.functionId') ?? (span.name || undefined);
  }
  patch.attributes = plainAttributes(reader, events, context, maxPayloadBytes);
  return { patch, facts };
}

const statuses: Record<OtlpSpan['status']['code'], SpanStatus> = { 0: 'unset', 1: 'ok', 2: 'error' };

/** An error span without a status message: the recorded exception usually says what failed. */
function exceptionMessage(events: OtlpEvent[]): string | null {
  for (const event of events) {
    if (event.name !== 'exception') continue;
    const reader = new AttributeReader(event.attributes);
    const message = reader.peekString('exception.message') ?? reader.peekString('exception.type');
    if (message !== undefined) return message;
  }
  return null;
}

// `ai.telemetry.metadata.*` is what the application attached to the call: trace metadata. It
// also stays on the span, where the SDK put it.
function vercelMetadata(reader: AttributeReader): Record<string, unknown> | undefined {
  const prefix = 'ai.telemetry.metadata.';
  let metadata: Record<string, unknown> | undefined;
  for (const [key, value] of reader.rest()) {
    if (!key.startsWith(prefix) || key.length === prefix.length) continue;
    metadata ??= {};
    defineOwn(metadata, key.slice(prefix.length), value);
  }
  return metadata;
}

function plainAttributes(
  reader: AttributeReader,
  events: SpanEvents,
  context: SpanContext,
  maxBytes: number | undefined,
): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  if (context.serviceName !== undefined) defineOwn(attributes, 'service.name', context.serviceName);
  if (context.scope.name !== '') defineOwn(attributes, 'otel.scope.name', context.scope.name);
  if (context.scope.version !== '') defineOwn(attributes, 'otel.scope.version', context.scope.version);
  for (const [key, value] of reader.rest()) defineOwn(attributes, key, cap(value, maxBytes).value);
  const rest = events.rest();
  if (rest.length > 0) {
    const list = rest.map((event) => ({
      name: event.name,
      time: unixNanosToIso(event.timeUnixNano) ?? null,
      attributes: event.attributes,
    }));
    defineOwn(attributes, 'otel.events', cap(list, maxBytes).value);
  }
  return attributes;
}

function addTraceFacts(trace: TracePatch, facts: TraceFacts): void {
  if (facts.name !== undefined) trace.name = facts.name;
  if (facts.userId !== undefined) trace.userId ??= facts.userId;
  if (facts.sessionId !== undefined) trace.sessionId ??= facts.sessionId;
  if (facts.metadata !== undefined) {
    trace.metadata ??= {};
    for (const key of Object.keys(facts.metadata)) defineOwn(trace.metadata, key, facts.metadata[key]);
  }
}

function cap(value: unknown, maxBytes: number | undefined): { value: unknown; truncated: boolean } {
  return maxBytes === undefined ? { value, truncated: false } : capPayload(value, maxBytes);
}

/**
 * Sets an own, enumerable property. Keys come from senders; assignment would run the
 * `__proto__` setter of `Object.prototype` and swap the object's prototype.
 */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Only `__proto__` needs defineProperty; an assignment keeps the object's fast shape and cost
  // a quarter as much (~0.2 against ~0.9 µs per span of four attributes).
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
