import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient } from './gateway-client.js';

// A server that takes requests and never answers (or answers headers and then stalls).
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url?.includes('stall-body')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"choices": [');
    }
    // Otherwise: nothing at all.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the eval gateway client', () => {
  it('gives up with upstream_timeout when no answer comes, and when the answer stalls', async () => {
    const client = createGatewayClient({ baseUrl: url, apiKey: 'k', timeoutMs: 200 });
    try {
      await expect(client.chat({ alias: 'a', body: { messages: [] } })).rejects.toMatchObject({
        code: 'upstream_timeout',
      });
      const stalled = createGatewayClient({ baseUrl: `${url}/stall-body`, apiKey: 'k', timeoutMs: 200 });
      await expect(stalled.chat({ alias: 'a', body: { messages: [] } })).rejects.toMatchObject({
        code: 'upstream_timeout',
        message: expect.stringContaining('stopped sending its answer'),
      });
      await stalled.close();
    } finally {
      await client.close();
    }
  });

  it('stops a call when its signal aborts, with the abort reason rather than a timeout', async () => {
    const client = createGatewayClient({ baseUrl: url, apiKey: 'k', timeoutMs: 60_000 });
    try {
      const controller = new AbortController();
      const call = client.chat({ alias: 'a', body: { messages: [] }, signal: controller.signal });
      setTimeout(() => controller.abort(new Error('cancelled')), 50);
      await expect(call).rejects.toThrow('cancelled');
    } finally {
      await client.close();
    }
  });

  it('says the gateway cannot be reached when nothing listens', async () => {
    const client = createGatewayClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k' });
    try {
      await expect(client.chat({ alias: 'a', body: { messages: [] } })).rejects.toMatchObject({
        code: 'server_unreachable',
      });
    } finally {
      await client.close();
    }
  });

  it('sends embeddings and the model list through a given fetch (the embedded server in-process)', async () => {
    const calls: Array<{ url: string; method: string | undefined; body: unknown }> = [];
    const inProcessFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      calls.push({ url, method: init?.method, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      if (url.endsWith('/v1/models'))
        return Response.json({ object: 'list', data: [{ id: 'chat' }, { id: 'embed' }] });
      if (url.endsWith('/v1/embeddings'))
        return Response.json({
          data: [
            { index: 1, embedding: [0, 1] },
            { index: 0, embedding: [1, 0] },
          ],
        });
      return Response.json({ error: { code: 'model_not_found', message: 'no such model' } }, { status: 404 });
    };
    // Nothing listens at this address: every call must go through the fetch.
    const client = createGatewayClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch: inProcessFetch });
    try {
      expect(await client.models()).toEqual(['chat', 'embed']);
      expect(await client.embed({ alias: 'embed', texts: ['a', 'b'] })).toEqual([
        [1, 0],
        [0, 1],
      ]);
      expect(calls.map((call) => [call.method, call.url])).toEqual([
        ['GET', 'http://127.0.0.1:9/v1/models'],
        ['POST', 'http://127.0.0.1:9/v1/embeddings'],
      ]);
      expect(calls[1]?.body).toEqual({ model: 'embed', input: ['a', 'b'] });
      await expect(client.chat({ alias: 'nope', body: { messages: [] } })).rejects.toMatchObject({
        code: 'model_not_found',
        message: 'no such model',
      });
    } finally {
      await client.close();
    }
  });
});
