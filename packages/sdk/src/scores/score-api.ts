import { type ScoreBody, type ScoreViewBody, scoreSchema } from '@flywheel/spec';
import type { DatasetTransport } from '../datasets/dataset-api.js';
import { createIdGenerator } from '../tracing/id-generator.js';

/** How the scores API reaches the server: the client's own `call`. */
export type ScoreTransport = Pick<DatasetTransport, 'call'>;

/** A score to record: `POST /api/scores`'s body, with the id optional. */
export type CreateScoreInput = Omit<ScoreBody, 'id'> & {
  /** Re-sending a score with the same id replaces it (default: a new random id). */
  id?: string;
};

/**
 * Scores' REST API (`client.scores`): feedback or an evaluation result on a trace or one of its
 * spans, written before the call resolves (the trace's detail shows it at once). Needs a key with
 * the `ingest` scope.
 *
 * @example
 * const score = await flywheel.scores.create({ trace_id: 'tr_1', name: 'helpful', value: 1, source: 'human' });
 */
export interface ScoreApi {
  /** Records a score; throws `trace_not_found` when the project has no such trace. */
  create(input: CreateScoreInput): Promise<ScoreViewBody>;
}

export function createScoreApi({ call }: ScoreTransport): ScoreApi {
  const randomHex = createIdGenerator();
  return {
    create: ({ id, ...rest }) =>
      call(scoreSchema, 'POST', '/api/scores', { id: id ?? randomHex(16), ...rest }),
  };
}
