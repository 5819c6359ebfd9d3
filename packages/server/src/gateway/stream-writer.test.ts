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
    batches: (response: ServerResponse) => AsyncIterable<ChatStreamEvent[]>,
    forwarded = newForwardedStream(),
    dropUsageChunk = false,
  ): Promise<{ body: string; end: StreamEnd }> {
    let ended: Promise<StreamEnd> | undefined;
    let clock = 0;
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      ended = pipeChatStream(response, batches(response), forwarded, {
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

  it('keeps every event for the trace, with the time of its read, and leaves out the usage-only chunk when told', async () => {
    const usage = encoder.encode('data: {"choices":[],"usage":{"prompt_tokens":1}}\n\n');
    const done = encoder.encode('data: [DONE]\n\n');
    const forwarded = newForwardedStream();
    const { body, end } = await serve(
      async function* () {
        yield [event(0)];
        yield [
          { raw: usage, usageOnly: true },
          { raw: done, done: true },
        ];
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
    expect(forwarded.times).toEqual([1, 2, 2]);
  });

  it('writes each read in one write, a view of the bytes read when nothing was dropped, and the last with the end', async () => {
    const writes: Uint8Array[] = [];
    const endedWith: (Uint8Array | undefined)[] = [];
    // Three events cut from one buffer, as one upstream read delivers them.
    const parts = [0, 1, 2].map((index) => Buffer.from(event(index).raw));
    const read = Buffer.concat(parts);
    const views = parts.map((_part, index) => {
      const start = parts.slice(0, index).reduce((sum, part) => sum + part.byteLength, 0);
      return read.subarray(start, start + parts[index]!.byteLength);
    });
    const usage = encoder.encode('data: {"choices":[],"usage":{"prompt_tokens":1}}\n\n');
    const done = encoder.encode('data: [DONE]\n\n');
    const { body, end } = await serve(
      async function* (response) {
        const write = response.write.bind(response) as (chunk: Uint8Array) => boolean;
        response.write = ((chunk: Uint8Array) => {
          writes.push(chunk);
          return write(chunk);
        }) as typeof response.write;
        const finish = response.end.bind(response) as (chunk?: Uint8Array) => ServerResponse;
        response.end = ((chunk?: Uint8Array) => {
          endedWith.push(chunk);
          return finish(chunk);
        }) as typeof response.end;
        yield views.map((raw) => ({ raw }));
        // A later read whose middle event (the usage chunk) is not forwarded.
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield [event(3), { raw: usage, usageOnly: true }, event(4)];
        yield [event(5), { raw: done, done: true }];
      },
      newForwardedStream(),
      true,
    );
    expect(end).toEqual({ kind: 'complete' });
    const size = (index: number) => event(index).raw.byteLength;
    expect(writes.map((chunk) => chunk.byteLength)).toEqual([size(0) + size(1) + size(2), size(3) + size(4)]);
    // No copy: the first write is the read's own bytes.
    expect(writes[0]!.buffer).toBe(read.buffer);
    // The last read's events leave with the end of the body, in one write.
    expect(endedWith.map((chunk) => chunk?.byteLength)).toEqual([size(5) + done.byteLength]);
    expect(body.match(/token \d /g)).toEqual([0, 1, 2, 3, 4, 5].map((index) => `token ${index} `));
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('ends a failed stream with the events it had, in order, then an in-band error event', async () => {
    const { body, end } = await serve(async function* () {
      yield [event(0), event(1)];
      yield [event(2)];
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
            // Bursts of four events per read, as a provider sends them.
            pulled += 4;
            yield Array.from({ length: 4 }, () => ({ raw: encoder.encode(payload) }) as ChatStreamEvent);
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
