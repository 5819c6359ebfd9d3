import type { PromptActor } from '../../prompts/prompt.js';
import type { AssertionResult } from '../assertions/assertion.js';

/** A prompt × model combination an experiment ran. */
export interface ExperimentTarget {
  promptId: string;
  promptLabel: string;
  providerId: string;
  providerLabel: string;
  promptRef: { name: string; version: number } | null;
}

export type ExperimentStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/** A stored evaluation run. */
export interface ExperimentRecord {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  status: ExperimentStatus;
  targets: ExperimentTarget[];
  /** The dataset versions it read. */
  datasets: Array<{ name: string; version: number }>;
  metadata: Record<string, unknown>;
  summary: Record<string, unknown> | null;
  /** Results stored so far (filled in when read). */
  resultCount: number;
  createdBy: PromptActor;
  createdAt: string;
  finishedAt: string | null;
}

/** One stored result: a case × prompt × model × repeat. */
export interface ExperimentResultRecord {
  caseKey: string;
  caseIndex: number;
  repeat: number;
  promptId: string;
  providerId: string;
  vars: Record<string, unknown>;
  output: string | null;
  error: { code: string; message: string } | null;
  status: 'passed' | 'failed' | 'errored';
  score: number;
  assertions: Array<{ type: string; metric?: string; result: AssertionResult }>;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  latencyMs: number | null;
  traceId: string | null;
  cached: boolean;
}
