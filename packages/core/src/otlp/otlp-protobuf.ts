import { ProtobufReader, WireType } from './otlp-protobuf-reader.js';
import type {
  ExportTraceServiceResult,
  OtlpAttributes,
  OtlpEvent,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpSpanKind,
  OtlpStatusCode,
  OtlpTraceRequest,
  OtlpValue,
} from './otlp-types.js';
import {
  bytesToBase64,
  bytesToHex,
  doubleToValue,
  idProblem,
  isNoParent,
  maxAnyValueDepth,
  newAttributes,
  rejectedCount,
  SpanRejections,
  spanLocation,
} from './otlp-values.js';

export type { ExportTraceServiceResult } from './otlp-types.js';

// Field numbers follow opentelemetry-proto: collector/trace/v1/trace_service.proto,
// trace/v1/trace.proto, common/v1/common.proto and resource/v1/resource.proto. Unknown fields
// (schema_url, dropped counts, links, entity refs, anything added later) are skipped.

/**
 * Decodes an OTLP/HTTP protobuf body (`opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`).
 * Spans with unusable ids are left out and counted in `rejectedSpans`; a body that is not valid
 * protobuf of this shape throws. Work and memory are linear in the body size.
 *
 * @throws {OtlpDecodeError} on truncated or malformed input, wire types that contradict the
 *   schema, groups, and attribute values nested deeper than `maxAnyValueDepth`.
 * @example
 * const request = decodeOtlpProtobuf(new Uint8Array(await req.arrayBuffer()));
 * const { spans, traces } = mapOtlpSpans(request, { receivedAt: new Date().toISOString() });
 */
export function decodeOtlpProtobuf(body: Uint8Array): OtlpTraceRequest {
  const reader = new ProtobufReader(body);
  const rejections = new SpanRejections();
  const resourceSpans: OtlpResourceSpans[] = [];
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(wireType, WireType.lengthDelimited, 'ExportTraceServiceRequest', field);
      resourceSpans.push(decodeResourceSpans(reader.message(), resourceSpans.length, rejections));
    } else reader.skip(wireType);
  }
  return { resourceSpans, rejectedSpans: rejections.count, errors: rejections.errors };
}

function decodeResourceSpans(
  reader: ProtobufReader,
  resourceIndex: number,
  rejections: SpanRejections,
): OtlpResourceSpans {
  const result: OtlpResourceSpans = { resource: { attributes: newAttributes() }, scopeSpans: [] };
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(wireType, WireType.lengthDelimited, 'ResourceSpans', field);
      // A repeated singular message merges into the first, as protobuf specifies.
      decodeResource(reader.message(), result.resource.attributes);
    } else if (field === 2) {
      reader.expect(wireType, WireType.lengthDelimited, 'ResourceSpans', field);
      const location = { resourceIndex, scopeIndex: result.scopeSpans.length };
      result.scopeSpans.push(decodeScopeSpans(reader.message(), location, rejections));
    } else reader.skip(wireType);
  }
  return result;
}

function decodeResource(reader: ProtobufReader, attributes: OtlpAttributes): void {
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(wireType, WireType.lengthDelimited, 'Resource', field);
      decodeKeyValue(reader.message(), attributes, 0);
    } else reader.skip(wireType);
  }
}

function decodeScopeSpans(
  reader: ProtobufReader,
  location: { resourceIndex: number; scopeIndex: number },
  rejections: SpanRejections,
): OtlpScopeSpans {
  const result: OtlpScopeSpans = { scope: { name: '', version: '' }, spans: [] };
  let spanIndex = 0;
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(wireType, WireType.lengthDelimited, 'ScopeSpans', field);
      decodeScope(reader.message(), result.scope);
    } else if (field === 2) {
      reader.expect(wireType, WireType.lengthDelimited, 'ScopeSpans', field);
      const raw = decodeSpan(reader.message());
      const where = spanLocation(location.resourceIndex, location.scopeIndex, spanIndex++, raw.spanId);
      const problem = spanIdsProblem(raw);
      if (problem === undefined) result.spans.push(raw as OtlpSpan);
      else rejections.add(`${where}: ${problem}`);
    } else reader.skip(wireType);
  }
  return result;
}

