import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from './gateway-deps.js';

/** `GET /v1/models`: the aliases the key may use, in OpenAI's list format. */
export function registerModelsRoute(app: FastifyInstance, gateway: GatewayDeps) {
  app.get('/v1/models', async (request, reply) => {
    void reply.header('x-flywheel-overhead-ms', (performance.now() - request.arrivedAt).toFixed(3));
    return {
      object: 'list',
      data: gateway.engine.aliases().map((id) => ({ id, object: 'model', created: 0, owned_by: 'flywheel' })),
    };
  });
}
