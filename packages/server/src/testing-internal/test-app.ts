import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiKeyService, bootstrapInstance, createApiKeyService, type Stores } from '@flywheel/core';
import { openStorage, type Storage } from '@flywheel/storage';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { createApp } from '../app/create-app.js';
import { createHmacKeyHasher } from '../secrets/hmac-key-hasher.js';

/** An app on a fresh SQLite database, bootstrapped with a known instance-admin key. */
export interface TestApp {
  app: FastifyInstance;
  storage: Storage;
  stores: Stores;
  apiKeys: ApiKeyService;
  dataDir: string;
  adminKey: string;
  projectId: string;
  /** `Authorization` header for a key. */
  auth(key: string): { authorization: string };
  dispose(): Promise<void>;
}

export const testAdminKey = `fw_sk_${'T'.repeat(43)}`;

export async function createTestApp(
  options: {
    bodyLimitBytes?: number;
    busyTimeoutMs?: number;
    stores?: (stores: Stores) => Stores;
    webDir?: string;
    logger?: FastifyBaseLogger;
  } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-server-'));
  const storage = openStorage({
    dataDir,
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
  });
  await storage.migrate();
  const stores = options.stores ? options.stores(storage.stores) : storage.stores;
  const apiKeys = createApiKeyService({
    stores,
    hasher: createHmacKeyHasher('test-secret-that-is-long-enough-0123456789'),
  });
  const bootstrap = await bootstrapInstance({ stores, apiKeys, bootstrapKey: testAdminKey });
  const app = createApp({
    stores,
    apiKeys,
    version: '0.0.0-test',
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    ...(options.webDir === undefined ? {} : { webDir: options.webDir }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  await app.ready();
  return {
    app,
    storage,
    stores,
    apiKeys,
    dataDir,
    adminKey: testAdminKey,
    projectId: bootstrap!.project.id,
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    async dispose() {
      await app.close();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
