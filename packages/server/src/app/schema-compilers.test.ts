import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';
import { createApp } from './create-app.js';

describe('Fastify schema compilers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.dispose());

  it('are not used: a route that declares a JSON schema fails at start-up, naming what to use', async () => {
    const app = createApp({ stores: t.stores, apiKeys: t.apiKeys, version: '0.0.0-test' });
    app.post('/with-a-schema', { schema: { body: { type: 'object' } } }, async () => ({ ok: true }));
    await expect(app.ready()).rejects.toThrow(/validate with zod \(parseInput/);
    await app.close();
  });
});
