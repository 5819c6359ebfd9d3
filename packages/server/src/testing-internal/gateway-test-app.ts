import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bootstrapInstance,
  createApiKeyService,
  createPriceTable,
  defaultPrices,
  type SpanRecord,
  type Stores,
} from '@flywheel/core';
import { type FakeOpenAIServer, startFakeOpenAI } from '@flywheel/providers/testing';
import { openStorage, type Storage } from '@flywheel/storage';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { createApp } from '../app/create-app.js';
import type { GatewayDeps } from '../gateway/gateway-deps.js';
import { buildGateway } from '../main/build-gateway.js';
import { buildTracing } from '../main/build-tracing.js';
import { createHmacKeyHasher } from '../secrets/hmac-key-hasher.js';
import { loadSettings } from '../settings/load-settings.js';

/**
 * A listening Flywheel (gateway pointed at fake upstreams, ingestion and trace queries on a
 * SQLite data dir with its writer thread), for end-to-end tests through HTTP.
 */
export interface GatewayTestApp {
  /** Base URL of Flywheel, e.g. http://127.0.0.1:PORT */
  url: string;
  /** An instance-admin key with every scope. */
  key: string;
  projectId: string;
  /** The fake upstreams, by name (`primary`, `backup` unless told otherwise). */
  fakes: Record<string, FakeOpenAIServer>;
  app: FastifyInstance;
  /** What the `/v1/*` routes run on (for the in-process gateway). */
  gateway: GatewayDeps;
  stores: Stores;
  storage: Storage;
  /** Runs one retention sweep now. */
  sweepRetention(): Promise<number>;
  /** Waits until every finished call's trace is written. */
  flushTraces(): Promise<void>;
  /** The spans of a trace (see the `x-flywheel-trace-id` answer header), once written. */
  spans(traceId: string): Promise<SpanRecord[]>;
  close(): Promise<void>;
}

export const gatewayTestKey = `fw_sk_${'G'.repeat(43)}`;

/**
 * Starts fakes, writes a flywheel.config.yaml whose `{{name}}` placeholders become the fakes'
 * URLs, and starts Flywheel on a free port with that config.
 *
 * @example
 * const t = await startGatewayTestApp(`models:\n  - name: chat\n    targets:\n      - { provider: openai-compatible, model: m, base_url: "{{primary}}" }\n`);
 */
export async function startGatewayTestApp(
  configYaml: string,
  options: { fakes?: string[]; env?: Record<string, string>; logger?: FastifyBaseLogger } = {},
): Promise<GatewayTestApp> {
  const fakes: Record<string, FakeOpenAIServer> = {};
  for (const name of options.fakes ?? ['primary', 'backup']) fakes[name] = await startFakeOpenAI();
  const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-gateway-'));
  const config = configYaml.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const fake = fakes[name];
    if (!fake) throw new Error(`no fake named ${name}`);
    return fake.url;
  });
  writeFileSync(join(dataDir, 'flywheel.config.yaml'), config);
  const settings = loadSettings({
    env: { FLYWHEEL_DATA_DIR: dataDir, FLYWHEEL_PORT: '0', FLYWHEEL_LOG_LEVEL: 'silent', ...options.env },
    cwd: dataDir,
  });
  const storage = openStorage({ dataDir });
  await storage.migrate();
  const apiKeys = createApiKeyService({
    stores: storage.stores,
    hasher: createHmacKeyHasher('gateway-test-secret-0123456789abcdef'),
  });
  const bootstrap = await bootstrapInstance({
    stores: storage.stores,
    apiKeys,
    bootstrapKey: gatewayTestKey,
  });
  const prices = createPriceTable(defaultPrices, settings.gateway.prices);
  const tracing = buildTracing(settings, storage.stores, prices, undefined);
  const built = buildGateway(settings, storage.stores, { sink: tracing.gatewaySink, prices });
  const app = createApp({
    // Trace reads wait for what ingestion acknowledged, as in the server.
    stores: { ...storage.stores, traces: tracing.traces },
    apiKeys,
    version: 'test',
    bodyLimitBytes: settings.bodyLimitBytes,
    ingestBodyLimitBytes: settings.ingestBodyLimitBytes,
    gateway: built.gateway,
    providerCredentials: built.providerCredentials,
    tracing: tracing.tracing,
    appendExperimentResults: tracing.appendExperimentResults,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    key: gatewayTestKey,
    projectId: bootstrap!.project.id,
    fakes,
    app,
    gateway: built.gateway,
    stores: storage.stores,
    storage,
    flushTraces: () => tracing.flushGatewayTraces(),
    sweepRetention: () => tracing.sweepRetention(),
    async spans(traceId) {
      await tracing.flushGatewayTraces();
      return tracing.traces.listSpans(bootstrap!.project.id, traceId);
    },
    async close() {
      await app.close();
      await built.close();
      await tracing.close();
      await storage.close();
      await Promise.all(Object.values(fakes).map((fake) => fake.close()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
