import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the fake does with one request. */
export type FakeBehavior =
  | {
      kind: 'json';
      /** Status (default 200). */
      status?: number;
      /** Body to send (default: a chat completion, or an embeddings answer on /embeddings). */
      body?: unknown;
      headers?: Record<string, string>;
      /** Wait before answering, ms. */
      delayMs?: number;
    }
  | {
      kind: 'stream';
      /** Text of each content chunk (default: 5 words). */
      chunks?: string[];
      /** Wait before the headers, ms. */
      headersDelayMs?: number;
      /** Wait before each chunk, ms. */
      chunkDelayMs?: number;
      /** After this many chunks: stall forever. */
      stallAfter?: number;
      /** After this many chunks: destroy the socket. */
      resetAfter?: number;
      /** After this many chunks: send an error event and end. */
      errorAfter?: number;
      /** Send the headers, then nothing at all. */
      silent?: boolean;
    }
  /** Read the request, never answer. */
  | { kind: 'hang' }
  /** Destroy the connection without an answer. */
  | { kind: 'reset' };

/** A request the fake received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
  /** Set when the client went away before the answer was complete. */
  aborted: boolean;
}

/** A running fake. */
export interface FakeOpenAIServer {
  /** Base URL with the version path: `http://127.0.0.1:PORT/v1`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Chooses the behaviour of every later request (by its index among all requests). */
  behave(choose: (request: RecordedRequest, index: number) => FakeBehavior): void;
  /** Requests currently open. */
  openRequests(): number;
  /** TCP connections accepted since the server started. */
  connectionsOpened(): number;
  close(): Promise<void>;
}

/**
 * A fake OpenAI-compatible server on 127.0.0.1 that can misbehave on purpose: errors with
 * Retry-After, silence, stalls and resets mid-stream, error events, hangs. It stands in for the
 * internet in tests; it is never a stand-in for Flywheel's own code.
 *
 * @example
 * const fake = await startFakeOpenAI();
 * fake.behave((_request, index) => (index === 0 ? { kind: 'json', status: 503 } : { kind: 'json' }));
 */
export async function startFakeOpenAI(): Promise<FakeOpenAIServer> {
  let choose: (request: RecordedRequest, index: number) => FakeBehavior = (request) =>
    request.body?.stream === true ? { kind: 'stream' } : { kind: 'json' };
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let open = 0;
  let connections = 0;

  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      let body: Record<string, unknown> | undefined;
      try {
        body =
          parts.length > 0
            ? (JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>)
            : undefined;
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
        aborted: false,
      };
      requests.push(recorded);
      open++;
      let settled = false;
      const settle = () => {
        if (!settled) {
          settled = true;
          open--;
        }
      };
      response.on('close', () => {
        if (!response.writableFinished) recorded.aborted = true;
        settle();
      });
      void respond(choose(recorded, requests.length - 1), recorded, request, response).catch(() =>
        response.destroy(),
      );
    });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    behave(next) {
      choose = next;
    },
    openRequests: () => open,
    connectionsOpened: () => connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function respond(
  behavior: FakeBehavior,
  recorded: RecordedRequest,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const model = typeof recorded.body?.model === 'string' ? recorded.body.model : 'fake-model';
  switch (behavior.kind) {
    case 'hang':
      return;
    case 'reset':
      request.socket.destroy();
      return;
    case 'json': {
      if (behavior.delayMs) await sleep(behavior.delayMs);
      const status = behavior.status ?? 200;
      const body =
        behavior.body ??
        (status >= 400
          ? {
              error: {
                message: `fake error ${status}`,
                type: status >= 500 ? 'server_error' : 'invalid_request_error',
                code: null,
                param: null,
              },
            }
          : recorded.url.endsWith('/embeddings')
            ? embeddings(model, recorded.body?.input)
            : completion(model));
      response.writeHead(status, { 'content-type': 'application/json', ...behavior.headers });
      response.end(JSON.stringify(body));
      return;
    }
    case 'stream': {
      if (behavior.headersDelayMs) await sleep(behavior.headersDelayMs);
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.flushHeaders();
      if (behavior.silent) return;
      const chunks = behavior.chunks ?? ['Hello', ' from', ' the', ' fake', ' model'];
      const includeUsage =
        (recorded.body?.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      for (let index = 0; index < chunks.length; index++) {
        if (behavior.stallAfter === index) return;
        if (behavior.resetAfter === index) {
          // Let the chunks already written reach the client, then cut the connection.
          await sleep(30);
          request.socket.destroy();
          return;
        }
        if (behavior.errorAfter === index) {
          response.end(
            `data: ${JSON.stringify({ error: { message: 'fake stream failure', type: 'server_error' } })}\n\n`,
          );
          return;
        }
        if (behavior.chunkDelayMs) await sleep(behavior.chunkDelayMs);
        if (response.destroyed) return;
        response.write(
          `data: ${JSON.stringify(chunk(model, index === 0 ? { role: 'assistant', content: chunks[index] } : { content: chunks[index] }, null))}\n\n`,
        );
      }
      response.write(`data: ${JSON.stringify(chunk(model, {}, 'stop'))}\n\n`);
      if (includeUsage) {
        response.write(
          `data: ${JSON.stringify({ ...chunk(model, {}, null), choices: [], usage: fakeUsage(chunks.length) })}\n\n`,
        );
      }
      response.end('data: [DONE]\n\n');
      return;
    }
  }
}

function fakeUsage(completionTokens: number) {
  return { prompt_tokens: 12, completion_tokens: completionTokens, total_tokens: 12 + completionTokens };
}

function completion(model: string) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello from the fake model' },
        finish_reason: 'stop',
      },
    ],
    usage: fakeUsage(5),
  };
}

function chunk(model: string, delta: Record<string, unknown>, finishReason: string | null) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

function embeddings(model: string, input: unknown) {
  const inputs = Array.isArray(input) ? input : [input];
  return {
    object: 'list',
    data: inputs.map((_value, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
    model,
    usage: { prompt_tokens: 4 * inputs.length, total_tokens: 4 * inputs.length },
  };
}
