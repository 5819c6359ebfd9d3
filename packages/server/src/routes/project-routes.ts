import { newId } from '@flywheel/core';
import { createProjectRequestSchema, FlywheelError } from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app/app-deps.js';
import { requireInstanceAdmin, requireScope } from '../app/authenticate.js';
import { parseInput } from '../app/validation.js';
import { toProjectBody } from './wire-format.js';

/** `/api/projects`: the caller's project, and (instance admins) every project. */
export function registerProjectRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get('/api/projects/current', async (request) => {
    const project = await deps.stores.projects.get(request.auth.projectId);
    if (!project)
      throw new FlywheelError('project_not_found', 'The project of this API key no longer exists.');
    return toProjectBody(project);
  });

  app.get('/api/projects', async (request) => {
    requireInstanceAdmin(request.auth);
    parseInput(emptyQuery, request.query, 'query');
    return { data: (await deps.stores.projects.list()).map(toProjectBody) };
  });

  app.post('/api/projects', async (request, reply) => {
    requireInstanceAdmin(request.auth);
    requireScope(request.auth, 'admin');
    const input = parseInput(createProjectRequestSchema, request.body, 'body');
    const project = { id: newId('proj'), name: input.name, createdAt: new Date().toISOString() };
    await deps.stores.projects.create(project);
    return reply.status(201).send(toProjectBody(project));
  });
}

const emptyQuery = z.strictObject({});
