import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IngestEvent } from '@flywheel/spec';

/** Answers one request; `body` is the parsed request body. */
export type IngestHandler = (
  body: { batch: IngestEvent[] },
  response: ServerResponse,
  request: IncomingMessage,
) => void;

/** A request the fake received. */
export interface ReceivedIngest {
  /** `Date.now()` when its body had arrived. */
  at: number;
  events: IngestEvent[];
  /** The raw body, as sent. */
  text: string;
  authorization: string | undefined;
}

/** A fake `POST /api/ingest` on 127.0.0.1 that answers as told. */
export interface FakeIngestServer {
  url: string;
  port: number;
  received: ReceivedIngest[];
  /** Chooses how later requests are answered (default: 200 with every item a success). */
  handle(handler: IngestHandler): void;
  close(): Promise<void>;
}

/**
 * Starts the fake, on `port` if given (to bring a "crashed" server back on the same address).
 *
 * @example
 * const fake = await startFakeIngest();
 * fake.handle((_body, response) => answerError(response, 503, { 'retry-after': '1' }));
 */
export async function startFakeIngest(port = 0): Promise<FakeIngestServer> {
  let handler: IngestHandler = (body, response) => answerOk(response, body);
  const received: ReceivedIngest[] = [];
  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      const body = JSON.parse(text) as { batch: IngestEvent[] };
      received.push({
        at: Date.now(),
        events: body.batch,
        text,
        authorization: request.headers.authorization,
      });
      handler(body, response, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    received,
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** 200 with every item stored. */
export function answerOk(response: ServerResponse, body: { batch: IngestEvent[] }): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({ successes: body.batch.map((event) => ({ id: event.id, status: 201 })), errors: [] }),
  );
}

/** A REST error body with `status`. */
export function answerError(
  response: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
): void {
  const code =
    status === 401 ? 'invalid_api_key' : status === 413 ? 'payload_too_large' : 'validation_failed';
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ error: { code, message: `status ${status}`, request_id: 'req_1' } }));
}
