import { maxJsonDepth } from '@flywheel/spec';
import type { OtlpAttributes } from './otlp-types.js';

// Helpers both decoders share, so protobuf and JSON bodies normalize to identical values.

/**
 * Nesting allowed inside one attribute value (arrays and kvlists). One below the stored JSON
 * limit, because the attributes object holding the value is itself one level.
 */
export const maxAnyValueDepth = maxJsonDepth - 1;

/** Refusal messages kept per request; the count covers them all, the list stays small. */
export const maxOtlpErrors = 20;

/** An empty attribute map whose keys can never reach `Object.prototype`. */
export function newAttributes(): OtlpAttributes {
  return Object.create(null) as OtlpAttributes;
}

const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Lowercase hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += hexDigits[byte];
  return hex;
}

/** Standard base64 (with padding) of `bytes`, as OTLP/JSON writes `bytesValue`. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep the argument list of fromCharCode far below engine limits.
  for (let start = 0; start < bytes.length; start += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  return btoa(binary);
}

/** Bytes of standard base64, or undefined when `text` is not base64. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** A signed 64-bit integer as a number when that is exact, else as a decimal string. */
export function int64ToValue(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** A double as OTLP/JSON writes it: non-finite values become strings so they survive JSON. */
export function doubleToValue(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** Whether a parent id means "no parent": empty, or all zero as some converters write it. */
export function isNoParent(hex: string): boolean {
  return /^0*$/.test(hex);
}

/**
 * Why a hex id is unusable, or undefined when it is fine. W3C trace context forbids all-zero ids,
 * and a wrong length means the exporter is broken.
 */
export function idProblem(hex: string, bytes: number): string | undefined {
  if (hex.length !== bytes * 2) return `must be ${bytes} bytes, got ${hex.length / 2}`;
  if (/^0+$/.test(hex)) return 'must not be all zero';
  return undefined;
}

/** ISO-8601 UTC time (millisecond precision) of nanoseconds since the epoch; undefined for 0. */
export function unixNanosToIso(nanos: bigint): string | undefined {
  if (nanos <= 0n) return undefined;
  // uint64 nanoseconds are at most ~1.8e13 ms: the year 2554 at the latest.
  return isoOfEpochMs(Number(nanos / 1_000_000n));
}

const twoDigits = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, '0'));

/**
 * What `new Date(ms).toISOString()` answers, for times from 1970 to 9999, written directly: the
 * `Date` and its formatting were ~1 µs of every OTLP span's two times (bench/ingest, --cpu-prof),
 * ~5 % of the request thread. The civil date comes from the day number as in Howard Hinnant's
 * `civil_from_days`.
 */
export function isoOfEpochMs(ms: number): string {
  if (!(ms >= 0 && ms < 253_402_300_800_000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${twoDigits[month]}-${twoDigits[day]}T${twoDigits[hours]}:${twoDigits[minutes]}:${twoDigits[seconds]}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/** Collects the spans a decoder refuses, keeping the first {@link maxOtlpErrors} reasons. */
export class SpanRejections {
  /** Spans refused so far. */
  count = 0;
  /** Their reasons, capped. */
  readonly errors: string[] = [];

  /** Records one refused span. */
  add(message: string): void {
    this.count++;
    if (this.errors.length < maxOtlpErrors) this.errors.push(message);
  }
}

/** Where a span sits in the request, for messages a client can act on. */
export function spanLocation(resource: number, scope: number, span: number, spanId?: string): string {
  const path = `resourceSpans[${resource}].scopeSpans[${scope}].spans[${span}]`;
  // An id is only worth quoting when it has a plausible length; garbage would bloat the message.
  return spanId && spanId.length <= 32 ? `${path} (spanId ${spanId})` : path;
}

/** A span count fit for a response: a non-negative integer, 0 for anything else. */
export function rejectedCount(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.trunc(value)) : 0;
}
