import type { ExperimentResultBody } from '@flywheel/spec';
import type { ExperimentResultRecord } from './experiment.js';

/** A stored result as the experiments API sends and receives it. */
export function experimentResultBody(result: ExperimentResultRecord): ExperimentResultBody {
  return {
    case_key: result.caseKey,
    case_index: result.caseIndex,
    repeat: result.repeat,
    prompt_id: result.promptId,
    provider_id: result.providerId,
    vars: result.vars,
    output: result.output,
    error: result.error,
    status: result.status,
    score: result.score,
    assertions: result.assertions,
    input_tokens: result.inputTokens,
    output_tokens: result.outputTokens,
    cost: result.cost,
    latency_ms: result.latencyMs,
    trace_id: result.traceId,
    cached: result.cached,
  };
}

/** The record of a result the API received. */
export function experimentResultRecord(body: ExperimentResultBody): ExperimentResultRecord {
  return {
    caseKey: body.case_key,
    caseIndex: body.case_index,
    repeat: body.repeat,
    promptId: body.prompt_id,
    providerId: body.provider_id,
    vars: body.vars,
    output: body.output,
    error: body.error,
    status: body.status,
    score: body.score,
    assertions: body.assertions,
    inputTokens: body.input_tokens,
    outputTokens: body.output_tokens,
    cost: body.cost,
    latencyMs: body.latency_ms,
    traceId: body.trace_id,
    cached: body.cached,
  };
}
