import { createServer } from 'node:http';
import { createDatasetService, createPromptService } from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { registerDatasetRoutes } from '../datasets/dataset-routes.js';
import { registerExperimentRoutes } from '../experiments/experiment-routes.js';
import { chatCompletionsHandler, isChatCompletionsRequest } from '../gateway/chat-completions-route.js';
import { registerEmbeddingsRoute } from '../gateway/embeddings-route.js';
import { registerModelsRoute } from '../gateway/models-route.js';
import { toOpenAIError } from '../gateway/openai-error.js';
import { registerPromptRoutes } from '../prompts/prompt-routes.js';
import { registerApiKeyRoutes } from '../routes/api-key-routes.js';
import { registerHealthRoutes } from '../routes/health-routes.js';
import { registerProjectRoutes } from '../routes/project-routes.js';
import { registerProviderRoutes } from '../routes/provider-routes.js';
import { registerIngestRoutes } from '../tracing/ingest-routes.js';
import { registerOtlpRoutes } from '../tracing/otlp-routes.js';
import { registerTraceRoutes } from '../tracing/trace-routes.js';
import { registerWebUiRoutes } from '../web/web-ui-routes.js';
import { AccessLogController } from './access-log.js';
import type { AppDeps } from './app-deps.js';
import { type AuthContext, authenticate, requireScope } from './authenticate.js';
import { registerContentDecoding } from './content-encoding.js';
import { parseJsonBody } from './json-text.js';
import { lazyChildLogger } from './lazy-child-logger.js';
import { requestIdFor } from './raw-request.js';
import { logFailure, sendRestError, toFlywheelError } from './rest-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; set on every `/api/*` and `/v1/*` request before its handler runs. */
    auth: AuthContext;
    /** When the request arrived (performance.now()), for `x-flywheel-overhead-ms`. */
    arrivedAt: number;
    /** Time spent waiting on providers, so `x-flywheel-overhead-ms` can leave it out. */
    gatewayUpstreamMs: number;
  }
}

/**
 * Builds the Flywheel HTTP app. It never listens: `main.ts` (or a test, through `inject`) does.
 *
 * @example
 * const app = createApp({ stores, apiKeys, version: '0.1.0' });
 * const response = await app.inject({ method: 'GET', url: '/health' });
 */
