import type { SpanRecord, TraceRecord } from './span.js';
import type { SpanPatch, TracePatch } from './trace-patch.js';

/**
 * Merges one event into a stored span. A field the event sets replaces the stored one when the
 * event is at least as late as every event merged so far, or when nothing was stored for it;
 * otherwise the stored (later) value stays. So create-then-update and update-then-create end
 * in the same record, and re-sending an event changes nothing.
 */
export function mergeSpan(projectId: string, existing: SpanRecord | undefined, patch: SpanPatch): SpanRecord {
  const base: SpanRecord = existing ?? emptySpan(projectId, patch);
  const later = existing === undefined || patch.eventTime >= existing.eventTime;
  const take = <K extends keyof SpanPatch & keyof SpanRecord>(
    key: K,
    unset: SpanRecord[K],
  ): SpanRecord[K] => {
    const incoming = patch[key] as SpanRecord[K] | undefined;
    if (incoming === undefined) return base[key];
    if (later || base[key] === unset) return incoming;
    return base[key];
  };
  const merged: SpanRecord = {
    ...base,
    parentId: take('parentId', null),
    kind: existing === undefined ? (patch.kind ?? 'span') : take('kind', 'span'),
    name: take('name', ''),
    startTime: take('startTime', null),
    endTime: take('endTime', null),
    status: take('status', 'unset'),
    statusMessage: take('statusMessage', null),
    input: take('input', null),
    output: take('output', null),
    // The flag travels with the payload it describes.
    inputTruncated:
      patch.input !== undefined && (later || base.input === null)
        ? (patch.inputTruncated ?? false)
        : base.inputTruncated,
    outputTruncated:
      patch.output !== undefined && (later || base.output === null)
        ? (patch.outputTruncated ?? false)
        : base.outputTruncated,
    model: take('model', null),
    provider: take('provider', null),
    usage: take('usage', null),
    cost: take('cost', null),
    timeToFirstTokenMs: take('timeToFirstTokenMs', null),
    attributes: mergeObjects(base.attributes, patch.attributes, later),
    promptName: take('promptName', null),
    promptVersion: take('promptVersion', null),
    eventTime: later ? patch.eventTime : base.eventTime,
  };
  // A measured duration (the gateway's) is kept as sent; otherwise it follows start and end.
  merged.durationMs =
    patch.durationMs !== undefined && patch.durationMs !== null && (later || base.durationMs === null)
      ? patch.durationMs
      : merged.startTime !== null && merged.endTime !== null
        ? Math.max(0, Date.parse(merged.endTime) - Date.parse(merged.startTime))
        : base.durationMs;
  return merged;
}

/** Merges one event into a stored trace (declared fields only; aggregates are kept elsewhere). */
export function mergeTrace(
  projectId: string,
  existing: TraceRecord | undefined,
  patch: TracePatch,
): TraceRecord {
  const base = existing ?? emptyTrace(projectId, patch.id, patch.eventTime);
  const later = existing === undefined || patch.eventTime >= base.eventTime;
  const take = <K extends keyof TracePatch & keyof TraceRecord>(
    key: K,
    unset: TraceRecord[K],
  ): TraceRecord[K] => {
    const incoming = patch[key] as TraceRecord[K] | undefined;
    if (incoming === undefined) return base[key];
    if (later || base[key] === unset) return incoming;
    return base[key];
  };
  return {
    ...base,
    name: take('name', null),
    startTime: take('startTime', null),
    endTime: take('endTime', null),
    status: take('status', null),
    userId: take('userId', null),
    sessionId: take('sessionId', null),
    tags:
      patch.tags !== undefined && (later || base.tags.length === 0) ? [...new Set(patch.tags)] : base.tags,
    metadata: mergeObjects(base.metadata, patch.metadata, later),
    environment: take('environment', null),
    release: take('release', null),
    input: take('input', null),
    output: take('output', null),
    eventTime: later ? patch.eventTime : base.eventTime,
  };
}

/** A trace no event has declared yet: spans may arrive before it. */
export function emptyTrace(projectId: string, id: string, eventTime: string): TraceRecord {
  return {
    id,
    projectId,
    name: null,
    startTime: null,
    endTime: null,
    status: null,
    userId: null,
    sessionId: null,
    tags: [],
    metadata: {},
    environment: null,
    release: null,
    input: null,
    output: null,
    eventTime,
    rootName: null,
    spanStartMin: null,
    spanEndMax: null,
    spanCount: 0,
    errorCount: 0,
    inputTokens: 0,
    outputTokens: 0,
    cost: null,
    unknownCostCount: 0,
    models: [],
    sortTime: eventTime,
    displayName: '',
    displayStatus: 'ok',
    latencyMs: null,
  };
}

function emptySpan(projectId: string, patch: SpanPatch): SpanRecord {
  return {
    id: patch.id,
    projectId,
    traceId: patch.traceId,
    parentId: null,
    kind: 'span',
    name: '',
    startTime: null,
    endTime: null,
    durationMs: null,
    status: 'unset',
    statusMessage: null,
    input: null,
    output: null,
    inputTruncated: false,
    outputTruncated: false,
    model: null,
    provider: null,
    usage: null,
    cost: null,
    timeToFirstTokenMs: null,
    attributes: {},
    promptName: null,
    promptVersion: null,
    eventTime: patch.eventTime,
  };
}

/**
 * Key-by-key merge; the later side wins a shared key. Keys are copied with defineProperty so a
 * key such as `__proto__` stays an ordinary property and never reaches a prototype.
 */
function mergeObjects(
  stored: Record<string, unknown>,
  incoming: Record<string, unknown> | undefined,
  incomingIsLater: boolean,
): Record<string, unknown> {
  if (incoming === undefined) return stored;
  const [first, second] = incomingIsLater ? [stored, incoming] : [incoming, stored];
  const merged: Record<string, unknown> = {};
  for (const source of [first, second])
    for (const key of Object.keys(source))
      Object.defineProperty(merged, key, {
        value: source[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return merged;
}
