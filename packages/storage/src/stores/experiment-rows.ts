import type { ExperimentResultRecord } from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec/errors';

// Experiment results as rows, and the errors of appending them: shared by the Kysely store and the
// SQLite trace writer thread, which appends results with prepared statements.

/** The columns of `experiment_results` that an append writes, in this order. */
export const experimentResultColumns = [
  'experiment_id',
  'case_key',
  'prompt_id',
  'provider_id',
  'repeat',
  'seq',
  'case_index',
  'vars',
  'output',
  'error',
  'status',
  'score',
  'assertions',
  'input_tokens',
  'output_tokens',
  'cost',
  'latency_ms',
  'trace_id',
  'cached',
] as const;

/** The key that makes a re-sent result replace the stored one. */
export const experimentResultKey = [
  'experiment_id',
  'case_key',
  'prompt_id',
  'provider_id',
  'repeat',
] as const;

export function experimentResultRow(experimentId: string, seq: number, result: ExperimentResultRecord) {
  return {
    experiment_id: experimentId,
    case_key: result.caseKey,
    prompt_id: result.promptId,
    provider_id: result.providerId,
    repeat: result.repeat,
    seq,
    case_index: result.caseIndex,
    vars: JSON.stringify(result.vars),
    output: result.output,
    error: result.error === null ? null : JSON.stringify(result.error),
    status: result.status,
    score: result.score,
    assertions: JSON.stringify(result.assertions),
    input_tokens: result.inputTokens,
    output_tokens: result.outputTokens,
    cost: result.cost,
    latency_ms: result.latencyMs,
    trace_id: result.traceId,
    cached: result.cached ? 1 : 0,
  };
}

export function experimentNotFound(id: string): FlywheelError {
  return new FlywheelError('experiment_not_found', `This project has no experiment with id '${id}'.`);
}

export function experimentNotRunning(id: string, status: string): FlywheelError {
  return new FlywheelError(
    'conflict',
    `Experiment '${id}' is ${status}; results can only be added while it is running.`,
  );
}
