import type { HealthBody } from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app/app-deps.js';

/** `GET /health`: no auth; 200 while the database answers, 503 when it does not. */
export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get('/health', async (request, reply) => {
    const body: HealthBody = { status: 'ok', version: deps.version, storage: deps.stores.kind };
    try {
      await deps.stores.ping();
      return body;
    } catch (error) {
      request.log.warn({ err: error }, 'health check: storage does not answer');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send({ ...body, status: 'unavailable' });
    }
  });
}
