/**
 * Deterministic assertions of an evaluation case, in promptfoo's layout:
 * `assert: [{ type: 'contains', value: 'Paris', weight: 2 }, { type: 'not-regex', value: '\\bsorry\\b' }]`.
 *
 * An assertion never throws for an expected outcome: it answers with an {@link AssertionResult}.
 */

/**
 * What one assertion found.
 * - `scored`: it ran; `score` is in `0..1` and `pass` is its own verdict (which may use `threshold`).
 * - `skipped`: it could not apply to this case (e.g. `latency` on a cached result) and does not count.
 * - `errored`: it could not run (a template variable is missing, the value is unusable); the case
 *   is errored rather than failed.
 */
export type AssertionResult =
  | {
      status: 'scored';
      /** The assertion's own verdict. */
      pass: boolean;
      /** From 0 (worst) to 1 (best). */
      score: number;
      /** Why, in words a suite author can act on. */
      reason: string;
    }
  | {
      status: 'skipped';
      /** Why it did not apply. */
      reason: string;
    }
  | {
      status: 'errored';
      /**
       * `code` is stable: `assertion_unknown_type`, `assertion_config_invalid`,
       * `assertion_value_invalid`, `assertion_input_too_large`, `assertion_output_unavailable`,
       * `assertion_evaluate_failed`, `assertion_result_invalid`, or a template error code
       * (`template_variables_missing`, `template_invalid`, `template_render_failed`). Assertions
       * that need a service add `assertion_service_unavailable` (not configured for this run),
       * `assertion_service_failed` (a service failed without a Flywheel code),
       * `assertion_judge_unparseable`, `assertion_embedding_invalid`, `assertion_timeout`,
       * `assertion_javascript_failed`, `assertion_javascript_threw`, or the `FlywheelError` code a
       * service threw (`upstream_timeout`, `model_not_found`…).
       */
      error: { code: string; message: string };
    };

/** One entry of a case's `assert` list, as written in the suite. */
export interface AssertionConfig {
  /** An assertion type such as `contains`, or its negation `not-contains`. */
  type: string;
  /** What to compare with; its meaning depends on the type. String values may use `{{var}}` templates. */
  value?: unknown;
  /**
   * A per-type bound: the maximum edit distance of `levenshtein`, the minimum score of `rouge-n`,
   * milliseconds for `latency`, US dollars for `cost`. Ignored by the pass/fail string types.
   */
  threshold?: number;
  /** Weight in the case's score (default 1); 0 makes the assertion informational. */
  weight?: number;
  /** Name of a metric this assertion's score is reported under. */
  metric?: string;
}

/** What an assertion looks at. */
export interface AssertionContext {
  /** The output of the model for this case. */
  output: string;
  /** Parsed vars of the case; `{{var}}` templates in assertion values are rendered with them. */
  vars: Record<string, unknown>;
  /** Time to produce the output, when measured (unknown for cached results). */
  latencyMs?: number;
  /** Cost of producing the output in US dollars; `null` or absent when unknown. */
  cost?: number | null;
  /** Set when the output could not be produced: every assertion then answers `errored`. */
  outputError?: { code: string; message: string };
  /**
   * The rendered prompt as text (a chat prompt's messages joined), when the runner has it.
   * `factuality` shows it to the judge as the question; `javascript` gets it as `context.prompt`.
   */
  prompt?: string;
  /**
   * What assertions that need outside help call: a judge model, embeddings, a JavaScript sandbox.
   * An assertion whose service is absent answers `errored` with `assertion_service_unavailable`
   * and says what to configure.
   */
  services?: AssertionServices;
}

/** A message to a judge model. */
export interface JudgeMessage {
  role: 'system' | 'user';
  content: string;
}

/** What user JavaScript is run on. */
export interface JavascriptRunRequest {
  /** The assertion's code: an expression (`output.length < 100`) or a function body with `return`. */
  code: string;
  /** The model output, as the variable `output`. */
  output: string;
  /** The case's vars, as `context.vars`. */
  vars: Record<string, unknown>;
  /** The rendered prompt, as `context.prompt`, when known. */
  prompt?: string;
}

/**
 * What user JavaScript produced: its verdict, or why it could not give one. The code failing
 * (thrown error, timeout, out of memory) is an expected outcome, so it is a value, not an exception.
 */
export type JavascriptRunResult =
  | {
      status: 'scored';
      /** Without a `threshold`: the boolean returned, `score > 0` for a number, `pass` of an object. */
      pass: boolean;
      /** From 0 to 1: 1 or 0 for a boolean, the number returned, or the object's `score`. */
      score: number;
      /** The object's `reason`, or what the code returned. */
      reason: string;
    }
  | {
      status: 'errored';
      /**
       * `assertion_timeout`, `assertion_javascript_threw` (the code threw; the message is its
       * error's), `assertion_javascript_failed` (the process crashed, ran out of memory or
       * answered garbage), `assertion_value_invalid` (not valid JavaScript) or
       * `assertion_result_invalid` (it returned something that is not a verdict).
       */
      error: { code: string; message: string };
    };

/**
 * Services of the world that some assertions call. The runner builds them from its own deps and
 * leaves out any that this run does not have; each is optional so that `similar` can run
 * without a grader and `llm-rubric` without a JavaScript sandbox.
 *
 * @example
 * const services: AssertionServices = {
 *   grade: ({ messages, alias }) => gateway.chat({ model: alias ?? suite.graderAlias, messages }),
 *   runJavascript: (request) => sandbox.run(request),
 * };
 */
export interface AssertionServices {
  /**
   * Calls a judge model through the gateway core (cached, costed, traced). `alias` defaults to
   * the suite's grader (`defaultTest.options.provider`). Throws a `FlywheelError` when the call
   * fails (`upstream_timeout`…); the assertion turns it into an errored result.
   */
  grade?(request: {
    messages: JudgeMessage[];
    alias?: string;
  }): Promise<{ output: string; cost: number | null }>;
  /** Embeds texts through the gateway, one vector per text, in order. */
  embed?(request: { texts: string[]; alias?: string }): Promise<number[][]>;
  /**
   * Runs user JavaScript isolated (a separate process with time and memory limits), never in
   * the calling process.
   */
  runJavascript?(request: JavascriptRunRequest): Promise<JavascriptRunResult>;
}

/**
 * One assertion type. Each family file exports definition objects; `registry.ts` merges them.
 *
 * @example
 * const startsWith: AssertionDefinition = {
 *   type: 'starts-with',
 *   validate: (config) => (typeof config.value === 'string' ? undefined : 'value must be a string'),
 *   evaluate: (config, context) => ({ status: 'scored', pass: true, score: 1, reason: '…' }),
 * };
 */
export interface AssertionDefinition {
  /** The type name as written in suites, without the `not-` prefix. */
  readonly type: string;
  /**
   * Checks `value` and `threshold` when the suite loads; returns an error message naming what to
   * fix, or `undefined` when the configuration is usable.
   */
  validate(config: AssertionConfig): string | undefined;
  /** Judges one output. Only called with a configuration that passed {@link AssertionDefinition.validate}. */
  evaluate(config: AssertionConfig, context: AssertionContext): AssertionResult | Promise<AssertionResult>;
}
