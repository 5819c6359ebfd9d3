import { compileTemplate, FlywheelError } from '@flywheel/spec';
import type { AssertionConfig, AssertionContext, AssertionServices } from '../assertions/assertion.js';
import { combineAssertionResults, runAssertion } from '../assertions/registry.js';
import type { EvalCase, EvalPlan, EvalPrompt, EvalProvider } from '../eval-suite.js';
import type { EvalCaseResult, EvalModelCall, EvalModelResult, EvalProgress } from './eval-result.js';
import { addResultToSummary, type EvalSummary, emptySummary } from './eval-summary.js';

/** What {@link runEval} needs from the world. */
export interface EvalRunnerDeps {
  /** Calls the model (through the gateway core, so it is cached, costed and traced). */
  callModel(call: EvalModelCall): Promise<EvalModelResult>;
  /** Receives every result as it finishes (stored, not held: memory stays flat). Awaited. */
  write(result: EvalCaseResult): Promise<void> | void;
  onProgress?(progress: EvalProgress): void;
  /** Judge models, embeddings and the JavaScript sandbox, for the assertions that need them. */
  services?: AssertionServices;
  /** Monotonic milliseconds (tests pass their own). */
  now?: () => number;
}

/** Options of {@link runEval}. */
export interface RunEvalOptions {
  /** Model calls in flight at once (default 10). */
  concurrency?: number;
  /** Samples per case (default 1). */
  repeat?: number;
  /** Stops the run: no new calls start, calls in flight are aborted and left out. */
  signal?: AbortSignal;
}

interface WorkItem {
  prompt: EvalPrompt;
  provider: EvalProvider;
  evalCase: EvalCase;
  repeat: number;
}

/**
 * Runs every prompt × provider × case × repeat with a concurrency limit. Cases are pulled from
 * the plan only as workers free up, and each result goes to `deps.write` as soon as it is
 * scored, so a run of 100,000 cases holds at most `2 × concurrency` of them at a time (calls in
 * flight, answers being scored). A worker starts its next call before its answer is scored.
 * Cancelling keeps every answer that arrived and reports `cancelled: true`.
 *
 * @example
 * const summary = await runEval(plan, { callModel, write: (result) => experiment.add(result) }, { concurrency: 50 });
 */
