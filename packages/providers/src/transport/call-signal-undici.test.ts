import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallController } from '@flywheel/spec';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

describe('a call signal with undici', () => {
  it('stops an undici request in flight, with its reason', async () => {
    const server = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const controller = createCallController();
      const pending = request(`http://127.0.0.1:${port}/`, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('deadline passed')), 20);
      await expect(pending).rejects.toThrow('deadline passed');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
