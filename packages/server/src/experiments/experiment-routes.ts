import {
  type ComparableResult,
  compareExperiments,
  type ExperimentRecord,
  type ExperimentResultRecord,
  experimentResultBody,
  experimentResultRecord,
  newId,
  type Stores,
} from '@flywheel/core';
import {
  appendExperimentResultsRequestSchema,
  compareExperimentsQuerySchema,
  createExperimentRequestSchema,
  experimentIdSchema,
  experimentListQuerySchema,
  experimentResultsQuerySchema,
  FlywheelError,
  finishExperimentRequestSchema,
} from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppendExperimentResults } from '../app/app-deps.js';
import { requireScope } from '../app/authenticate.js';
import { parseInput } from '../app/validation.js';
import { toExperimentBody, toTargetComparisonBody } from './experiment-views.js';

const idParams = z.strictObject({ id: experimentIdSchema });
const compareParams = z.strictObject({ a: experimentIdSchema, b: experimentIdSchema });

/**
 * Evaluation runs: `POST /api/experiments` (start), `POST /api/experiments/:id/results`
 * (append, idempotent), `POST /api/experiments/:id/finish`, `GET /api/experiments[/:id[/results]]`,
 * and `GET /api/experiments/:a/compare/:b` (paired statistics).
 */
export function registerExperimentRoutes(
  app: FastifyInstance,
  stores: Stores,
  options: { resultsBodyLimitBytes: number; appendResults?: AppendExperimentResults },
) {
  const experiments = stores.experiments;
  const appendResults: AppendExperimentResults =
    options.appendResults ??
    ((projectId, id, results) =>
      stores.transaction((tx) => tx.experiments.appendResults(projectId, id, results)));

  async function load(projectId: string, id: string): Promise<ExperimentRecord> {
    const experiment = await experiments.get(projectId, id);
    if (!experiment) {
      throw new FlywheelError('experiment_not_found', `This project has no experiment with id '${id}'.`);
    }
    return experiment;
  }

  app.post('/api/experiments', async (request, reply) => {
    requireScope(request.auth, 'write');
    const input = parseInput(createExperimentRequestSchema, request.body, 'body');
    const experiment: ExperimentRecord = {
      id: newId('exp'),
      projectId: request.auth.projectId,
      name: input.name,
      description: input.description ?? null,
      status: 'running',
      targets: input.targets.map((target) => ({
        promptId: target.prompt_id,
        promptLabel: target.prompt_label,
        providerId: target.provider_id,
        providerLabel: target.provider_label,
        promptRef: target.prompt_ref ?? null,
      })),
      datasets: input.datasets ?? [],
      metadata: input.metadata ?? {},
      summary: null,
      resultCount: 0,
      createdBy: { keyId: request.auth.key.id, keyName: request.auth.key.name },
      createdAt: new Date().toISOString(),
      finishedAt: null,
    };
    await experiments.create(experiment);
    return reply.status(201).send(toExperimentBody(experiment));
  });

  app.get('/api/experiments', async (request) => {
    requireScope(request.auth, 'read');
    const query = parseInput(experimentListQuerySchema, request.query, 'query');
    const list = await experiments.list(request.auth.projectId, {
      limit: query.limit,
      ...(query.name !== undefined ? { name: query.name } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
    });
    return { data: list.map(toExperimentBody) };
  });

  app.get('/api/experiments/:id', async (request) => {
    requireScope(request.auth, 'read');
    const { id } = parseInput(idParams, request.params, 'params');
    return toExperimentBody(await load(request.auth.projectId, id));
  });

  // A batch of 1,000 results with their outputs outgrows the general body limit.
  app.post('/api/experiments/:id/results', { bodyLimit: options.resultsBodyLimitBytes }, async (request) => {
    requireScope(request.auth, 'write');
    const { id } = parseInput(idParams, request.params, 'params');
    const input = parseInput(appendExperimentResultsRequestSchema, request.body, 'body');
    const stored = await appendResults(request.auth.projectId, id, input.results.map(experimentResultRecord));
    return { stored };
  });

  app.post('/api/experiments/:id/finish', async (request) => {
    requireScope(request.auth, 'write');
    const { id } = parseInput(idParams, request.params, 'params');
    const input = parseInput(finishExperimentRequestSchema, request.body, 'body');
    const finished = await experiments.finish(
      request.auth.projectId,
      id,
      input.status,
      input.summary ?? null,
      new Date().toISOString(),
    );
    if (!finished) {
      throw new FlywheelError('experiment_not_found', `This project has no experiment with id '${id}'.`);
    }
    return toExperimentBody(finished);
  });

  app.get('/api/experiments/:id/results', async (request) => {
    requireScope(request.auth, 'read');
    const { id } = parseInput(idParams, request.params, 'params');
    const query = parseInput(experimentResultsQuerySchema, request.query, 'query');
    await load(request.auth.projectId, id);
    const after = query.cursor === undefined ? 0 : Number(query.cursor);
    if (!Number.isSafeInteger(after) || after < 0) {
      throw new FlywheelError(
        'invalid_cursor',
        'The cursor is not one this server gave out; start again without it.',
      );
    }
    const rows = await experiments.listResults(request.auth.projectId, id, { after, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    return {
      data: page.map(experimentResultBody),
      next_cursor: rows.length > query.limit ? String(page[page.length - 1]!.seq) : null,
    };
  });

  app.get('/api/experiments/:a/compare/:b', async (request) => {
    requireScope(request.auth, 'read');
    const { a, b } = parseInput(compareParams, request.params, 'params');
    const query = parseInput(compareExperimentsQuerySchema, request.query, 'query');
    const { projectId } = request.auth;
    const [left, right] = await Promise.all([load(projectId, a), load(projectId, b)]);
    const [leftResults, rightResults] = await Promise.all([
      allResults(stores, projectId, a),
      allResults(stores, projectId, b),
    ]);
    const comparison = compareExperiments(leftResults, rightResults, {
      alpha: query.alpha,
      maxChanges: query.max_changes,
    });
    return {
      a: { id: left.id, name: left.name },
      b: { id: right.id, name: right.name },
      targets: comparison.targets.map(toTargetComparisonBody),
      verdict: comparison.verdict,
    };
  });
}

/** Every result of an experiment, in pages, keeping only what a comparison reads. */
export async function allResults(stores: Stores, projectId: string, id: string): Promise<ComparableResult[]> {
  const results: ComparableResult[] = [];
  let after = 0;
  for (;;) {
    const page: ExperimentResultRecord[] & Array<{ seq: number }> = await stores.experiments.listResults(
      projectId,
      id,
      { after, limit: 5000 },
    );
    for (const result of page) {
      results.push({
        caseKey: result.caseKey,
        repeat: result.repeat,
        promptId: result.promptId,
        providerId: result.providerId,
        vars: result.vars,
        status: result.status,
        score: result.score,
        output: result.output,
        latencyMs: result.latencyMs,
        cost: result.cost,
      });
    }
    if (page.length < 5000) return results;
    after = page[page.length - 1]!.seq;
  }
}
