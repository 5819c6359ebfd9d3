import { createServer, get, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatStreamEvent } from '@flywheel/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { newForwardedStream, pipeChatStream, type StreamEnd } from './stream-writer.js';

const encoder = new TextEncoder();
const event = (index: number): ChatStreamEvent => {
  const chunk = {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content: `token ${index} ` }, finish_reason: null }],
  };
  return { raw: encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`), chunk } as ChatStreamEvent;
};

describe('pipeChatStream', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function serve(
    events: (response: ServerResponse) => AsyncIterable<ChatStreamEvent>,
    forwarded = newForwardedStream(),
    dropUsageChunk = false,
  ): Promise<{ body: string; end: StreamEnd }> {
    let ended: Promise<StreamEnd> | undefined;
    let clock = 0;
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      ended = pipeChatStream(response, events(response), forwarded, {
        dropUsageChunk,
        elapsedMs: () => ++clock,
        clientGone: () => false,
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const { port } = server.address() as AddressInfo;
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    return { body, end: await ended! };
  }

  it('keeps every event for the trace, with its time, and leaves out the usage-only chunk when told', async () => {
    const usage = encoder.encode('data: {"choices":[],"usage":{"prompt_tokens":1}}\n\n');
    const done = encoder.encode('data: [DONE]\n\n');
    const forwarded = newForwardedStream();
    const { body, end } = await serve(
      async function* () {
        yield event(0);
        yield { raw: usage, usageOnly: true };
        yield { raw: done, done: true };
      },
      forwarded,
      true,
    );
    expect(end).toEqual({ kind: 'complete' });
    expect(body).toBe(`${Buffer.from(event(0).raw)}data: [DONE]\n\n`);
    expect(forwarded.events.map((raw) => Buffer.from(raw).toString())).toEqual([
      Buffer.from(event(0).raw).toString(),
      Buffer.from(usage).toString(),
      'data: [DONE]\n\n',
    ]);
    expect(forwarded.times).toEqual([1, 2, 3]);
  });

  it('sends the first event at once, the rest of the same read together after it, and the last read with the end', async () => {
    // Left in the socket's buffer (in bytes) when the events after the first are asked for.
    const buffered: number[] = [];
    const writes: number[] = [];
    const endedWith: number[] = [];
    const { body, end } = await serve(async function* (response) {
      const write = response.write.bind(response) as (chunk: Uint8Array) => boolean;
      response.write = ((chunk: Uint8Array) => {
        writes.push(chunk.byteLength);
        return write(chunk);
      }) as typeof response.write;
      const finish = response.end.bind(response) as (chunk?: Uint8Array) => ServerResponse;
      response.end = ((chunk?: Uint8Array) => {
        endedWith.push(chunk?.byteLength ?? 0);
        return finish(chunk);
      }) as typeof response.end;
      // All yielded without leaving the microtask queue, as the events of one upstream read are.
      for (let index = 0; index < 5; index++) {
        if (index > 0) buffered.push(response.socket?.writableLength ?? -1);
        yield event(index);
      }
      // A later read.
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield event(5);
      yield event(6);
    });
    expect(end).toEqual({ kind: 'complete' });
    expect(buffered[0]).toBe(0);
    const sizes = [0, 1, 2, 3, 4, 5, 6].map((index) => event(index).raw.byteLength);
    expect(writes).toEqual([sizes[0], sizes[1]! + sizes[2]! + sizes[3]! + sizes[4]!]);
    // The last read's events leave with the end of the body, in one write.
    expect(endedWith).toEqual([sizes[5]! + sizes[6]!]);
    expect(body.match(/token \d /g)).toEqual([0, 1, 2, 3, 4, 5, 6].map((index) => `token ${index} `));
  });

  it('ends a failed stream with the events it had, in order, then an in-band error event', async () => {
    const { body, end } = await serve(async function* () {
      yield event(0);
      yield event(1);
      yield event(2);
      throw Object.assign(new Error('upstream went away'), { code: 'upstream_error' });
    });
    expect(end.kind).toBe('failed');
    expect(body.match(/token \d /g)).toEqual(['token 0 ', 'token 1 ', 'token 2 ']);
    expect(body.trimEnd().split('\n\n').at(-1)).toBe(
      'data: {"error":{"message":"upstream went away","type":"api_error","code":"upstream_error","param":null}}',
    );
  });

  it('stops pulling events while the client does not read, and delivers every byte once it does', async () => {
    const payload = `data: ${'x'.repeat(64 * 1024 - 8)}\n\n`;
    const total = 1000;
    let pulled = 0;
    let ended: Promise<StreamEnd> | undefined;
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      ended = pipeChatStream(
        response,
        (async function* () {
          while (pulled < total) {
            // Bursts of four events per "read", as a provider sends them.
            for (let index = 0; index < 4; index++) {
              pulled++;
              yield { raw: encoder.encode(payload) } as ChatStreamEvent;
            }
            await new Promise((resolve) => setImmediate(resolve));
          }
        })(),
        newForwardedStream(),
        { dropUsageChunk: false, elapsedMs: () => 1, clientGone: () => false },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const { port } = server.address() as AddressInfo;
    const received = await new Promise<number>((resolve, reject) => {
      get(`http://127.0.0.1:${port}/`, (response) => {
        response.pause();
        setTimeout(() => {
          // 64 MB were on offer; only what the socket buffers hold has been pulled.
          if (pulled >= total / 2)
            reject(new Error(`pulled ${pulled} of ${total} events with nobody reading`));
          let bytes = 0;
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          response.on('end', () => resolve(bytes));
          response.resume();
        }, 300);
      }).on('error', reject);
    });
    expect(await ended!).toEqual({ kind: 'complete' });
    expect(pulled).toBe(total);
    expect(received).toBe(total * encoder.encode(payload).byteLength);
  });
});
