import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeyService, Attempt, ProjectStore } from '@flywheel/core';
import { createCallController, FlywheelError } from '@flywheel/spec';
import type { FastifyBaseLogger } from 'fastify';
import { logCompleted, logsAt } from '../app/access-log.js';
import { authenticate, requireScope } from '../app/authenticate.js';
import { readJsonBody, requestIdFor } from '../app/raw-request.js';
import { logFailure, toFlywheelError } from '../app/rest-errors.js';
import { chooseTraceId, startChatCall } from './chat-call.js';
import type { GatewayDeps } from './gateway-deps.js';
import { parseCacheMode } from './gateway-request.js';
import { toOpenAIError } from './openai-error.js';
import { newForwardedStream, pipeChatStream } from './stream-writer.js';

/** What the raw chat route needs from the app around it. */
export interface ChatRouteContext {
  gateway: GatewayDeps;
  apiKeys: ApiKeyService;
  projects: ProjectStore;
  bodyLimitBytes: number;
  /** The app's logger (read per request: it exists once the app does). */
  log(): FastifyBaseLogger;
  /** The app is shutting down: new requests get `shutting_down`. */
  closing(): boolean;
}

/** Whether a request is one for {@link chatCompletionsHandler} (method and path, any query). */
export function isChatCompletionsRequest(request: IncomingMessage): boolean {
  const url = request.url;
  return (
    request.method === 'POST' &&
    url !== undefined &&
    url.startsWith(chatPath) &&
    (url.length === chatPath.length || url.charCodeAt(chatPath.length) === 63) // '?'
  );
}

const chatPath = '/v1/chat/completions';

/**
 * `POST /v1/chat/completions`: OpenAI-compatible, streaming or not, through the gateway engine.
 * It is served on the raw Node server, ahead of Fastify (decision 0016): at one connection
 * Fastify's routing, hooks, body parser and reply took ~0.07 ms of the gateway's ~0.13 ms over a
 * bare proxy. It does what the app's Fastify routes do, in their order (shutting down, the key,
 * the body, the answer, errors in the OpenAI shape with `x-request-id` and
 * `x-flywheel-overhead-ms`, the access log line); `app.inject` does not reach it.
 */
export function chatCompletionsHandler(context: ChatRouteContext) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    void answerChat(context, request, response);
  };
}

