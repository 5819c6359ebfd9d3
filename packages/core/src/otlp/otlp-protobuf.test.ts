import { beforeAll, describe, expect, it } from 'vitest';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { decodeOtlpJson } from './otlp-json.js';
import { decodeOtlpProtobuf, encodeExportTraceServiceResponse } from './otlp-protobuf.js';
import {
  type ExportedScenario,
  exportScenarios,
  type ScenarioName,
} from './testing-internal/otlp-test-export.js';
import {
  type Bytes,
  fixed32Field,
  fixed64Field,
  intValue,
  keyValue,
  kvlistValue,
  lengthField,
  span,
  stringValue,
  tag,
  traceRequest,
  varintField,
} from './testing-internal/protobuf-writer.js';

/** An own property, read without touching the `__proto__` accessor. */
const own = (value: object | undefined, key: string): unknown =>
  value === undefined ? undefined : Object.getOwnPropertyDescriptor(value, key)?.value;

let scenarios: Record<ScenarioName, ExportedScenario>;
beforeAll(async () => {
  scenarios = await exportScenarios();
});

function decodeError(body: Uint8Array): OtlpDecodeError {
  try {
    decodeOtlpProtobuf(body);
  } catch (error) {
    if (error instanceof OtlpDecodeError) return error;
    throw error;
  }
  throw new Error('expected an OtlpDecodeError');
}

