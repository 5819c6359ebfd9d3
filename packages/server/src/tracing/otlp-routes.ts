import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  encodeExportTraceServiceResponse,
  mapOtlpSpans,
  priceSpan,
} from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendRestError, toFlywheelError } from '../app/rest-errors.js';
import type { TracingDeps } from './tracing-deps.js';

const protobufType = 'application/x-protobuf';

/**
 * `POST /otlp/v1/traces`: OTLP/HTTP, protobuf or JSON, optionally gzip-compressed (auth: a
 * project API key with the `ingest` scope as a Bearer token). GenAI spans become generations
 * with model, tokens and cost. The answer is an ExportTraceServiceResponse in the request's
 * encoding, with `partial_success` counting the spans left out; it is sent only after the kept
 * spans are committed. Errors on a protobuf request are a `google.rpc.Status` in protobuf.
 */
export function registerOtlpRoutes(app: FastifyInstance, deps: TracingDeps, bodyLimit: number) {
  // Registered in its own scope, so protobuf bodies are accepted here and nowhere else.
  void app.register(async (scope) => {
    scope.addContentTypeParser(protobufType, { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    scope.setErrorHandler((error, request, reply) => {
      const flywheelError = toFlywheelError(error, bodyLimit);
      if (flywheelError.status >= 500 && flywheelError.code === 'internal_error')
        request.log.error({ err: flywheelError.cause ?? error }, flywheelError.message);
      if (!isProtobuf(request)) return sendRestError(request, reply, flywheelError);
      if (flywheelError.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(flywheelError.retryAfterSeconds));
      return reply
        .status(flywheelError.status)
        .type(protobufType)
        .send(Buffer.from(encodeStatus(grpcCode(flywheelError.status), flywheelError.message)));
    });
    scope.post('/otlp/v1/traces', { bodyLimit }, async (request, reply) => {
      const decoded = isProtobuf(request)
        ? decodeOtlpProtobuf(asBytes(request.body))
        : decodeOtlpJson(request.body);
      const receivedAt = new Date().toISOString();
      const mapped = mapOtlpSpans(decoded, { receivedAt, maxPayloadBytes: deps.maxPayloadBytes });
      const spans = mapped.spans.map((span) => priceSpan(span, deps.prices));
      if (spans.length > 0 || mapped.traces.length > 0) {
        await deps.queue.submit(
          { projectId: request.auth.projectId, traces: mapped.traces, spans, scores: [] },
          spans.length + mapped.traces.length,
        );
      }
      const errorMessage = mapped.errors.join('; ');
      return sendExportResponse(request, reply, mapped.rejected, errorMessage);
    });
  });
}

function isProtobuf(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === protobufType;
}

function asBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  throw new FlywheelError('invalid_otlp', 'The OTLP protobuf body is empty or unreadable.');
}

function sendExportResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  rejectedSpans: number,
  errorMessage: string,
) {
  if (isProtobuf(request)) {
    return reply
      .status(200)
      .type(protobufType)
      .send(Buffer.from(encodeExportTraceServiceResponse({ rejectedSpans, errorMessage })));
  }
  // OTLP/JSON: int64 as a decimal string; a full success is an empty object.
  const body =
    rejectedSpans > 0 || errorMessage !== ''
      ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } }
      : {};
  return reply.status(200).send(body);
}

/** The gRPC status code OTLP/HTTP clients expect for an HTTP status. */
function grpcCode(status: number): number {
  if (status === 400 || status === 413 || status === 415) return 3; // INVALID_ARGUMENT
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 403) return 7; // PERMISSION_DENIED
  if (status === 404) return 5; // NOT_FOUND
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 503 || status === 507) return 14; // UNAVAILABLE
  return 13; // INTERNAL
}

/** `google.rpc.Status { int32 code = 1; string message = 2; }` */
function encodeStatus(code: number, message: string): Uint8Array {
  const text = new TextEncoder().encode(message);
  return new Uint8Array([0x08, code, 0x12, ...varint(text.length), ...text]);
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}
