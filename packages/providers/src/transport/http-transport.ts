import type { LookupFunction } from 'node:net';
import { type CallSignal, FlywheelError, UpstreamError } from '@flywheel/spec';
import { type Dispatcher, errors, Pool } from 'undici';

/** One HTTP request to a provider. */
export interface TransportRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the request (client gone, timeout); the abort reason is rethrown as is. */
  signal: CallSignal;
}

/** A provider's answer: status, headers and a body read once. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as it arrives; stop reading (break) to abort, or call `discard()` first to keep the connection. */
  body: AsyncIterable<Uint8Array>;
  /** The whole body. */
  bytes(): Promise<Uint8Array>;
  /** Discards the body and frees the connection. */
  discard(): Promise<void>;
}

/** How model adapters reach providers; tests inject their own or point at a fake server. */
export interface HttpTransport {
  request(request: TransportRequest): Promise<TransportResponse>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

/** Options of {@link createUndiciTransport}. */
export interface UndiciTransportOptions {
  /** Time to establish a connection (ms, default 5000). */
  connectTimeoutMs?: number;
  /** Resolves host names; a guarded lookup refuses private addresses at connect time. */
  lookup?: LookupFunction;
  /** How long an idle kept-alive connection stays open (ms, default 30,000). */
  keepAliveTimeoutMs?: number;
  /** Connections per origin (default: unbounded). */
  connections?: number;
}

/**
 * The production transport: undici `request` over a keep-alive pool. Measured here, `fetch()`
 * and WHATWG streams cost 4–5× the CPU per request, so the hot path stays on Node streams.
 * Redirects are never followed: a provider's 3xx is its answer, so no hop can reach a host the
 * operator did not configure.
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): HttpTransport {
  const poolOptions: Pool.Options = {
    connect: {
      timeout: options.connectTimeoutMs ?? 5000,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    },
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    ...(options.connections ? { connections: options.connections } : {}),
    // Phase timeouts are enforced per call by the caller's deadline, not by undici.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  // One pool per origin, as an undici Agent keeps them, without the Agent's layer of dispatch on
  // every request (bench/gateway, one connection). Origins are the configured providers'.
  const pools = new Map<string, Pool>();
  let closed = false;
  const poolOf = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      if (closed) throw new errors.ClientClosedError();
      pool = new Pool(origin, poolOptions);
      pools.set(origin, pool);
    }
    return pool;
  };
  return {
    async request(request) {
      let response: Dispatcher.ResponseData;
      try {
        response = await poolOf(request.url.origin).request({
          path: `${request.url.pathname}${request.url.search}`,
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          // undici takes any signal with addEventListener/removeEventListener (its EventTarget path).
          signal: request.signal,
        });
      } catch (error) {
        throw toTransportError(error, request.signal);
      }
      const body = response.body;
      const reading = { discarded: false };
      return {
        status: response.statusCode,
        headers: response.headers,
        body: readBody(body, request.signal, reading),
        async bytes() {
          try {
            return await readWhole(body, response.headers['content-length']);
          } catch (error) {
            throw toTransportError(error, request.signal);
          }
        },
        async discard() {
          reading.discarded = true;
          await body.dump().catch(() => undefined);
        },
      };
    },
    async close() {
      closed = true;
      const closing = [...pools.values()].map((pool) => pool.close());
      pools.clear();
      await Promise.all(closing);
    },
  };
}

/**
 * The body as it arrives, one piece per network read: what undici has buffered when the consumer
 * asks is taken at once (`read()` joins it), so a stream whose events came in one read costs one
 * asynchronous step, not one per HTTP chunk. Node's async iterator yielded each chunk on its own:
 * ~1 µs each, twenty-odd per streamed call (bench/gateway). A consumer that stops early (break)
 * destroys the body, which aborts the request — unless it called `discard()` first, as the stream
 * readers do after `[DONE]`. (Node's iterator also destroyed the stream on every early stop with a
 * new `AbortError`, whose stack trace was ~40 µs of every streamed request.)
 */
async function* readBody(
  body: Dispatcher.ResponseData['body'],
  signal: CallSignal,
  reading: { discarded: boolean },
): AsyncIterable<Uint8Array> {
  let ended = false;
  try {
    for (;;) {
      const piece = body.read() as Buffer | null;
      if (piece !== null) {
        yield piece;
        continue;
      }
      if (body.readableEnded) break;
      await nextPiece(body);
    }
    ended = true;
  } catch (error) {
    ended = true;
    throw toTransportError(error, signal);
  } finally {
    if (!ended && !reading.discarded) body.destroy();
  }
}

/**
 * The whole body, in a buffer of its own. A small answer usually arrives with its headers and
 * lies whole in the stream's buffer when it is asked for: it is taken at once, with no wait for
 * the stream's end. undici's `arrayBuffer()` took ~20 µs per call at one connection (bench/gateway)
 * for a 300-byte answer, in its consume machinery; this takes a few.
 */
async function readWhole(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | string[] | undefined,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  const expected = typeof contentLength === 'string' ? Number(contentLength) : Number.NaN;
  for (;;) {
    const piece = body.read() as Buffer | null;
    if (piece !== null) {
      chunks.push(piece);
      total += piece.length;
      // Every byte Content-Length announced is here: the answer is complete.
      if (total === expected) break;
      continue;
    }
    if (body.readableEnded) break;
    await nextPiece(body);
  }
  // A copy: the pieces are views of the socket's read buffers, which a kept answer (the response
  // cache) must not hold on to.
  const whole = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.length;
  }
  return whole;
}

/** Resolves when the body has more to read or ended; rejects when it failed or closed early. */
function nextPiece(body: Dispatcher.ResponseData['body']): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      body.off('readable', done);
      body.off('end', done);
      body.off('error', failed);
      body.off('close', closed);
      resolve();
    };
    const failed = (error: unknown) => {
      body.off('readable', done);
      body.off('end', done);
      body.off('close', closed);
      reject(error);
    };
    const closed = () => {
      if (body.readableEnded) done();
      else failed(body.errored ?? new Error('The response body closed before it ended.'));
    };
    if (body.errored) {
      reject(body.errored);
      return;
    }
    if (body.destroyed) {
      closed();
      return;
    }
    body.on('readable', done);
    body.on('end', done);
    body.on('error', failed);
    body.on('close', closed);
  });
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Maps transport failures to the errors the gateway decides on. */
export function toTransportError(error: unknown, signal: CallSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (FlywheelError.is(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_UNSAFE_ADDRESS') {
    return new FlywheelError('unsafe_url', message, { cause: error });
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new UpstreamError(
      'upstream_unreachable',
      `Could not connect to the provider in time (${message}).`,
      {
        retryable: true,
        phase: 'connect',
        cause: error,
      },
    );
  }
  if (typeof code === 'string' && unreachableCodes.has(code)) {
    return new UpstreamError(
      'upstream_unreachable',
      `The connection to the provider failed: ${code} (${message}).`,
      {
        retryable: true,
        phase:
          code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'connect' : 'response',
        cause: error,
      },
    );
  }
  return new UpstreamError('upstream_unreachable', `The request to the provider failed: ${message}`, {
    retryable: true,
    phase: 'response',
    cause: error,
  });
}