describe('decodeOtlpProtobuf', () => {
  it('decodes what the official exporter sends, exactly as the JSON decoder reads the JSON exporter', () => {
    for (const scenario of Object.values(scenarios))
      expect(decodeOtlpProtobuf(scenario.protobuf)).toEqual(decodeOtlpJson(scenario.json));
  });

  it('decodes ids, parents, kinds, times, attributes, events and statuses', () => {
    const exported = scenarios.mixed;
    const fromProtobuf = decodeOtlpProtobuf(exported.protobuf);
    expect(fromProtobuf).toEqual(decodeOtlpJson(exported.json));
    expect(fromProtobuf.rejectedSpans).toBe(0);

    const [resourceSpans] = fromProtobuf.resourceSpans;
    expect(resourceSpans?.resource.attributes).toMatchObject({
      'service.name': 'checkout',
      'service.version': '1.4.0',
    });
    expect(resourceSpans?.scopeSpans[0]?.scope).toEqual({ name: 'test-scope', version: '1.2.3' });
    const decoded = resourceSpans?.scopeSpans[0]?.spans ?? [];
    expect(decoded.map((item) => item.name)).toEqual(exported.spans.map((item) => item.name));

    for (const [index, original] of exported.spans.entries()) {
      const item = decoded[index]!;
      expect(item.traceId).toBe(original.traceId);
      expect(item.spanId).toBe(original.spanId);
      expect(item.parentSpanId).toBe(original.parentSpanId);
      expect(item.startTimeUnixNano).toBe(original.startTimeUnixNano);
      expect(item.endTimeUnixNano).toBe(original.endTimeUnixNano);
      expect(item.kind).toBe(original.kind + 1);
    }
    const child = decoded.find((item) => item.name === 'child')!;
    expect({ ...child.attributes }).toEqual({
      text: 'héllo',
      count: 42,
      negative: -7,
      ratio: 0.25,
      flag: true,
      tags: ['a', 'b'],
      numbers: [1, 2.5],
    });
    const nested = decoded.find((item) => item.name === 'nested')!;
    expect(nested.parentSpanId).toBe(child.spanId);
    expect(child.parentSpanId).toBe(decoded.find((item) => item.name === 'parent')!.spanId);
    expect(nested.status).toEqual({ code: 2, message: 'upstream timed out' });
    expect(nested.events).toMatchObject([{ name: 'retry', attributes: { attempt: 2 } }]);
    expect(decoded.find((item) => item.name === 'parent')!.status.code).toBe(1);
  });

  it('keeps int64 values beyond 2^53 exact, as decimal strings', () => {
    const body = traceRequest([
      span({
        attributes: [
          keyValue('big', intValue(9_007_199_254_740_993n)),
          keyValue('min', intValue(-9_223_372_036_854_775_808n)),
          keyValue('small', intValue(-1)),
          keyValue('bytes', lengthField(7, [0xde, 0xad, 0xbe, 0xef])),
          keyValue('nan', [...tag(4, 1), 0, 0, 0, 0, 0, 0, 0xf8, 0x7f]),
          keyValue('empty', []),
        ],
      }),
    ]);
    const attributes = decodeOtlpProtobuf(body).resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes;
    expect({ ...attributes }).toEqual({
      big: '9007199254740993',
      min: '-9223372036854775808',
      small: -1,
      bytes: '3q2+7w==',
      nan: 'NaN',
      empty: null,
    });
  });

  it('decodes strings from a Buffer as from any byte array: invalid UTF-8 replaced, a leading BOM dropped', () => {
    const invalid = new Uint8Array([0x61, 0xff, 0x62, 0xe2, 0x82, 0x63, 0xf0, 0x9f, 0x98]);
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('named')]);
    const body = traceRequest([
      span({ attributes: [keyValue('caf\u00e9', stringValue('\u{1F600} ok'))] }),
      // A later name field wins: this span's name is the invalid bytes.
      span({ spanId: 'b7ad6b7169203332', extra: lengthField(5, invalid) }),
      span({ spanId: 'b7ad6b7169203333', attributes: [keyValue('k', lengthField(1, bom))] }),
    ]);
    const fromArray = decodeOtlpProtobuf(new Uint8Array(body));
    const fromBuffer = decodeOtlpProtobuf(Buffer.from(body));
    expect(fromBuffer).toEqual(fromArray);
    const spans = fromBuffer.resourceSpans[0]?.scopeSpans[0]?.spans;
    expect(spans?.[0]?.attributes['caf\u00e9']).toBe('\u{1F600} ok');
    expect(spans?.[1]?.name).toBe('a\uFFFDb\uFFFDc\uFFFD');
    expect(spans?.[2]?.attributes.k).toBe('named');
  });

  it('skips unknown fields of every wire type', () => {
    const unknown: Bytes = [
      ...varintField(90, 300),
      ...fixed64Field(91, 1n),
      ...lengthField(92, 'ignored'),
      ...fixed32Field(93, 7),
    ];
    const body = traceRequest([span({ name: 'kept', extra: unknown })]);
    const decoded = decodeOtlpProtobuf(new Uint8Array([...unknown, ...body]));
    expect(decoded.resourceSpans[0]?.scopeSpans[0]?.spans.map((item) => item.name)).toEqual(['kept']);
  });

  it('refuses groups and invalid wire types with the offset', () => {
    expect(decodeError(new Uint8Array([...tag(5, 3)])).message).toBe(
      'invalid protobuf: groups are not supported at byte 1',
    );
    expect(decodeError(new Uint8Array([...tag(5, 7)])).message).toBe(
      'invalid protobuf: invalid wire type 7 at byte 1',
    );
  });

  it('refuses a known field that arrives with the wrong wire type', () => {
    const body = traceRequest([[...lengthField(1, new Uint8Array(16).fill(1)), ...varintField(5, 1)]]);
    expect(decodeError(body).message).toMatch(
      /^invalid protobuf: Span field 5 has wire type varint, expected length-delimited at byte \d+$/,
    );
  });

  it('names a truncated length-delimited field and where it starts', () => {
    const body = new Uint8Array([...tag(1, 2), ...[0x80, 0x01], 1, 2, 3]);
    const error = decodeError(body);
    expect(error.message).toBe(
      'invalid protobuf: truncated length-delimited field (128 bytes declared, 3 left) at byte 1',
    );
    expect(error.offset).toBe(1);
    expect(error.code).toBe('invalid_otlp');
    expect(error.status).toBe(400);
  });

  it('refuses every truncation of a real body with a decode error, never anything else', () => {
    const { protobuf } = scenarios['genai-chat'];
    let refused = 0;
    for (let length = 1; length < protobuf.length; length++) {
      try {
        decodeOtlpProtobuf(protobuf.subarray(0, length));
      } catch (error) {
        expect(error).toBeInstanceOf(OtlpDecodeError);
        refused++;
      }
    }
    // Only cuts that fall between top-level fields can decode.
    expect(refused).toBeGreaterThan(protobuf.length - 5);
  });

  it('answers random bytes with a result or a decode error, quickly', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let round = 0; round < 2_000; round++) {
      const bytes = new Uint8Array(Math.floor(random() * 200));
      for (let index = 0; index < bytes.length; index++) bytes[index] = Math.floor(random() * 256);
      try {
        decodeOtlpProtobuf(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(OtlpDecodeError);
      }
    }
  });

  it('refuses attribute values nested 100 deep, and accepts them at the limit', () => {
    const nest = (depth: number): Bytes => {
      let value: Bytes = stringValue('bottom');
      for (let level = 0; level < depth; level++) value = kvlistValue(keyValue('inner', value));
      return value;
    };
    expect(decodeError(traceRequest([span({ attributes: [keyValue('deep', nest(100))] })])).message).toMatch(
      /^invalid protobuf: attribute value nested deeper than 31 levels at byte \d+$/,
    );
    expect(() =>
      decodeOtlpProtobuf(traceRequest([span({ attributes: [keyValue('deep', nest(31))] })])),
    ).not.toThrow();
  });

  it('stores __proto__ and constructor keys as plain keys without polluting prototypes', () => {
    const polluting = kvlistValue(keyValue('polluted', stringValue('yes')));
    const body = traceRequest(
      [
        span({
          attributes: [
            keyValue('__proto__', polluting),
            keyValue('constructor', kvlistValue(keyValue('prototype', polluting))),
            keyValue('nested', kvlistValue(keyValue('__proto__', polluting))),
          ],
        }),
      ],
      [keyValue('__proto__', polluting)],
    );
    const decoded = decodeOtlpProtobuf(body);
    const attributes = decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(attributes!, '__proto__')).toBe(true);
    expect(own(attributes, '__proto__')).toEqual({ polluted: 'yes' });
    expect(Object.keys((attributes?.nested ?? {}) as object)).toEqual(['__proto__']);
    expect(Object.hasOwn(decoded.resourceSpans[0]!.resource.attributes, '__proto__')).toBe(true);
  });

  it('counts spans with unusable ids as rejected and keeps the others', () => {
    const body = traceRequest([
      span({ name: 'short trace id', traceId: 'abcdef' }),
      span({ name: 'zero span id', spanId: '0000000000000000' }),
      span({ name: 'kept', parentSpanId: '0000000000000000' }),
    ]);
    const decoded = decodeOtlpProtobuf(body);
    expect(decoded.rejectedSpans).toBe(2);
    expect(decoded.errors).toEqual([
      'resourceSpans[0].scopeSpans[0].spans[0] (spanId b7ad6b7169203331): traceId must be 16 bytes, got 3',
      'resourceSpans[0].scopeSpans[0].spans[1] (spanId 0000000000000000): spanId must not be all zero',
    ]);
    // An all-zero parent is how some converters write "no parent".
    expect(decoded.resourceSpans[0]?.scopeSpans[0]?.spans).toMatchObject([
      { name: 'kept', parentSpanId: null },
    ]);
  });
});

describe('encodeExportTraceServiceResponse', () => {
  it('is an empty body when every span was accepted', () => {
    expect(encodeExportTraceServiceResponse({ rejectedSpans: 0 })).toEqual(new Uint8Array(0));
    expect(encodeExportTraceServiceResponse({ rejectedSpans: 0, errorMessage: '' })).toEqual(
      new Uint8Array(0),
    );
  });

  it('reports rejected spans and the reason as partial_success', () => {
    const bytes = encodeExportTraceServiceResponse({ rejectedSpans: 300, errorMessage: 'bad id' });
    expect([...bytes]).toEqual([0x0a, 11, 0x08, 0xac, 0x02, 0x12, 6, ...new TextEncoder().encode('bad id')]);
  });
});
