// A minimal protobuf writer for hand-built OTLP bodies: what the SDK cannot produce (hostile
// keys, deep nesting, bad ids, unknown fields) but a client on the wire can.

const encoder = new TextEncoder();

/** Bytes of a protobuf message, built by concatenating fields. */
export type Bytes = number[];

/** A base-128 varint; negative numbers as ten-byte two's complement, as int64 is encoded. */
export function varint(value: number | bigint): Bytes {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: Bytes = [];
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
}

/** A field tag. */
export function tag(field: number, wireType: number): Bytes {
  return varint(field * 8 + wireType);
}

/** A varint field. */
export function varintField(field: number, value: number | bigint): Bytes {
  return [...tag(field, 0), ...varint(value)];
}

/** A length-delimited field of bytes, a string or an embedded message. */
export function lengthField(field: number, content: Bytes | Uint8Array | string): Bytes {
  const bytes = typeof content === 'string' ? [...encoder.encode(content)] : [...content];
  return [...tag(field, 2), ...varint(bytes.length), ...bytes];
}

/** A fixed64 field (little-endian). */
export function fixed64Field(field: number, value: bigint): Bytes {
  const bytes: Bytes = [];
  for (let index = 0n; index < 8n; index++) bytes.push(Number((value >> (index * 8n)) & 0xffn));
  return [...tag(field, 1), ...bytes];
}

/** A fixed32 field (little-endian). */
export function fixed32Field(field: number, value: number): Bytes {
  return [...tag(field, 5), value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
}

/** An AnyValue holding a string. */
export const stringValue = (value: string): Bytes => lengthField(1, value);

/** An AnyValue holding an int64. */
export const intValue = (value: number | bigint): Bytes => varintField(3, value);

/** An AnyValue holding a kvlist of the given KeyValues. */
export const kvlistValue = (...entries: Bytes[]): Bytes =>
  lengthField(
    6,
    entries.flatMap((entry) => lengthField(1, entry)),
  );

/** A KeyValue. */
export const keyValue = (key: string, value: Bytes): Bytes => [
  ...lengthField(1, key),
  ...lengthField(2, value),
];

/** Hex to bytes. */
export function hexBytes(hex: string): Bytes {
  return (hex.match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16));
}

/** The fields of a hand-built span. */
export interface SpanFields {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  attributes?: Bytes[];
  /** Raw extra bytes appended to the span (unknown fields and the like). */
  extra?: Bytes;
}

/** A Span message. */
export function span(fields: SpanFields): Bytes {
  return [
    ...lengthField(1, hexBytes(fields.traceId ?? '0af7651916cd43dd8448eb211c80319c')),
    ...lengthField(2, hexBytes(fields.spanId ?? 'b7ad6b7169203331')),
    ...(fields.parentSpanId === undefined ? [] : lengthField(4, hexBytes(fields.parentSpanId))),
    ...lengthField(5, fields.name ?? 'span'),
    ...varintField(6, 1),
    ...fixed64Field(7, 1_700_000_000_000_000_000n),
    ...fixed64Field(8, 1_700_000_000_250_000_000n),
    ...(fields.attributes ?? []).flatMap((attribute) => lengthField(9, attribute)),
    ...(fields.extra ?? []),
  ];
}

/** An ExportTraceServiceRequest of one resource and one scope holding `spans`. */
export function traceRequest(spans: Bytes[], resourceAttributes: Bytes[] = []): Uint8Array {
  const resource = resourceAttributes.flatMap((attribute) => lengthField(1, attribute));
  const scope = [...lengthField(1, 'hand-built'), ...lengthField(2, '0.0.1')];
  const scopeSpans = [...lengthField(1, scope), ...spans.flatMap((item) => lengthField(2, item))];
  return new Uint8Array(lengthField(1, [...lengthField(1, resource), ...lengthField(2, scopeSpans)]));
}
