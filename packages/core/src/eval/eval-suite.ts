import type { PromptConfig, PromptTemplate, PromptType } from '@flywheel/spec';
import type { AssertionConfig } from './assertions/assertion.js';

/** One prompt of a suite, already resolved (inline, from a file, or from the registry). */
export interface EvalPrompt {
  /** Stable within the suite, e.g. `prompt:support/triage@3` or a hash of the inline text. */
  id: string;
  /** What reports call it. */
  label: string;
  type: PromptType;
  template: PromptTemplate;
  /** The registry config (model alias, temperature, …) when it came from the registry. */
  config: PromptConfig;
  /** The registry version it was resolved to, so results link to it. */
  registry?: { name: string; version: number };
}

/** One model of a suite: a gateway alias plus per-suite call options. */
export interface EvalProvider {
  /** As written, e.g. `flywheel:chat-default`. */
  id: string;
  /** The gateway model alias. */
  alias: string;
  label: string;
  /** Request fields applied over the prompt's config (temperature, max_tokens, …). */
  config: Record<string, unknown>;
}

/** One test case. */
export interface EvalCase {
  /** 0-based position in the suite's cases. */
  index: number;
  /**
   * Identifies the case across runs, so two experiments pair it: a dataset item's id, or a hash
   * of the description and vars.
   */
  key: string;
  description?: string;
  vars: Record<string, unknown>;
  /** The case's assertions with `defaultTest`'s merged in. */
  assert: AssertionConfig[];
  /** Weighted score the case needs to pass; absent: every assertion must pass. */
  threshold?: number;
  /** Where the case came from, e.g. `cases.csv:12` or `dataset:faq@4#item_1`. */
  source?: string;
}

/** What to run: every prompt × provider × case, `repeat` times. Cases stream, so 100,000 fit. */
export interface EvalPlan {
  prompts: EvalPrompt[];
  providers: EvalProvider[];
  cases: AsyncIterable<EvalCase> | Iterable<EvalCase>;
  /** Number of cases when known up front (for progress). */
  caseCount?: number;
}
