import { createApiKeyRequestSchema, FlywheelError, projectScopedQuerySchema } from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app/app-deps.js';
import { type AuthContext, requireScope } from '../app/authenticate.js';
import { parseInput } from '../app/validation.js';
import { toApiKeyBody } from './wire-format.js';

const keyParams = z.strictObject({ id: z.string().min(1).max(100) });

/**
 * `/api/keys`: a project admin manages its own project's keys; an instance admin may name any
 * project with `project_id`. Another project is invisible otherwise: 404, never 403, so a key
 * cannot learn which project ids exist.
 */
export function registerApiKeyRoutes(app: FastifyInstance, deps: AppDeps) {
  async function targetProject(auth: AuthContext, projectId: string | undefined): Promise<string> {
    requireScope(auth, 'admin');
    if (projectId === undefined || projectId === auth.projectId) return auth.projectId;
    if (!auth.key.instanceAdmin || !(await deps.stores.projects.get(projectId))) {
      throw new FlywheelError(
        'project_not_found',
        `No project with id '${projectId}' is visible to this API key.`,
      );
    }
    return projectId;
  }

  app.post('/api/keys', async (request, reply) => {
    const input = parseInput(createApiKeyRequestSchema, request.body, 'body');
    const projectId = await targetProject(request.auth, input.project_id);
    const created = await deps.apiKeys.create({ projectId, name: input.name, scopes: input.scopes });
    return reply.status(201).send({ ...toApiKeyBody(created.record), key: created.key });
  });

  app.get('/api/keys', async (request) => {
    const query = parseInput(projectScopedQuerySchema, request.query, 'query');
    const projectId = await targetProject(request.auth, query.project_id);
    return { data: (await deps.apiKeys.list(projectId)).map(toApiKeyBody) };
  });

  app.delete('/api/keys/:id', async (request) => {
    const { id } = parseInput(keyParams, request.params, 'params');
    const query = parseInput(projectScopedQuerySchema, request.query, 'query');
    const projectId = await targetProject(request.auth, query.project_id);
    return toApiKeyBody(await deps.apiKeys.revoke(projectId, id));
  });
}
