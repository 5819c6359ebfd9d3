import { type Readable, Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { FlywheelError } from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';

/**
 * Accepts `Content-Encoding: gzip` (and `deflate`) bodies, as OTLP exporters and SDKs send them.
 * The size limit applies to the decoded body, so a small gzip bomb is refused with 413 as soon
 * as its output passes the limit, without inflating the rest.
 */
export function registerContentDecoding(app: FastifyInstance, bodyLimitBytes: number) {
  app.addHook('preParsing', async (request, _reply, payload) =>
    decodedBody(
      payload,
      request.headers['content-encoding'],
      request.routeOptions.bodyLimit ?? bodyLimitBytes,
    ),
  );
}

/**
 * The body `payload` carries, decoded as its `Content-Encoding` header says: `payload` itself when
 * it is not encoded. Throws `unsupported_media_type` for an encoding other than gzip or deflate.
 * The stream fails with `payload_too_large` once the decoded bytes pass `limit`, and with
 * `validation_failed` when they are not valid data of that encoding.
 */
export function decodedBody(payload: Readable, encodingHeader: string | undefined, limit: number): Readable {
  const encoding = encodingHeader?.trim().toLowerCase();
  if (encoding === undefined || encoding === '' || encoding === 'identity') return payload;
  if (encoding !== 'gzip' && encoding !== 'deflate' && encoding !== 'x-gzip') {
    throw new FlywheelError(
      'unsupported_media_type',
      `Content-Encoding '${encoding}' is not supported; send the body plain or gzip-compressed.`,
    );
  }
  const inflate = encoding === 'deflate' ? createInflate() : createGunzip();
  let decoded = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      decoded += chunk.length;
      if (decoded > limit) {
        callback(
          new FlywheelError(
            'payload_too_large',
            `The decompressed request body is larger than the limit of ${limit} bytes.`,
          ),
        );
        // Stop inflating, but read the (compressed, within limits) rest so the answer can go out.
        payload.unpipe(inflate);
        inflate.destroy();
        payload.resume();
        return;
      }
      callback(null, chunk);
    },
  });
  // Fastify compares Content-Length with the bytes received on the wire, not the decoded ones.
  const counted = limiter as Transform & { receivedEncodedLength: number };
  counted.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => {
    counted.receivedEncodedLength += chunk.length;
  });
  inflate.on('error', (error) => {
    limiter.destroy(
      new FlywheelError(
        'validation_failed',
        `The body is not valid ${encoding} data (${(error as Error).message}); compress it with ${encoding} or drop the Content-Encoding header.`,
      ),
    );
  });
  payload.pipe(inflate).pipe(limiter);
  return limiter;
}