function decodeScope(reader: ProtobufReader, scope: { name: string; version: string }): void {
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 1 || field === 2) {
      reader.expect(wireType, WireType.lengthDelimited, 'InstrumentationScope', field);
      if (field === 1) scope.name = reader.string();
      else scope.version = reader.string();
    } else reader.skip(wireType);
  }
}

/** A span as read, ids still unchecked (hex of whatever bytes came). */
type RawSpan = Omit<OtlpSpan, 'parentSpanId'> & { parentSpanId: string };

function decodeSpan(reader: ProtobufReader): RawSpan {
  const span: RawSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    traceState: '',
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: newAttributes(),
    events: [],
    status: { code: 0, message: '' },
  };
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    switch (field) {
      case 1:
      case 2:
      case 3:
      case 4:
      case 5: {
        reader.expect(wireType, WireType.lengthDelimited, 'Span', field);
        if (field === 1) span.traceId = bytesToHex(reader.bytesField());
        else if (field === 2) span.spanId = bytesToHex(reader.bytesField());
        else if (field === 3) span.traceState = reader.string();
        else if (field === 4) span.parentSpanId = bytesToHex(reader.bytesField());
        else span.name = reader.string();
        break;
      }
      case 6:
        reader.expect(wireType, WireType.varint, 'Span', field);
        span.kind = spanKind(reader.varint());
        break;
      case 7:
      case 8:
        reader.expect(wireType, WireType.fixed64, 'Span', field);
        if (field === 7) span.startTimeUnixNano = reader.fixed64();
        else span.endTimeUnixNano = reader.fixed64();
        break;
      case 9:
        reader.expect(wireType, WireType.lengthDelimited, 'Span', field);
        decodeKeyValue(reader.message(), span.attributes, 0);
        break;
      case 11:
        reader.expect(wireType, WireType.lengthDelimited, 'Span', field);
        span.events.push(decodeEvent(reader.message()));
        break;
      case 15:
        reader.expect(wireType, WireType.lengthDelimited, 'Span', field);
        decodeStatus(reader.message(), span.status);
        break;
      case 16:
        reader.expect(wireType, WireType.fixed32, 'Span', field);
        span.flags = reader.fixed32();
        break;
      default:
        reader.skip(wireType);
    }
  }
  return span;
}

function spanIdsProblem(span: RawSpan): string | undefined {
  const traceProblem = idProblem(span.traceId, 16);
  if (traceProblem) return `traceId ${traceProblem}`;
  const spanProblem = idProblem(span.spanId, 8);
  if (spanProblem) return `spanId ${spanProblem}`;
  if (isNoParent(span.parentSpanId)) {
    (span as OtlpSpan).parentSpanId = null;
    return undefined;
  }
  const parentProblem = idProblem(span.parentSpanId, 8);
  return parentProblem ? `parentSpanId ${parentProblem}` : undefined;
}

function decodeEvent(reader: ProtobufReader): OtlpEvent {
  const event: OtlpEvent = { timeUnixNano: 0n, name: '', attributes: newAttributes() };
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(wireType, WireType.fixed64, 'Span.Event', field);
      event.timeUnixNano = reader.fixed64();
    } else if (field === 2) {
      reader.expect(wireType, WireType.lengthDelimited, 'Span.Event', field);
      event.name = reader.string();
    } else if (field === 3) {
      reader.expect(wireType, WireType.lengthDelimited, 'Span.Event', field);
      decodeKeyValue(reader.message(), event.attributes, 0);
    } else reader.skip(wireType);
  }
  return event;
}

function decodeStatus(reader: ProtobufReader, status: OtlpSpan['status']): void {
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 2) {
      reader.expect(wireType, WireType.lengthDelimited, 'Status', field);
      status.message = reader.string();
    } else if (field === 3) {
      reader.expect(wireType, WireType.varint, 'Status', field);
      status.code = statusCode(reader.varint());
    } else reader.skip(wireType);
  }
}

