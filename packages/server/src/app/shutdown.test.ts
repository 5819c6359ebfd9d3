import { connect } from 'node:net';
import { createApiKeyService } from '@flywheel/core';
import { createInMemoryStores } from '@flywheel/core/testing';
import { expect, it } from 'vitest';
import { createApp } from './create-app.js';

it('finishes in-flight requests on close and answers new ones with shutting_down', async () => {
  const stores = createInMemoryStores();
  const apiKeys = createApiKeyService({
    stores,
    hasher: { hash: (key) => key.split('').reverse().join('') },
  });
  const app = createApp({ stores, apiKeys, version: 'test' });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const slowEntered = new Promise<void>((resolve) => (entered = resolve));
  app.get('/slow', async () => {
    entered();
    await released;
    return { done: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  // One kept-alive connection: a slow request is in flight when close() starts, and a second
  // request arrives on the same connection while the server drains.
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write('GET /slow HTTP/1.1\r\nHost: test\r\n\r\n');
  await slowEntered;
  const closed = app.close();
  await new Promise((resolve) => setImmediate(resolve));
  socket.write('GET /health HTTP/1.1\r\nHost: test\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 20));
  release();
  await closed;
  await ended;

  const responses = received.split(/(?=HTTP\/1\.1 )/);
  expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
  expect(responses[0]).toContain('{"done":true}');
  expect(responses[1]).toMatch(/^HTTP\/1\.1 503/);
  expect(responses[1]).toMatch(/retry-after: 1/i);
  expect(responses[1]).toContain('"code":"shutting_down"');
});
