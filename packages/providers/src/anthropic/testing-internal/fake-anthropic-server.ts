import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** The bytes of a file in `../__fixtures__`. */
export function anthropicFixture(name: string): string {
  return readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8');
}

/** What the fake answers one request with. */
export type FakeAnthropicReply =
  | {
      kind: 'json';
      status?: number;
      /** The body, sent as is. */
      body: string;
      headers?: Record<string, string>;
    }
  | {
      kind: 'sse';
      /** Written one by one, so tests choose where the bytes break (mid-event included). */
      pieces: string[];
      /** Wait before each piece, ms. */
      pieceDelayMs?: number;
      /** After the last piece, keep the response open and silent instead of ending it. */
      stallAtEnd?: boolean;
    };

/** A request the fake received. */
export interface RecordedAnthropicRequest {
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
  /** Set when the client went away before the answer was complete. */
  aborted: boolean;
}

/** A running fake Messages API on 127.0.0.1. */
export interface FakeAnthropicServer {
  /** Base URL with the version path: `http://127.0.0.1:PORT/v1`. */
  url: string;
  requests: RecordedAnthropicRequest[];
  /** Chooses the answer to every later request. */
  reply(choose: (request: RecordedAnthropicRequest) => FakeAnthropicReply): void;
  close(): Promise<void>;
}

/** Splits `text` into pieces of `size` characters, so boundaries fall inside events. */
export function splitEvery(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

/**
 * A stand-in for api.anthropic.com that serves fixture bytes: JSON answers with any status and
 * headers, and event streams written piece by piece, optionally stalling at the end.
 */
export async function startFakeAnthropic(): Promise<FakeAnthropicServer> {
  let choose: (request: RecordedAnthropicRequest) => FakeAnthropicReply = () => ({
    kind: 'json',
    body: anthropicFixture('messages-text.json'),
  });
  const requests: RecordedAnthropicRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const recorded: RecordedAnthropicRequest = {
        url: request.url ?? '',
        headers: request.headers,
        body:
          parts.length > 0
            ? (JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>)
            : undefined,
        aborted: false,
      };
      requests.push(recorded);
      response.on('close', () => {
        if (!response.writableFinished) recorded.aborted = true;
      });
      const reply = choose(recorded);
      if (reply.kind === 'json') {
        response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        response.end(reply.body);
        return;
      }
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      });
      response.flushHeaders();
      void (async () => {
        for (const piece of reply.pieces) {
          if (reply.pieceDelayMs) await new Promise((resolve) => setTimeout(resolve, reply.pieceDelayMs));
          if (response.destroyed) return;
          response.write(piece);
        }
        if (!reply.stallAtEnd) response.end();
      })();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    reply(next) {
      choose = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