async function answerChat(context: ChatRouteContext, request: IncomingMessage, response: ServerResponse) {
  const arrivedAt = performance.now();
  const requestId = requestIdFor(request.headers);
  const log = context.log();
  if (logsAt(log, 'debug'))
    log.debug({ request_id: requestId, req: describeRequest(request) }, 'incoming request');
  if (logsAt(log, 'info')) {
    response.once('finish', () =>
      logCompleted(
        log,
        requestId,
        request.method,
        request.url,
        response.statusCode,
        performance.now() - arrivedAt,
      ),
    );
  }
  const attempts: Attempt[] = [];
  let traceId: string | undefined;
  try {
    if (context.closing()) {
      response.setHeader('connection', 'close');
      throw new FlywheelError('shutting_down', 'The server is shutting down; retry shortly.', {
        retryAfterSeconds: 1,
      });
    }
    // A client that goes away, from now on, stops the call (and its upstream request).
    const controller = createCallController();
    const clientGone = () => response.destroyed && !response.writableFinished;
    response.on('close', () => {
      if (!response.writableFinished) controller.abort(new Error('The client closed the connection.'));
    });
    // The body is read while the key is checked (its bytes arrive with the headers); what it
    // holds, or what is wrong with it, counts only once the key passed.
    const reading = startReading(request, context.bodyLimitBytes);
    const auth = await authenticate(request.headers, request.socket, context.apiKeys, context.projects);
    requireScope(auth, 'gateway');
    const body = await reading;
    traceId = chooseTraceId(header(request, 'x-flywheel-trace-id'));
    const call = await startChatCall(context.gateway, {
      projectId: auth.projectId,
      requestId,
      traceId,
      body,
      cacheMode: parseCacheMode(request.headers['x-flywheel-cache']),
      sessionId: header(request, 'x-flywheel-session-id'),
      signal: controller.signal,
      attempts,
    });

    if (call.kind === 'json') {
      const { raw } = call;
      response.writeHead(200, jsonHeaderList(call.headers, requestId, raw.byteLength));
      response.end(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
      call.afterSend();
      return;
    }
    response.writeHead(200, sseHeaderList(call.headers, requestId));
    if (call.kind === 'cached-stream') {
      for (const event of call.events) response.write(event);
      response.end();
      call.afterSend();
      return;
    }
    const capture = newForwardedStream();
    const end = await pipeChatStream(response, call.batches, capture, {
      dropUsageChunk: call.dropUsageChunk,
      elapsedMs: call.elapsedMs,
      clientGone,
      ...(call.keepEvents ? { keepEvents: call.keepEvents } : {}),
    });
    call.afterStream(end, capture);
  } catch (error) {
    const upstreamMs = attempts.reduce((sum, attempt) => sum + attempt.durationMs, 0);
    answerError(context, response, error, { requestId, traceId, arrivedAt, upstreamMs });
  }
}

/** An error as the app's error handler answers `/v1/*`: logged, then in the OpenAI shape. */
function answerError(
  context: ChatRouteContext,
  response: ServerResponse,
  error: unknown,
  at: { requestId: string; traceId: string | undefined; arrivedAt: number; upstreamMs: number },
) {
  const flywheelError = toFlywheelError(error, context.bodyLimitBytes);
  logFailure(context.log(), flywheelError, error, { request_id: at.requestId });
  if (response.headersSent || response.destroyed) {
    response.destroy();
    return;
  }
  const { status, body } = toOpenAIError(flywheelError);
  const text = JSON.stringify(body);
  const spent = Math.max(0, performance.now() - at.arrivedAt - at.upstreamMs);
  const list = [
    'x-request-id',
    at.requestId,
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(text)),
    'x-flywheel-overhead-ms',
    spent.toFixed(3),
  ];
  if (at.traceId !== undefined) list.push('x-flywheel-trace-id', at.traceId);
  if (flywheelError.retryAfterSeconds !== undefined)
    list.push('retry-after', String(flywheelError.retryAfterSeconds));
  response.writeHead(status, list);
  // A body not read yet is read and discarded by Node, and the connection kept, as with Fastify.
  response.end(text);
}

/** {@link readJsonBody}, its errors (thrown at once or later) as a rejection nobody must await. */
function startReading(request: IncomingMessage, limit: number): Promise<unknown> {
  let reading: Promise<unknown>;
  try {
    reading = readJsonBody(request, limit);
  } catch (error) {
    reading = Promise.reject(error);
  }
  reading.catch(() => undefined);
  return reading;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** What the `incoming request` line shows of a request (as pino's request serializer does). */
function describeRequest(request: IncomingMessage) {
  return {
    method: request.method,
    url: request.url,
    host: request.headers.host,
    remoteAddress: request.socket.remoteAddress,
    remotePort: request.socket.remotePort,
  };
}

/** A JSON answer's headers as the flat name/value list `writeHead` takes. */
function jsonHeaderList(headers: Record<string, string>, requestId: string, length: number): string[] {
  const list = [
    'x-request-id',
    requestId,
    'content-type',
    'application/json',
    'content-length',
    String(length),
  ];
  for (const name in headers) list.push(name, headers[name]!);
  return list;
}

/**
 * A stream's headers as the flat name/value list `writeHead` takes: spreading them into one object
 * sent each through V8's runtime (1.2 % of the request thread with 20-event streams, perf).
 */
function sseHeaderList(headers: Record<string, string>, requestId: string): string[] {
  const list = [
    'content-type',
    'text/event-stream; charset=utf-8',
    'cache-control',
    'no-cache',
    'connection',
    'keep-alive',
    'x-accel-buffering',
    'no',
    'x-request-id',
    requestId,
  ];
  for (const name in headers) list.push(name, headers[name]!);
  return list;
}
