import type { PromptMessage } from '@flywheel/spec';
import type { AssertionResult } from '../assertions/assertion.js';
import type { EvalCase, EvalPrompt, EvalProvider } from '../eval-suite.js';

/** One model call of a run: a rendered prompt for one provider. */
export interface EvalModelCall {
  prompt: EvalPrompt;
  provider: EvalProvider;
  evalCase: EvalCase;
  /** 0-based sample number when the suite repeats cases. */
  repeat: number;
  /** The rendered prompt: one string for text prompts, messages for chat prompts. */
  rendered: string | PromptMessage[];
  /** Aborted when the run is cancelled; the call should stop. */
  signal: AbortSignal;
}

/** What a model call produced. */
export interface EvalModelResult {
  output: string;
  inputTokens: number | null;
  outputTokens: number | null;
  /** US dollars; null when unknown. */
  cost: number | null;
  /** Undefined for cache hits (their latency says nothing about the model). */
  latencyMs: number | undefined;
  traceId: string | null;
  cached: boolean;
}

/** The result of one case × prompt × provider × repeat. */
export interface EvalCaseResult {
  caseIndex: number;
  /** The case's {@link EvalCase.key}. */
  caseKey: string;
  repeat: number;
  promptId: string;
  providerId: string;
  vars: Record<string, unknown>;
  source?: string;
  /** The model's output; null when it could not be produced. */
  output: string | null;
  /** Why the output could not be produced (a template variable missing, the model failing). */
  error: { code: string; message: string } | null;
  status: 'passed' | 'failed' | 'errored';
  /** Weighted mean score of the scored assertions, 0..1. */
  score: number;
  assertions: Array<{ type: string; metric?: string; result: AssertionResult }>;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  latencyMs: number | undefined;
  traceId: string | null;
  cached: boolean;
}

/** Progress after each finished result. */
export interface EvalProgress {
  done: number;
  /** Known when the plan knows its case count. */
  total: number | undefined;
  passed: number;
  failed: number;
  errored: number;
}
