import { OtlpDecodeError } from './otlp-decode-error.js';
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
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  doubleToValue,
  idProblem,
  int64ToValue,
  isNoParent,
  maxAnyValueDepth,
  newAttributes,
  rejectedCount,
  SpanRejections,
  spanLocation,
} from './otlp-values.js';

/** A problem at a path of the body; the caller decides whether it refuses a span or the body. */
class JsonProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/**
 * Decodes an OTLP/JSON body (after `JSON.parse`) into the shape `decodeOtlpProtobuf` gives.
 * Follows the OTLP/JSON rules: lowerCamelCase names (snake_case proto names are accepted too),
 * hex ids (base64 ids, as some converters write them, are accepted), int64 as string or number,
 * enums as integers (or their proto names). A span that breaks the rules (bad ids, times or
 * attributes) is left out and counted; anything wrong above the spans refuses the whole body.
 *
 * @throws {OtlpDecodeError} when the body is not an ExportTraceServiceRequest.
 * @example
 * const request = decodeOtlpJson(JSON.parse(text));
 * request.rejectedSpans; // spans left out, with reasons in request.errors
 */
export function decodeOtlpJson(body: unknown): OtlpTraceRequest {
  try {
    return decodeRequest(body);
  } catch (error) {
    if (error instanceof JsonProblem)
      throw new OtlpDecodeError(`invalid OTLP/JSON: ${error.message}`, { cause: error });
    throw error;
  }
}

function decodeRequest(body: unknown): OtlpTraceRequest {
  if (!isRecord(body)) throw new JsonProblem('(body)', 'must be a JSON object');
  const rejections = new SpanRejections();
  const resourceSpans = list(field(body, 'resourceSpans', 'resource_spans'), 'resourceSpans').map(
    (item, resourceIndex) => decodeResourceSpans(item, resourceIndex, rejections),
  );
  return { resourceSpans, rejectedSpans: rejections.count, errors: rejections.errors };
}

function decodeResourceSpans(item: unknown, resourceIndex: number, rejections: SpanRejections) {
  const path = `resourceSpans[${resourceIndex}]`;
  const value = record(item, path);
  const resource = optionalRecord(field(value, 'resource'), `${path}.resource`);
  const result: OtlpResourceSpans = {
    resource: { attributes: attributes(resource && field(resource, 'attributes'), `${path}.resource`) },
    scopeSpans: [],
  };
  const scopes = list(field(value, 'scopeSpans', 'scope_spans'), `${path}.scopeSpans`);
  scopes.forEach((scopeItem, scopeIndex) => {
    const scopePath = `${path}.scopeSpans[${scopeIndex}]`;
    const scopeValue = record(scopeItem, scopePath);
    const scope = optionalRecord(field(scopeValue, 'scope'), `${scopePath}.scope`);
    const scopeSpans: OtlpScopeSpans = {
      scope: {
        name: optionalString(scope && field(scope, 'name'), `${scopePath}.scope.name`),
        version: optionalString(scope && field(scope, 'version'), `${scopePath}.scope.version`),
      },
      spans: [],
    };
    list(field(scopeValue, 'spans'), `${scopePath}.spans`).forEach((spanItem, spanIndex) => {
      try {
        scopeSpans.spans.push(decodeSpan(spanItem));
      } catch (error) {
        if (!(error instanceof JsonProblem)) throw error;
        const spanId = isRecord(spanItem) ? field(spanItem, 'spanId', 'span_id') : undefined;
        const where = spanLocation(
          resourceIndex,
          scopeIndex,
          spanIndex,
          typeof spanId === 'string' ? spanId : undefined,
        );
        rejections.add(`${where}: ${error.message}`);
      }
    });
    result.scopeSpans.push(scopeSpans);
  });
  return result;
}

