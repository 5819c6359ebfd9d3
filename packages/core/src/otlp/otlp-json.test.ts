import { describe, expect, it } from 'vitest';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { decodeOtlpJson, exportTraceServiceResponseJson } from './otlp-json.js';

/** An own property, read without touching the `__proto__` accessor. */
const own = (value: object | undefined, key: string): unknown =>
  value === undefined ? undefined : Object.getOwnPropertyDescriptor(value, key)?.value;

const traceId = '5b8efff798038103d269b633813fc60c';

function body(spans: unknown[], resourceAttributes: unknown[] = []) {
  return {
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes },
        scopeSpans: [{ scope: { name: 'manual', version: '1' }, spans }],
      },
    ],
  };
}

function jsonSpan(fields: Record<string, unknown> = {}) {
  return {
    traceId,
    spanId: 'eee19b7ec3c1b174',
    name: 'span',
    kind: 1,
    startTimeUnixNano: '1544712660000000000',
    endTimeUnixNano: '1544712661000000000',
    ...fields,
  };
}

function decodeError(value: unknown): OtlpDecodeError {
  try {
    decodeOtlpJson(value);
  } catch (error) {
    if (error instanceof OtlpDecodeError) return error;
    throw error;
  }
  throw new Error('expected an OtlpDecodeError');
}

