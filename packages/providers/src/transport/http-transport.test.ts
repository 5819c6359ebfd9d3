import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallController, UpstreamError } from '@flywheel/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { createUndiciTransport, type HttpTransport } from './http-transport.js';

let server: ReturnType<typeof createServer> | undefined;
let transport: HttpTransport | undefined;

afterEach(async () => {
  await transport?.close();
  server?.closeAllConnections();
  server?.close();
  server = undefined;
  transport = undefined;
});

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<URL> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`);
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A GET of `url` through a new transport (closed after the test). */
function get(url: URL) {
  transport = createUndiciTransport();
  return transport.request({ url, method: 'GET', headers: {}, signal: createCallController().signal });
}

async function bytesOf(url: URL): Promise<string> {
  return Buffer.from(await (await get(url)).bytes()).toString('utf8');
}

describe('the undici transport reads a whole body', () => {
  it('when it came with its headers', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': '11' });
      response.end('hello world');
    });
    expect(await bytesOf(url)).toBe('hello world');
  });

  it('when it arrives in pieces, with a Content-Length', async () => {
    const url = await serve(async (_request, response) => {
      response.writeHead(200, { 'content-length': '9' });
      response.flushHeaders();
      for (const piece of ['abc', 'def', 'ghi']) {
        await wait(10);
        response.write(piece);
      }
      response.end();
    });
    expect(await bytesOf(url)).toBe('abcdefghi');
  });

  it('when it is chunked, without a Content-Length', async () => {
    const url = await serve(async (_request, response) => {
      response.writeHead(200);
      response.write('first ');
      await wait(10);
      response.end('second');
    });
    expect(await bytesOf(url)).toBe('first second');
  });

  it('as a buffer of its own, not a view of a larger one', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': '5' });
      response.end('small');
    });
    const response = await get(url);
    const bytes = await response.bytes();
    expect(bytes.byteLength).toBe(5);
    expect(bytes.buffer.byteLength).toBe(5);
  });

  it('and fails as unreachable when the connection drops mid-body', async () => {
    const url = await serve(async (_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('only part');
      await wait(10);
      response.socket?.destroy();
    });
    const response = await get(url);
    const failure = await response.bytes().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(UpstreamError.isUpstream(failure)).toBe(true);
    expect((failure as UpstreamError).code).toBe('upstream_unreachable');
  });

  it('refuses requests once closed', async () => {
    const url = await serve((_request, response) => response.end('x'));
    transport = createUndiciTransport();
    await transport.close();
    await expect(
      transport.request({ url, method: 'GET', headers: {}, signal: createCallController().signal }),
    ).rejects.toMatchObject({ code: 'upstream_unreachable' });
  });
});