export async function runEval(
  plan: EvalPlan,
  deps: EvalRunnerDeps,
  options: RunEvalOptions = {},
): Promise<EvalSummary> {
  const concurrency = positiveInteger(options.concurrency ?? 10, 'concurrency');
  const repeat = positiveInteger(options.repeat ?? 1, 'repeat');
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const summary = emptySummary();
  const perCase = plan.prompts.length * plan.providers.length * repeat;
  const total = plan.caseCount === undefined ? undefined : plan.caseCount * perCase;
  const cancel = new AbortController();
  // Each call gets its own signal, aborted from here: one shared signal would collect a
  // listener per call in flight.
  const inFlight = new Set<AbortController>();
  cancel.signal.addEventListener('abort', () => {
    for (const call of inFlight) call.abort(cancel.signal.reason);
  });
  const stopOnSignal = () => cancel.abort(options.signal?.reason);
  if (options.signal?.aborted) stopOnSignal();
  options.signal?.addEventListener('abort', stopOnSignal, { once: true });

  const work = workItems(plan, repeat);
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    cancel.abort(error);
  };
  // Answers being scored and written. A worker hands its answer over and starts its next call
  // at once; the scoring runs in the check phase after the answers that arrived together have
  // all started their next calls, so the model waits on the network, not on our CPU. At most
  // `concurrency` answers wait here (a worker waits when it is full), so memory stays bounded.
  const finishing = new Set<Promise<void>>();
  // Workers waiting for room among them (one wakes per answer scored; no Promise.race, which
  // would hang a reaction on every pending answer each time a worker waits).
  const waiting: Array<() => void> = [];
  const finish = async (called: CalledModel) => {
    await nextTurn();
    const result = await scoreAnswer(called, deps);
    await deps.write(result);
    addResultToSummary(summary, result);
    deps.onProgress?.({
      done: summary.total.results,
      total,
      passed: summary.total.passed,
      failed: summary.total.failed,
      errored: summary.total.errored,
    });
  };
  const worker = async () => {
    while (!cancel.signal.aborted && failure === undefined) {
      const next = await work.next();
      if (next.done || cancel.signal.aborted) return;
      const call = new AbortController();
      inFlight.add(call);
      const called = await callOne(next.value, deps, call.signal).finally(() => inFlight.delete(call));
      // A call cut short by cancelling is left out, never recorded as a failure of the model.
      // An answer that arrived is kept, also when the run is cancelled meanwhile.
      if (called === undefined) return;
      while (finishing.size >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      const finished = finish(called).catch(fail);
      finishing.add(finished);
      void finished.then(() => {
        finishing.delete(finished);
        waiting.shift()?.();
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker().catch(fail)));
    while (finishing.size > 0) await Promise.all(finishing);
  } finally {
    options.signal?.removeEventListener('abort', stopOnSignal);
    await work.return(undefined);
  }
  if (failure !== undefined) throw failure;
  summary.cancelled = options.signal?.aborted === true;
  summary.durationMs = now() - started;
  return summary;
}

async function* workItems(plan: EvalPlan, repeat: number): AsyncGenerator<WorkItem> {
  for await (const evalCase of plan.cases) {
    for (const prompt of plan.prompts) {
      for (const provider of plan.providers) {
        for (let sample = 0; sample < repeat; sample += 1)
          yield { prompt, provider, evalCase, repeat: sample };
      }
    }
  }
}

/** A case whose model call is over: its answer, or the error that replaced it. */
interface CalledModel {
  item: WorkItem;
  model: EvalModelResult | undefined;
  error: { code: string; message: string } | null;
  promptText: string | undefined;
}

/** Renders the prompt and calls the model; undefined when the call was cut short by cancelling. */
async function callOne(
  item: WorkItem,
  deps: EvalRunnerDeps,
  signal: AbortSignal,
): Promise<CalledModel | undefined> {
  const { prompt, provider, evalCase } = item;
  let promptText: string | undefined;
  try {
    const rendered = compileTemplate(prompt.template, evalCase.vars);
    promptText =
      typeof rendered === 'string'
        ? rendered
        : rendered.map((message) => `${message.role}: ${message.content}`).join('\n\n');
    const model = await deps.callModel({ prompt, provider, evalCase, repeat: item.repeat, rendered, signal });
    return { item, model, error: null, promptText };
  } catch (caught) {
    if (signal.aborted) return undefined;
    const error = FlywheelError.is(caught)
      ? { code: caught.code, message: caught.message }
      : { code: 'internal_error', message: caught instanceof Error ? caught.message : String(caught) };
    return { item, model: undefined, error, promptText };
  }
}

/** Runs the case's assertions on its answer and builds its result. */
async function scoreAnswer(called: CalledModel, deps: EvalRunnerDeps): Promise<EvalCaseResult> {
  const { item, model, error, promptText } = called;
  const { prompt, provider, evalCase } = item;
  // Objects built with the same keys every time (absent ones undefined), not with conditional
  // spreads, which define each property through V8's runtime (see the gateway's
  // generation-recorder.ts); JSON leaves the undefined ones out.
  const context: AssertionContext = {
    output: model?.output ?? '',
    vars: evalCase.vars,
    latencyMs: model?.latencyMs,
    cost: model?.cost ?? null,
    outputError: error ?? undefined,
    prompt: promptText,
    services: deps.services,
  };
  const assertions = await Promise.all(
    evalCase.assert.map(async (config: AssertionConfig) => ({
      config,
      result: await runAssertion(config, context),
    })),
  );
  const combined = error
    ? { status: 'errored' as const, score: 0 }
    : combineAssertionResults(assertions, evalCase.threshold);
  return {
    caseIndex: evalCase.index,
    caseKey: evalCase.key,
    repeat: item.repeat,
    promptId: prompt.id,
    providerId: provider.id,
    vars: evalCase.vars,
    source: evalCase.source,
    output: model?.output ?? null,
    error,
    status: combined.status,
    score: combined.score,
    assertions: assertions.map(({ config, result }) => ({
      type: config.type,
      metric: config.metric,
      result,
    })),
    inputTokens: model?.inputTokens ?? null,
    outputTokens: model?.outputTokens ?? null,
    cost: model?.cost ?? null,
    latencyMs: model?.latencyMs,
    traceId: model?.traceId ?? null,
    cached: model?.cached ?? false,
  };
}

/** Resolves in the check phase of the event loop (Node), or in the next task elsewhere. */
function nextTurn(): Promise<void> {
  const { setImmediate } = globalThis as { setImmediate?: (callback: () => void) => unknown };
  return new Promise((resolve) => (setImmediate ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new FlywheelError(
      'invalid_argument',
      `${name} must be a whole number of at least 1 (got ${value}).`,
    );
  }
  return value;
}