export function createApp(deps: AppDeps): FastifyInstance {
  const bodyLimitBytes = deps.bodyLimitBytes ?? 1_048_576;
  const logger = deps.logger ?? false;
  let closing = false;
  const chat =
    deps.gateway === undefined
      ? undefined
      : chatCompletionsHandler({
          gateway: deps.gateway,
          apiKeys: deps.apiKeys,
          projects: deps.stores.projects,
          bodyLimitBytes,
          log: () => app.log,
          closing: () => closing,
        });
  const app = Fastify({
    ...(isLoggerInstance(logger)
      ? { loggerInstance: logger, childLoggerFactory: lazyChildLogger }
      : { logger }),
    bodyLimit: bodyLimitBytes,
    // A caller's request id is kept (so logs line up across services) when it is sane.
    genReqId: (request) => requestIdFor(request.headers),
    // The chat route is answered on the raw server, ahead of Fastify (decision 0016).
    serverFactory: (handler) => {
      const server = createServer((request, response) => {
        if (chat !== undefined && isChatCompletionsRequest(request)) chat(request, response);
        else handler(request, response);
      });
      // What Fastify sets on a server it makes itself, and not on one a factory makes.
      server.keepAliveTimeout = 72_000;
      server.requestTimeout = 0;
      return server;
    },
    logController: new AccessLogController(),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // While draining, requests on kept-alive connections get our 503 shape (see the preClose hook).
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true },
    schemaController: { compilersFactory: noSchemaCompilers },
  });

  // The REST API speaks JSON only; any other body is a 415 that says what to send.
  app.removeContentTypeParser('text/plain');
  // Fastify's JSON parser with its answers (empty body, malformed JSON or a forbidden
  // `__proto__`/`constructor` key: 400 invalid_json), through `parseJsonText`, which skips the
  // prototype-poisoning scan of text that cannot hold such a key.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.decorateRequest('auth', undefined as unknown as AuthContext);
  app.decorateRequest('arrivedAt', 0);
  app.decorateRequest('gatewayUpstreamMs', 0);

  app.addHook('preClose', async () => {
    closing = true;
  });

  app.addHook('onRequest', async (request, reply) => {
    request.arrivedAt = performance.now();
    reply.header('x-request-id', request.id);
    if (closing) {
      reply.header('connection', 'close');
      throw new FlywheelError('shutting_down', 'The server is shutting down; retry shortly.', {
        retryAfterSeconds: 1,
      });
    }
    // Decided by the matched route pattern, not the raw URL, so no spelling of a path
    // (percent-encoding, case, slashes) reaches an /api or /v1 handler without a verified key.
    const pattern = request.routeOptions.url;
    if (pattern?.startsWith('/api/')) {
      request.auth = await authenticate(
        request.headers,
        request.raw.socket,
        deps.apiKeys,
        deps.stores.projects,
      );
    } else if (pattern?.startsWith('/otlp/')) {
      request.auth = await authenticate(
        request.headers,
        request.raw.socket,
        deps.apiKeys,
        deps.stores.projects,
      );
      requireScope(request.auth, 'ingest');
    } else if (pattern?.startsWith('/v1/')) {
      request.auth = await authenticate(
        request.headers,
        request.raw.socket,
        deps.apiKeys,
        deps.stores.projects,
      );
      requireScope(request.auth, 'gateway');
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const flywheelError = toFlywheelError(error, request.routeOptions.bodyLimit ?? bodyLimitBytes);
    logFailure(request.log, flywheelError, error);
    return isGatewayRequest(request.url)
      ? sendGatewayError(request, reply, flywheelError)
      : sendRestError(request, reply, flywheelError);
  });

  // The built UI at `/`; a page's URL loaded directly (`/traces`) gets its index.html.
  const webUiFallback = deps.webDir === undefined ? undefined : registerWebUiRoutes(app, deps.webDir);
  app.setNotFoundHandler((request, reply) => {
    const page = webUiFallback?.(request, reply);
    if (page) return page;
    const error = new FlywheelError(
      'route_not_found',
      `No endpoint ${request.method} ${request.url.split('?')[0]}.`,
    );
    return isGatewayRequest(request.url)
      ? sendGatewayError(request, reply, error)
      : sendRestError(request, reply, error);
  });

  registerContentDecoding(app, bodyLimitBytes);
  registerHealthRoutes(app, deps);
  registerProjectRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
  if (deps.providerCredentials) registerProviderRoutes(app, deps, deps.providerCredentials);
  registerPromptRoutes(app, deps.prompts ?? createPromptService({ stores: deps.stores }));
  const ingestLimit = deps.ingestBodyLimitBytes ?? 10_485_760;
  registerExperimentRoutes(app, deps.stores, {
    resultsBodyLimitBytes: ingestLimit,
    ...(deps.appendExperimentResults ? { appendResults: deps.appendExperimentResults } : {}),
  });
  registerDatasetRoutes(app, deps.datasets ?? createDatasetService({ stores: deps.stores }), {
    itemsBodyLimitBytes: ingestLimit,
  });
  if (deps.tracing) {
    registerIngestRoutes(app, deps.tracing, ingestLimit);
    registerOtlpRoutes(app, deps.tracing, ingestLimit);
    registerTraceRoutes(app, deps, deps.tracing);
  }
  if (deps.gateway) {
    registerEmbeddingsRoute(app, deps.gateway);
    registerModelsRoute(app, deps.gateway);
  }
  return app;
}

function isGatewayRequest(url: string): boolean {
  return url.startsWith('/v1/');
}

/** `/v1/*` errors use OpenAI's shape and carry `x-flywheel-overhead-ms` like every gateway answer. */
function sendGatewayError(request: FastifyRequest, reply: FastifyReply, error: FlywheelError) {
  const { status, body } = toOpenAIError(error);
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  const spent = request.arrivedAt > 0 ? performance.now() - request.arrivedAt - request.gatewayUpstreamMs : 0;
  reply.header('x-flywheel-overhead-ms', Math.max(0, spent).toFixed(3));
  return reply.status(status).send(body);
}

/**
 * Routes validate what they receive with zod (`parseInput`) and answer with plain JSON, so no
 * route gives Fastify a JSON schema. Left to itself, Fastify loads its schema compilers (Ajv and
 * fast-json-stringify) when the app is created anyway: ~15 ms of every `flywheel serve` and
 * `flywheel eval` start-up. These stand in for them and say so if a route ever declares a schema.
 */
const noSchemaCompilers = {
  buildValidator: () => () => {
    throw new Error(
      'Flywheel routes validate with zod (parseInput in app/validation.ts), not Fastify schemas.',
    );
  },
  buildSerializer: () => () => {
    throw new Error('Flywheel routes answer with plain JSON, not Fastify response schemas.');
  },
};

function isLoggerInstance(logger: AppDeps['logger']): logger is FastifyBaseLogger {
  return (
    typeof logger === 'object' && logger !== null && typeof (logger as FastifyBaseLogger).child === 'function'
  );
}
