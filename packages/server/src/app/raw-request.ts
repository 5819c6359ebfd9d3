import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { FlywheelError } from '@flywheel/spec';
import { decodedBody } from './content-encoding.js';
import { parseJsonBody } from './json-text.js';
import { bodyTooLarge, contentLengthMismatch, notJsonBody } from './rest-errors.js';

// The request handling Fastify does for a route, for the few routes served on the raw server
// (decision 0016): request ids, the JSON body, the access log. Each answers as Fastify did.

const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/** A caller's `x-request-id` when it is sane (so logs line up across services); else a new id. */
export function requestIdFor(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && requestIdPattern.test(given) ? given : `req_${randomUUID()}`;
}

/**
 * Reads a request's JSON body as the app's Fastify routes do, with the same checks in the same
 * order and the same errors: an unsupported `Content-Encoding` (415), a `Content-Type` other than
 * JSON (415), a body over `limit` bytes (413, after decompression), a `Content-Length` that does
 * not match (400), an empty or malformed body or one with `__proto__`/`constructor.prototype`
 * keys (400 `invalid_json`). A request without a body and without a `Content-Type` reads as
 * `undefined`, for the route to refuse.
 */
export function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const { headers } = request;
  const payload = decodedBody(request, headers['content-encoding'], limit);
  const contentType = headers['content-type'];
  if (contentType === undefined) {
    const length = headers['content-length'];
    if (headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
      return Promise.resolve(undefined);
    }
    throw notJsonBody();
  }
  if (!isJsonMediaType(contentType)) throw notJsonBody();
  const contentLength = Number(headers['content-length']);
  if (contentLength > limit) throw bodyTooLarge(limit);

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const encoded = payload as { receivedEncodedLength?: number };
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit || (encoded.receivedEncodedLength ?? 0) > limit) {
        stop();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onError = (error: Error) => {
      stop();
      reject(
        FlywheelError.is(error)
          ? error
          : new FlywheelError('validation_failed', error.message || 'The request body could not be read.'),
      );
    };
    const onEnd = () => {
      stop();
      if (!Number.isNaN(contentLength) && (encoded.receivedEncodedLength || received) !== contentLength) {
        reject(contentLengthMismatch());
        return;
      }
      const text =
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
      try {
        resolve(parseJsonBody(text));
      } catch (error) {
        reject(error);
      }
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  });
}

/** `application/json`, with any parameters, in any case (as Fastify matches it). */
function isJsonMediaType(header: string): boolean {
  const end = header.indexOf(';');
  return (end === -1 ? header : header.slice(0, end)).trim().toLowerCase() === 'application/json';
}
