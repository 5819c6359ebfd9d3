import type { AssertionDefinition, AssertionResult } from './assertion.js';
import { describeKind, errored, scored, thresholdProblem } from './assertion-value.js';
import { serviceFailed, serviceUnavailable } from './model-graded-assertions.js';

/**
 * `javascript`: user code judges the output, in promptfoo's forms. The value is an expression
 * over `output` (the output string) and `context` (`context.vars`, `context.prompt`), such as
 * `output.length < 100`; statements then a final expression, such as
 * `const words = output.split(' '); words.length <= context.vars.maxWords`; or a function body
 * that `return`s. The code may `await`, and `require` built-in modules. It returns:
 * - a boolean: pass or fail, score 1 or 0;
 * - a number from 0 to 1: the score; it passes when above 0, or, with `threshold`, when it reaches
 *   the threshold (promptfoo's rule; a number outside 0..1 is errored, since scores here are 0..1);
 * - an object `{ pass, score?, reason? }`: used as is (score defaults to 1 or 0); with
 *   `threshold`, a score below it fails.
 *
 * The code never runs in this process (no `eval`, `new Function` or `vm` here): it goes to
 * {@link AssertionServices.runJavascript}, a separate process with time and memory limits, and
 * the run is errored when that service is absent. The value is not a template: the code reads
 * vars from `context.vars`, so a var can never inject code. A syntax error is found when the
 * code first runs (`assertion_value_invalid`), since compiling it here is exactly what is avoided.
 *
 * @example
 * { type: 'javascript', value: 'output.length < 100' }
 * { type: 'javascript', value: 'return { pass: output.includes(context.vars.city), score: 0.8, reason: "ok" }' }
 */
export const javascriptAssertion: AssertionDefinition = {
  type: 'javascript',
  validate: (config) => {
    if (typeof config.value !== 'string' || config.value.trim() === '') {
      return `value must be JavaScript code such as "output.length < 100" (a non-empty string), got ${describeKind(config.value)}`;
    }
    return thresholdProblem(config, { meaning: 'minimum score', maximum: 1 });
  },
  evaluate: async (config, context) => {
    const run = context.services?.runJavascript;
    if (run === undefined) {
      return serviceUnavailable(
        'javascript needs a JavaScript sandbox (a separate process with time and memory limits) and this run has none: run the suite with the flywheel CLI',
      );
    }
    let answer: unknown;
    try {
      answer = await run({
        code: config.value as string,
        output: context.output,
        vars: context.vars,
        ...(context.prompt !== undefined ? { prompt: context.prompt } : {}),
      });
    } catch (error) {
      return serviceFailed('javascript: the sandbox', error);
    }
    const result = checkAnswer(answer);
    if (result.status !== 'scored' || config.threshold === undefined) return result;
    if (result.pass && result.score < config.threshold) {
      return scored(
        false,
        `score ${result.score} is below the threshold ${config.threshold}: ${result.reason}`,
        result.score,
      );
    }
    return result;
  },
};

/** The sandbox's answer, checked: it comes from another process and is not trusted to be well formed. */
function checkAnswer(answer: unknown): AssertionResult {
  const record = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {};
  if (record.status === 'errored') {
    const error = record.error as { code?: unknown; message?: unknown } | undefined;
    if (typeof error?.code === 'string' && error.code !== '' && typeof error.message === 'string') {
      return errored(error.code, error.message);
    }
  } else if (
    record.status === 'scored' &&
    typeof record.pass === 'boolean' &&
    typeof record.score === 'number' &&
    record.score >= 0 &&
    record.score <= 1 &&
    typeof record.reason === 'string'
  ) {
    return scored(record.pass, record.reason, record.score);
  }
  return errored(
    'assertion_javascript_failed',
    'javascript: the sandbox answered something that is not a result',
  );
}
