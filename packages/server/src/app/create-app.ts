import { randomUUID } from 'node:crypto';
import { FlywheelError } from '@flywheel/spec';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { registerApiKeyRoutes } from '../routes/api-key-routes.js';
import { registerHealthRoutes } from '../routes/health-routes.js';
import { registerProjectRoutes } from '../routes/project-routes.js';
import type { AppDeps } from './app-deps.js';
import { type AuthContext, authenticate } from './authenticate.js';
import { sendRestError, toFlywheelError } from './rest-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; set on every `/api/*` request before its handler runs. */
    auth: AuthContext;
  }
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

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
  const app = Fastify({
    ...(isLoggerInstance(logger) ? { loggerInstance: logger } : { logger }),
    bodyLimit: bodyLimitBytes,
    // A caller's request id is kept (so logs line up across services) when it is sane.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : `req_${randomUUID()}`;
    },
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // While draining, requests on kept-alive connections get our 503 shape (see the preClose hook).
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true },
  });

  // The REST API speaks JSON only; any other body is a 415 that says what to send.
  app.removeContentTypeParser('text/plain');

  app.decorateRequest('auth', undefined as unknown as AuthContext);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      reply.header('connection', 'close');
      throw new FlywheelError('shutting_down', 'The server is shutting down; retry shortly.', {
        retryAfterSeconds: 1,
      });
    }
    // Decided by the matched route pattern, not the raw URL, so no spelling of a path
    // (percent-encoding, case, slashes) reaches an /api handler without a verified key.
    if (request.routeOptions.url?.startsWith('/api/'))
      request.auth = await authenticate(request, deps.apiKeys);
  });

  app.setErrorHandler((error, request, reply) => {
    const flywheelError = toFlywheelError(error, bodyLimitBytes);
    if (flywheelError.status >= 500) {
      request.log.error(
        { err: flywheelError.cause ?? error, code: flywheelError.code },
        flywheelError.message,
      );
    }
    return sendRestError(request, reply, flywheelError);
  });

  app.setNotFoundHandler((request, reply) =>
    sendRestError(
      request,
      reply,
      new FlywheelError('route_not_found', `No endpoint ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );

  registerHealthRoutes(app, deps);
  registerProjectRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
  return app;
}

function isLoggerInstance(logger: AppDeps['logger']): logger is FastifyBaseLogger {
  return (
    typeof logger === 'object' && logger !== null && typeof (logger as FastifyBaseLogger).child === 'function'
  );
}