/** Decodes one KeyValue into `target` (a later duplicate key wins). */
function decodeKeyValue(reader: ProtobufReader, target: OtlpAttributes, depth: number): void {
  let key = '';
  let value: OtlpValue = null;
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(wireType, WireType.lengthDelimited, 'KeyValue', field);
      key = reader.string();
    } else if (field === 2) {
      reader.expect(wireType, WireType.lengthDelimited, 'KeyValue', field);
      value = decodeAnyValue(reader.message(), depth);
    } else reader.skip(wireType);
  }
  // A null-prototype target makes `__proto__` an ordinary key here.
  target[key] = value;
}

function decodeAnyValue(reader: ProtobufReader, depth: number): OtlpValue {
  let value: OtlpValue = null;
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    switch (field) {
      case 1:
        reader.expect(wireType, WireType.lengthDelimited, 'AnyValue', field);
        value = reader.string();
        break;
      case 2:
        reader.expect(wireType, WireType.varint, 'AnyValue', field);
        value = reader.varint() !== 0;
        break;
      case 3:
        reader.expect(wireType, WireType.varint, 'AnyValue', field);
        value = reader.int64();
        break;
      case 4:
        reader.expect(wireType, WireType.fixed64, 'AnyValue', field);
        value = doubleToValue(reader.double());
        break;
      case 5:
      case 6: {
        reader.expect(wireType, WireType.lengthDelimited, 'AnyValue', field);
        // Checked before descending, so a hostile body cannot exhaust the stack.
        if (depth + 1 > maxAnyValueDepth)
          throw reader.error(`attribute value nested deeper than ${maxAnyValueDepth} levels`);
        value =
          field === 5 ? decodeArray(reader.message(), depth + 1) : decodeKvlist(reader.message(), depth + 1);
        break;
      }
      case 7:
        reader.expect(wireType, WireType.lengthDelimited, 'AnyValue', field);
        value = bytesToBase64(reader.bytesField());
        break;
      default:
        reader.skip(wireType);
    }
  }
  return value;
}

function decodeArray(reader: ProtobufReader, depth: number): OtlpValue[] {
  const values: OtlpValue[] = [];
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(wireType, WireType.lengthDelimited, 'ArrayValue', field);
      values.push(decodeAnyValue(reader.message(), depth));
    } else reader.skip(wireType);
  }
  return values;
}

function decodeKvlist(reader: ProtobufReader, depth: number): OtlpAttributes {
  const values = newAttributes();
  while (!reader.done()) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(wireType, WireType.lengthDelimited, 'KeyValueList', field);
      decodeKeyValue(reader.message(), values, depth);
    } else reader.skip(wireType);
  }
  return values;
}

// Enum values outside the schema read as "unspecified", as proto3 treats unknown enum values.
function spanKind(value: number): OtlpSpanKind {
  return Number.isInteger(value) && value >= 0 && value <= 5 ? (value as OtlpSpanKind) : 0;
}

function statusCode(value: number): OtlpStatusCode {
  return value === 1 || value === 2 ? value : 0;
}

/**
 * Encodes an `ExportTraceServiceResponse`. Per the OTLP spec, `partial_success` is only sent when
 * spans were refused or there is a message; a full success is an empty body.
 *
 * @example
 * reply.type('application/x-protobuf').send(encodeExportTraceServiceResponse({ rejectedSpans: 0 }));
 */
export function encodeExportTraceServiceResponse(result: ExportTraceServiceResult): Uint8Array {
  const rejected = rejectedCount(result.rejectedSpans);
  const message = new TextEncoder().encode(result.errorMessage ?? '');
  if (rejected === 0 && message.length === 0) return new Uint8Array(0);
  const partial: number[] = [];
  if (rejected > 0) partial.push(0x08, ...varintBytes(rejected));
  if (message.length > 0) partial.push(0x12, ...varintBytes(message.length));
  const head = [0x0a, ...varintBytes(partial.length + message.length), ...partial];
  const out = new Uint8Array(head.length + message.length);
  out.set(head);
  out.set(message, head.length);
  return out;
}

function varintBytes(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}
