/**
 * A decoded OTLP attribute value as plain JS: int64 is a number when it is a safe integer and a
 * decimal string otherwise, bytes are base64, non-finite doubles are `'NaN'`, `'Infinity'` or
 * `'-Infinity'` (as OTLP/JSON writes them), an empty AnyValue is null.
 */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | OtlpAttributes;

/**
 * Attributes by key; a later duplicate key wins. Objects have a null prototype, so keys such as
 * `__proto__` or `constructor` are ordinary own properties and a lookup never hits
 * `Object.prototype`.
 */
export interface OtlpAttributes {
  [key: string]: OtlpValue;
}

/** OTLP span kinds: unspecified, internal, server, client, producer, consumer. */
export type OtlpSpanKind = 0 | 1 | 2 | 3 | 4 | 5;

/** OTLP status codes: unset, ok, error. */
export type OtlpStatusCode = 0 | 1 | 2;

/** An ExportTraceServiceRequest, decoded from protobuf or JSON into one shape. */
export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
  /** Spans the decoder refused (invalid ids or times); they are absent from `resourceSpans`. */
  rejectedSpans: number;
  /** Why spans were refused, one line each, at most `maxOtlpErrors` of them. */
  errors: string[];
}

/** The spans of one resource (one service instance). */
export interface OtlpResourceSpans {
  resource: { attributes: OtlpAttributes };
  scopeSpans: OtlpScopeSpans[];
}

/** The spans one instrumentation library produced. */
export interface OtlpScopeSpans {
  /** Empty strings when the exporter sent no scope. */
  scope: { name: string; version: string };
  spans: OtlpSpan[];
}

/** One span; ids are validated lowercase hex. */
export interface OtlpSpan {
  /** 32 lowercase hex digits, never all zero. */
  traceId: string;
  /** 16 lowercase hex digits, never all zero. */
  spanId: string;
  /** null for a root span. */
  parentSpanId: string | null;
  traceState: string;
  flags: number;
  name: string;
  kind: OtlpSpanKind;
  /** Nanoseconds since the epoch; 0n when not sent. */
  startTimeUnixNano: bigint;
  /** Nanoseconds since the epoch; 0n when not sent. */
  endTimeUnixNano: bigint;
  attributes: OtlpAttributes;
  events: OtlpEvent[];
  status: { code: OtlpStatusCode; message: string };
}

/** A timestamped annotation on a span (e.g. `exception`, `gen_ai.choice`). */
export interface OtlpEvent {
  /** Nanoseconds since the epoch; 0n when not sent. */
  timeUnixNano: bigint;
  name: string;
  attributes: OtlpAttributes;
}

/** What the server tells an exporter about spans it did not keep. */
export interface ExportTraceServiceResult {
  /** Spans refused; 0 when all were accepted. */
  rejectedSpans: number;
  /** Why (or a warning when nothing was refused); empty or absent when there is nothing to say. */
  errorMessage?: string;
}
