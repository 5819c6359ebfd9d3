import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type Scenario, type ScenarioName, scenarios } from './otlp-export-scenarios.js';

// OpenTelemetry's ESM builds use extension-less imports that Node's loader refuses, so its
// packages are loaded the way most Node apps load them: as CommonJS.
const requireCommonJs = createRequire(import.meta.url);
const { OTLPTraceExporter: ProtobufTraceExporter } = requireCommonJs(
  '@opentelemetry/exporter-trace-otlp-proto',
) as typeof import('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPTraceExporter: JsonTraceExporter } = requireCommonJs(
  '@opentelemetry/exporter-trace-otlp-http',
) as typeof import('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = requireCommonJs(
  '@opentelemetry/resources',
) as typeof import('@opentelemetry/resources');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = requireCommonJs(
  '@opentelemetry/sdk-trace-base',
) as typeof import('@opentelemetry/sdk-trace-base');

export type { ScenarioName } from './otlp-export-scenarios.js';

/** A span as the OpenTelemetry SDK recorded it, before export. */
export interface RecordedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  /** The API's SpanKind (OTLP's value minus one). */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
}

/** One scenario of `otlp-export-scenarios.ts`, as the official exporters posted it. */
export interface ExportedScenario {
  /** What `@opentelemetry/exporter-trace-otlp-proto` posted. */
  protobuf: Uint8Array;
  /** What `@opentelemetry/exporter-trace-otlp-http` posted, parsed. */
  json: unknown;
  /** The spans, in export order. */
  spans: RecordedSpan[];
}

/**
 * Records every scenario with the OpenTelemetry SDK and exports it with the official OTLP/HTTP
 * protobuf and JSON exporters to a local server: real wire payloads, exactly what an
 * instrumented application sends.
 */
export async function exportScenarios(): Promise<Record<ScenarioName, ExportedScenario>> {
  const bodies = new Map<string, Buffer>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.set(request.url ?? '', Buffer.concat(chunks));
      response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/json' });
      response.end(request.url === '/json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const result = {} as Record<ScenarioName, ExportedScenario>;
  try {
    for (const [name, scenario] of Object.entries(scenarios) as Array<[ScenarioName, Scenario]>) {
      const spans = await recordSpans(scenario);
      await exportWith(new ProtobufTraceExporter({ url: `${url}/protobuf` }), spans);
      await exportWith(new JsonTraceExporter({ url: `${url}/json` }), spans);
      result[name] = {
        protobuf: new Uint8Array(bodies.get('/protobuf')!),
        json: JSON.parse(bodies.get('/json')!.toString('utf8')),
        spans: spans.map(recordedSpan),
      };
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return result;
}

async function recordSpans({ resource, record }: Scenario): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  record(provider.getTracer('test-scope', '1.2.3'));
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

async function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    exporter.export(spans, (result) => (result.code === 0 ? resolve() : reject(result.error))),
  );
  await exporter.shutdown();
}

const nanos = ([seconds, nanoseconds]: [number, number]) =>
  BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds);

function recordedSpan(span: ReadableSpan): RecordedSpan {
  return {
    name: span.name,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    kind: span.kind,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
  };
}