// Paths inside a span are relative to it; the caller prefixes where the span sits.
function decodeSpan(item: unknown): OtlpSpan {
  const span = record(item, 'span');
  const status = optionalRecord(field(span, 'status'), 'status');
  const flags = field(span, 'flags');
  return {
    traceId: spanId(field(span, 'traceId', 'trace_id'), 16, 'traceId'),
    spanId: spanId(field(span, 'spanId', 'span_id'), 8, 'spanId'),
    parentSpanId: parentSpanId(field(span, 'parentSpanId', 'parent_span_id')),
    traceState: optionalString(field(span, 'traceState', 'trace_state'), 'traceState'),
    // Flags only carry sampling bits here; a malformed value is not worth refusing a span for.
    flags: typeof flags === 'number' && Number.isInteger(flags) && flags >= 0 ? flags : 0,
    name: optionalString(field(span, 'name'), 'name'),
    kind: enumValue(field(span, 'kind'), spanKindNames, 5) as OtlpSpanKind,
    startTimeUnixNano: nanos(field(span, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
    endTimeUnixNano: nanos(field(span, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano'),
    attributes: attributes(field(span, 'attributes'), 'span'),
    events: list(field(span, 'events'), 'events').map((event, index) =>
      decodeEvent(event, `events[${index}]`),
    ),
    status: {
      code: enumValue(status && field(status, 'code'), statusCodeNames, 2) as OtlpStatusCode,
      message: optionalString(status && field(status, 'message'), 'status.message'),
    },
  };
}

function decodeEvent(item: unknown, path: string): OtlpEvent {
  const event = record(item, path);
  return {
    timeUnixNano: nanos(field(event, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`),
    name: optionalString(field(event, 'name'), `${path}.name`),
    attributes: attributes(field(event, 'attributes'), path),
  };
}

function spanId(value: unknown, bytes: number, name: string): string {
  if (value === undefined || value === null || value === '') throw new JsonProblem(name, 'is missing');
  const hex = idHex(value, bytes, name);
  const problem = idProblem(hex, bytes);
  if (problem) throw new JsonProblem(name, problem);
  return hex;
}

function parentSpanId(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const hex = idHex(value, 8, 'parentSpanId');
  return isNoParent(hex) ? null : hex;
}

// OTLP/JSON ids are hex; base64 (the generic protobuf JSON mapping of bytes) is accepted when its
// length fits, which hex of the right size never has.
function idHex(value: unknown, bytes: number, name: string): string {
  if (typeof value === 'string') {
    if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
    if (value.length === Math.ceil(bytes / 3) * 4) {
      const decoded = base64ToBytes(value);
      if (decoded?.length === bytes) return bytesToHex(decoded);
    }
  }
  throw new JsonProblem(name, `must be ${bytes * 2} hex digits`);
}

const maxUint64 = (1n << 64n) - 1n;

function nanos(value: unknown, path: string): bigint {
  if (value === undefined || value === null) return 0n;
  let big: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) big = BigInt(value);
  else if (typeof value === 'string' && /^\d{1,20}$/.test(value)) big = BigInt(value);
  if (big !== undefined && big <= maxUint64) return big;
  throw new JsonProblem(path, 'must be an unsigned integer of nanoseconds (a string or a number)');
}

const spanKindNames = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const statusCodeNames = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

// Unknown enum values read as "unspecified", as proto3 treats them.
function enumValue(value: unknown, names: string[], max: number): number {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= max ? value : 0;
  if (typeof value === 'string') return Math.max(0, names.indexOf(value));
  return 0;
}

/** Decodes a list of KeyValue; `owner` names what the attributes belong to, for messages. */
function attributes(value: unknown, owner: string, depth = 0): OtlpAttributes {
  const result = newAttributes();
  list(value, `${owner}.attributes`).forEach((item, index) => {
    const path = `${owner}.attributes[${index}]`;
    const entry = record(item, path);
    const key = field(entry, 'key');
    if (typeof key !== 'string') throw new JsonProblem(`${path}.key`, 'must be a string');
    // A null-prototype target makes `__proto__` an ordinary key here.
    result[key] = anyValue(field(entry, 'value'), `${path}.value`, depth);
  });
  return result;
}

function anyValue(value: unknown, path: string, depth: number): OtlpValue {
  if (value === undefined || value === null) return null;
  const any = record(value, path);
  const string = field(any, 'stringValue', 'string_value');
  if (string !== undefined) {
    if (typeof string !== 'string') throw new JsonProblem(`${path}.stringValue`, 'must be a string');
    return string;
  }
  const bool = field(any, 'boolValue', 'bool_value');
  if (bool !== undefined) {
    if (typeof bool !== 'boolean') throw new JsonProblem(`${path}.boolValue`, 'must be a boolean');
    return bool;
  }
  const int = field(any, 'intValue', 'int_value');
  if (int !== undefined) return int64(int, `${path}.intValue`);
  const double = field(any, 'doubleValue', 'double_value');
  if (double !== undefined) return doubleValue(double, `${path}.doubleValue`);
  const array = field(any, 'arrayValue', 'array_value');
  const kvlist = field(any, 'kvlistValue', 'kvlist_value');
  if (array !== undefined || kvlist !== undefined) {
    if (depth + 1 > maxAnyValueDepth)
      throw new JsonProblem(path, `attribute value nested deeper than ${maxAnyValueDepth} levels`);
    if (array !== undefined) {
      const arrayPath = `${path}.arrayValue`;
      const values = field(record(array, arrayPath), 'values');
      return list(values, `${arrayPath}.values`).map((item, index) =>
        anyValue(item, `${arrayPath}.values[${index}]`, depth + 1),
      );
    }
    const kvlistPath = `${path}.kvlistValue`;
    return attributes(field(record(kvlist, kvlistPath), 'values'), kvlistPath, depth + 1);
  }
  const bytes = field(any, 'bytesValue', 'bytes_value');
  if (bytes !== undefined) {
    const decoded = typeof bytes === 'string' ? base64ToBytes(bytes) : undefined;
    if (decoded === undefined) throw new JsonProblem(`${path}.bytesValue`, 'must be base64');
    // Re-encoded so the value is the same canonical text the protobuf decoder produces.
    return bytesToBase64(decoded);
  }
  return null;
}

const minInt64 = -(1n << 63n);
const maxInt64 = (1n << 63n) - 1n;

function int64(value: unknown, path: string): number | string {
  let big: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
  else if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) big = BigInt(value);
  if (big === undefined || big < minInt64 || big > maxInt64)
    throw new JsonProblem(path, 'must be a 64-bit integer (a string or a number)');
  return int64ToValue(big);
}

function doubleValue(value: unknown, path: string): number | string {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  // The protobuf JSON mapping allows numbers as strings.
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return doubleToValue(Number(value));
  throw new JsonProblem(path, 'must be a number');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw new JsonProblem(path, 'must be an object');
  return value;
}

function optionalRecord(value: unknown, path: string): Record<string, unknown> | undefined {
  return value === undefined || value === null ? undefined : record(value, path);
}

/** An absent or null list is empty, as in protobuf. */
function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new JsonProblem(path, 'must be an array');
  return value;
}

function optionalString(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new JsonProblem(path, 'must be a string');
  return value;
}

// Own properties only: a body key can never resolve to something inherited from Object.prototype.
function field(value: Record<string, unknown>, name: string, protoName?: string): unknown {
  if (Object.hasOwn(value, name)) return value[name];
  return protoName !== undefined && Object.hasOwn(value, protoName) ? value[protoName] : undefined;
}

/**
 * The OTLP/JSON `ExportTraceServiceResponse`. Per the OTLP spec, `partialSuccess` is only sent
 * when spans were refused or there is a message; a full success is `{}`. int64 is written as a
 * string, as the protobuf JSON mapping does.
 *
 * @example
 * reply.send(exportTraceServiceResponseJson({ rejectedSpans: 2, errorMessage: errors.join('; ') }));
 */
export function exportTraceServiceResponseJson(result: ExportTraceServiceResult): {
  partialSuccess?: { rejectedSpans: string; errorMessage: string };
} {
  const rejected = rejectedCount(result.rejectedSpans);
  const errorMessage = result.errorMessage ?? '';
  if (rejected === 0 && errorMessage === '') return {};
  return { partialSuccess: { rejectedSpans: String(rejected), errorMessage } };
}