describe('decodeOtlpJson', () => {
  it('reads the OTLP/JSON example of the specification', () => {
    const decoded = decodeOtlpJson(
      body(
        [
          jsonSpan({
            parentSpanId: '',
            attributes: [{ key: 'my.span.attr', value: { stringValue: 'some value' } }],
            status: { code: 2, message: 'failed' },
            events: [
              {
                timeUnixNano: '1544712660500000000',
                name: 'checkpoint',
                attributes: [{ key: 'n', value: { intValue: '3' } }],
              },
            ],
          }),
        ],
        [{ key: 'service.name', value: { stringValue: 'my.service' } }],
      ),
    );
    expect(decoded.rejectedSpans).toBe(0);
    expect(decoded.resourceSpans[0]?.resource.attributes).toEqual({ 'service.name': 'my.service' });
    expect(decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0]).toEqual({
      traceId,
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: null,
      traceState: '',
      flags: 0,
      name: 'span',
      kind: 1,
      startTimeUnixNano: 1_544_712_660_000_000_000n,
      endTimeUnixNano: 1_544_712_661_000_000_000n,
      attributes: { 'my.span.attr': 'some value' },
      events: [{ timeUnixNano: 1_544_712_660_500_000_000n, name: 'checkpoint', attributes: { n: 3 } }],
      status: { code: 2, message: 'failed' },
    });
  });

  it('accepts upper-case and base64 ids, snake_case names, numbers for int64 and enum names', () => {
    const decoded = decodeOtlpJson({
      resource_spans: [
        {
          scope_spans: [
            {
              spans: [
                {
                  trace_id: 'W47/95gDgQPSabYzgT/GDA==',
                  span_id: 'EEE19B7EC3C1B174',
                  parent_span_id: '7uGbfsPBsXQ=',
                  kind: 'SPAN_KIND_CLIENT',
                  start_time_unix_nano: 1_544_712_660_000_000,
                  status: { code: 'STATUS_CODE_OK' },
                  attributes: [
                    { key: 'big', value: { int_value: '9223372036854775807' } },
                    {
                      key: 'list',
                      value: { array_value: { values: [{ bool_value: false }, { double_value: 'NaN' }] } },
                    },
                    {
                      key: 'map',
                      value: { kvlist_value: { values: [{ key: 'k', value: { bytes_value: 'AQI=' } }] } },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const span = decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(span).toMatchObject({
      traceId,
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: 'eee19b7ec3c1b174',
      kind: 3,
      startTimeUnixNano: 1_544_712_660_000_000n,
      endTimeUnixNano: 0n,
      status: { code: 1, message: '' },
    });
    expect(span?.attributes).toEqual({
      big: '9223372036854775807',
      list: [false, 'NaN'],
      map: { k: 'AQI=' },
    });
  });

  it('leaves out the spans that break the rules, says why, and keeps the rest', () => {
    const decoded = decodeOtlpJson(
      body([
        jsonSpan({ name: 'bad trace id', traceId: 'not-hex' }),
        jsonSpan({ name: 'no span id', spanId: undefined }),
        jsonSpan({ name: 'bad time', startTimeUnixNano: '12abc' }),
        jsonSpan({ name: 'bad attribute', attributes: [{ key: 'n', value: { intValue: 'many' } }] }),
        jsonSpan({ name: 'kept' }),
        'not a span',
      ]),
    );
    expect(decoded.resourceSpans[0]?.scopeSpans[0]?.spans.map((span) => span.name)).toEqual(['kept']);
    expect(decoded.rejectedSpans).toBe(5);
    expect(decoded.errors).toEqual([
      'resourceSpans[0].scopeSpans[0].spans[0] (spanId eee19b7ec3c1b174): traceId: must be 32 hex digits',
      'resourceSpans[0].scopeSpans[0].spans[1]: spanId: is missing',
      'resourceSpans[0].scopeSpans[0].spans[2] (spanId eee19b7ec3c1b174): startTimeUnixNano: must be an unsigned integer of nanoseconds (a string or a number)',
      'resourceSpans[0].scopeSpans[0].spans[3] (spanId eee19b7ec3c1b174): span.attributes[0].value.intValue: must be a 64-bit integer (a string or a number)',
      'resourceSpans[0].scopeSpans[0].spans[5]: span: must be an object',
    ]);
  });

  it('keeps at most 20 reasons however many spans are refused', () => {
    const decoded = decodeOtlpJson(body(Array.from({ length: 50 }, () => jsonSpan({ traceId: '' }))));
    expect(decoded.rejectedSpans).toBe(50);
    expect(decoded.errors).toHaveLength(20);
  });

  it('refuses a body that is not an ExportTraceServiceRequest', () => {
    expect(decodeError(null).message).toBe('invalid OTLP/JSON: (body): must be a JSON object');
    expect(decodeError([]).message).toBe('invalid OTLP/JSON: (body): must be a JSON object');
    expect(decodeError({ resourceSpans: {} }).message).toBe(
      'invalid OTLP/JSON: resourceSpans: must be an array',
    );
    expect(decodeError({ resourceSpans: [{ scopeSpans: [7] }] }).message).toBe(
      'invalid OTLP/JSON: resourceSpans[0].scopeSpans[0]: must be an object',
    );
    expect(decodeError(body([], [{ key: 1 }])).message).toBe(
      'invalid OTLP/JSON: resourceSpans[0].resource.attributes[0].key: must be a string',
    );
    expect(decodeError(null).code).toBe('invalid_otlp');
  });

  it('reads an empty request as no spans', () => {
    expect(decodeOtlpJson({})).toEqual({ resourceSpans: [], rejectedSpans: 0, errors: [] });
  });

  it('refuses a span whose attribute is nested 100 deep', () => {
    let value: unknown = { stringValue: 'bottom' };
    for (let level = 0; level < 100; level++) value = { kvlistValue: { values: [{ key: 'inner', value }] } };
    const decoded = decodeOtlpJson(body([jsonSpan({ attributes: [{ key: 'deep', value }] })]));
    expect(decoded.rejectedSpans).toBe(1);
    expect(decoded.errors[0]).toContain('attribute value nested deeper than 31 levels');
  });

  it('stores __proto__ and constructor keys as plain keys without polluting prototypes', () => {
    const text = JSON.stringify(
      body([
        jsonSpan({
          attributes: [
            {
              key: '__proto__',
              value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } },
            },
            {
              key: 'constructor',
              value: { kvlistValue: { values: [{ key: 'prototype', value: { stringValue: 'x' } }] } },
            },
          ],
          // A `__proto__` member of the span object itself is ignored like any unknown field.
          ['__proto__']: { name: 'hijacked' },
        }),
      ]),
    );
    const decoded = decodeOtlpJson(JSON.parse(text));
    const span = decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(span?.name).toBe('span');
    expect(Object.keys(span?.attributes ?? {})).toEqual(['__proto__', 'constructor']);
    expect(own(span?.attributes, '__proto__')).toEqual({ polluted: true });
  });
});

describe('exportTraceServiceResponseJson', () => {
  it('is {} when every span was accepted, partialSuccess otherwise', () => {
    expect(exportTraceServiceResponseJson({ rejectedSpans: 0 })).toEqual({});
    expect(exportTraceServiceResponseJson({ rejectedSpans: 2, errorMessage: 'bad ids' })).toEqual({
      partialSuccess: { rejectedSpans: '2', errorMessage: 'bad ids' },
    });
  });
});
