import {
  type CreateExperimentRequest,
  type ExperimentBody,
  type ExperimentComparisonBody,
  type ExperimentResultBody,
  experimentComparisonSchema,
  experimentResultSchema,
  experimentSchema,
  listSchema,
} from '@flywheel/spec';
import { z } from 'zod';
import type { DatasetTransport } from '../datasets/dataset-api.js';

/** How the experiments API reaches the server: the client's own `call`. */
export type ExperimentTransport = Pick<DatasetTransport, 'call'>;

/**
 * Experiments' REST API (`client.experiments`): evaluation runs, their results, comparisons.
 *
 * @example
 * const run = await flywheel.experiments.create({ name: 'nightly', targets });
 * await flywheel.experiments.appendResults(run.id, results);
 * await flywheel.experiments.finish(run.id, 'completed', summary);
 * const report = await flywheel.experiments.compare(baselineId, run.id);
 */
export interface ExperimentApi {
  create(input: CreateExperimentRequest): Promise<ExperimentBody>;
  /** Newest first; `name` keeps runs of one suite. */
  list(options?: {
    name?: string;
    status?: ExperimentBody['status'];
    limit?: number;
  }): Promise<ExperimentBody[]>;
  get(id: string): Promise<ExperimentBody>;
  /** Stores up to 1,000 results; re-sending one replaces it (safe to retry). */
  appendResults(id: string, results: ExperimentResultBody[]): Promise<{ stored: number }>;
  finish(
    id: string,
    status: 'completed' | 'cancelled' | 'failed',
    summary?: Record<string, unknown>,
  ): Promise<ExperimentBody>;
  /** One page of results in stored order; pass `next_cursor` back for the next. */
  results(
    id: string,
    options?: { limit?: number; cursor?: string },
  ): Promise<{ data: ExperimentResultBody[]; next_cursor: string | null }>;
  /** Paired comparison of two runs with verdicts. */
  compare(
    a: string,
    b: string,
    options?: { alpha?: number; maxChanges?: number },
  ): Promise<ExperimentComparisonBody>;
}

export function createExperimentApi({ call }: ExperimentTransport): ExperimentApi {
  const path = (id: string, ...rest: string[]) =>
    ['/api/experiments', encodeURIComponent(id), ...rest].join('/');
  const page = z.object({ data: z.array(experimentResultSchema), next_cursor: z.string().nullable() });
  return {
    create: (input) => call(experimentSchema, 'POST', '/api/experiments', input),
    list: async (options = {}) =>
      (
        await call(listSchema(experimentSchema), 'GET', '/api/experiments', undefined, {
          name: options.name,
          status: options.status,
          limit: options.limit === undefined ? undefined : String(options.limit),
        })
      ).data,
    get: (id) => call(experimentSchema, 'GET', path(id)),
    appendResults: (id, results) =>
      call(z.object({ stored: z.number() }), 'POST', path(id, 'results'), { results }),
    finish: (id, status, summary) =>
      call(experimentSchema, 'POST', path(id, 'finish'), { status, ...(summary ? { summary } : {}) }),
    results: (id, options = {}) =>
      call(page, 'GET', path(id, 'results'), undefined, {
        limit: options.limit === undefined ? undefined : String(options.limit),
        cursor: options.cursor,
      }),
    compare: (a, b, options = {}) =>
      call(experimentComparisonSchema, 'GET', `${path(a, 'compare', encodeURIComponent(b))}`, undefined, {
        alpha: options.alpha === undefined ? undefined : String(options.alpha),
        max_changes: options.maxChanges === undefined ? undefined : String(options.maxChanges),
      }),
  };
}
