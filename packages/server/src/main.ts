import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BootstrapResult,
  bootstrapInstance,
  type CreatedApiKey,
  createApiKeyService,
  createPriceTable,
  defaultPrices,
} from '@flywheel/core';
import { type ApiKeyScope, type FetchLike, FlywheelError } from '@flywheel/spec';
import { openStorage } from '@flywheel/storage';
import { pino } from 'pino';
import type { AppendExperimentResults } from './app/app-deps.js';
import { createApp } from './app/create-app.js';
import { createInjectFetch } from './app/inject-fetch.js';
import { createInProcessGateway, type InProcessGateway } from './gateway/in-process-gateway.js';
import { type BuiltGateway, buildGateway } from './main/build-gateway.js';
import { type BuiltTracing, buildTracing } from './main/build-tracing.js';
import { createHmacKeyHasher } from './secrets/hmac-key-hasher.js';
import { resolveServerSecret } from './secrets/server-secret.js';
import type { Settings } from './settings/settings.js';
import { flywheelVersion } from './version.js';

export type { AppendExperimentResults } from './app/app-deps.js';
export type { InProcessChatAnswer, InProcessGateway } from './gateway/in-process-gateway.js';

/** A started Flywheel server. */
export interface RunningFlywheel {
  /** Base URL it listens on, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** What the first start created, when this start was the first. */
  bootstrap: BootstrapResult | undefined;
  /**
   * The gateway without HTTP, for callers in this process (the local eval runner): the same
   * routing, cache, cost and traces as `POST /v1/chat/completions`.
   */
  gateway: InProcessGateway;
  /**
   * Appends results to a running experiment without HTTP (the local eval runner), committed on
   * the writer thread as `POST /api/experiments/:id/results` commits them.
   */
  appendExperimentResults: AppendExperimentResults;
  /**
   * A `fetch`-like call answered by this server's app in this process, without a socket
   * (Fastify's `inject`): the same routes, auth and errors. Only the URL's path and query are used.
   */
  fetch: FetchLike;
  /** The key asked for with `StartOptions.processKey`, in the instance's first project. */
  processKey: CreatedApiKey | undefined;
  /** Stops accepting, lets in-flight requests finish, then closes the database. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startFlywheel}. */
export interface StartOptions {
  /** Where the start-up banner goes (default: standard output). */
  print?: (text: string) => void;
  /**
   * Folder of the built web UI served at `/` (default: `apps/web/dist` of this checkout, which
   * `npm run build` writes; without it `/` says to build it).
   */
  webDir?: string;
  /**
   * Serve the web UI (default true). The local eval runner's embedded server answers only its
   * own process: reading the built UI's files was ~14 ms of every run's start.
   */
  serveWebUi?: boolean;
  /**
   * A key for a caller in this process (the local eval runner), valid only while this server
   * runs and never stored (`ApiKeyService.issueProcessKey`), so nothing is left to revoke.
   */
  processKey?: { name: string; scopes: ApiKeyScope[] };
  /**
   * Write gateway traces at once instead of through the gateway log and its low-priority indexer
   * (decision 0013): for a local eval run, which ends with its traces written anyway.
   */
  directGatewayTraces?: boolean;
}

/** `apps/web/dist`, from `packages/server/src/main.ts` (tests) or `packages/server/dist/main.js` (built). */
const defaultWebDir = fileURLToPath(new URL('../../../apps/web/dist', import.meta.url));

/**
 * The composition root: opens and migrates storage, bootstraps an empty instance, builds the
 * app and listens. On the first start it prints the admin key, once.
 *
 * @example
 * const flywheel = await startFlywheel(loadSettings({ env: process.env }));
 * process.once('SIGTERM', () => flywheel.close());
 */
export async function startFlywheel(
  settings: Settings,
  options: StartOptions = {},
): Promise<RunningFlywheel> {
  const print = options.print ?? ((text: string) => process.stdout.write(text));
  const storage = openStorage({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  let built: BuiltGateway | undefined;
  let tracing: BuiltTracing | undefined;
  try {
    await storage.migrate();
    const secret = resolveServerSecret({ secret: settings.secret, dataDir: settings.dataDir });
    const apiKeys = createApiKeyService({
      stores: storage.stores,
      hasher: createHmacKeyHasher(secret.value),
    });
    const bootstrap = await bootstrapInstance({
      stores: storage.stores,
      apiKeys,
      ...(settings.bootstrapKey === undefined ? {} : { bootstrapKey: settings.bootstrapKey }),
    });
    const logger = pino({ level: settings.logLevel, redact: ['req.headers.authorization'] });
    const webDir = options.webDir ?? defaultWebDir;
    const prices = createPriceTable(defaultPrices, settings.gateway.prices);
    tracing = buildTracing(settings, storage.stores, prices, logger, {
      directGatewayTraces: options.directGatewayTraces === true,
    });
    built = buildGateway(settings, storage.stores, { sink: tracing.gatewaySink, prices });
    const app = createApp({
      // Trace reads wait for what ingestion acknowledged to be merged (decision 0015).
      stores: { ...storage.stores, traces: tracing.traces },
      apiKeys,
      version: flywheelVersion,
      bodyLimitBytes: settings.bodyLimitBytes,
      logger,
      ingestBodyLimitBytes: settings.ingestBodyLimitBytes,
      gateway: built.gateway,
      providerCredentials: built.providerCredentials,
      tracing: tracing.tracing,
      appendExperimentResults: tracing.appendExperimentResults,
      ...(options.serveWebUi === false ? {} : { webDir }),
    });
    let processKey: CreatedApiKey | undefined;
    if (options.processKey) {
      const [project] = await storage.stores.projects.list();
      if (!project) throw new FlywheelError('project_not_found', 'This instance has no project.');
      processKey = apiKeys.issueProcessKey({ projectId: project.id, ...options.processKey });
    }
    if (bootstrap === undefined && settings.bootstrapKey !== undefined) {
      await apiKeys
        .verify(settings.bootstrapKey)
        .catch(() =>
          app.log.warn(
            'FLYWHEEL_BOOTSTRAP_KEY is set, but this instance was bootstrapped before and that key is not valid here.',
          ),
        );
    }
    // Requests the server is answering (counted from the raw server, aborted ones included).
    let inFlight = 0;
    app.server.on('request', (_request, response) => {
      inFlight++;
      response.once('close', () => inFlight--);
    });
    await app.listen({ host: settings.host, port: settings.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : settings.port;
    const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
    const url = `http://${host}:${port}`;
    print(
      banner({
        url,
        storage: `${storage.kind} ${storage.location}`,
        webUi: existsSync(join(webDir, 'index.html')) ? `${url}/` : 'not built (run `npm run build`)',
        bootstrap,
        givenKey: settings.bootstrapKey,
      }),
    );

    let closing: Promise<void> | undefined;
    const gateway = createInProcessGateway(built.gateway);
    return {
      url,
      bootstrap,
      gateway,
      appendExperimentResults: tracing.appendExperimentResults,
      fetch: createInjectFetch(app),
      processKey,
      close() {
        closing ??= (async () => {
          try {
            const closed = app.close();
            // Kept-alive sockets on which a client started sending a new request as the server
            // began closing would hold the close open until a header timeout. Once every request
            // being answered is done, those (never acknowledged) are cut.
            while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
            app.server.closeAllConnections();
            await closed;
            logger.info('shutdown: every request answered');
            // After the last request: every trace of an answered call is written before the database closes.
            await built?.close();
            await tracing?.close();
            logger.info('shutdown: traces written, writer stopped');
          } finally {
            await storage.close();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await built?.close().catch(() => undefined);
    await tracing?.close().catch(() => undefined);
    await storage.close();
    throw error;
  }
}

function banner(options: {
  url: string;
  storage: string;
  webUi: string;
  bootstrap: BootstrapResult | undefined;
  givenKey: string | undefined;
}): string {
  const lines = [
    `Flywheel ${flywheelVersion} is listening on ${options.url}`,
    `  storage: ${options.storage}`,
    `  web UI:  ${options.webUi}`,
  ];
  const { bootstrap } = options;
  if (bootstrap) {
    const shownKey =
      options.givenKey === undefined ? bootstrap.adminKey : '(the value of FLYWHEEL_BOOTSTRAP_KEY)';
    lines.push(
      '',
      `First start: created the project "${bootstrap.project.name}" (${bootstrap.project.id}) and an instance-admin API key.`,
      options.givenKey === undefined
        ? 'It is shown only this once; store it somewhere safe now:'
        : 'Admin key:',
      '',
      `  ${shownKey}`,
      '',
      'Try it:',
      `  curl -H "Authorization: Bearer ${options.givenKey === undefined ? bootstrap.adminKey : '$FLYWHEEL_BOOTSTRAP_KEY'}" ${options.url}/api/projects/current`,
    );
  }
  return `${lines.join('\n')}\n`;
}
