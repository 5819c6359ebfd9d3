import { join } from 'node:path';
import {
  type AssertionServices,
  assertionRegistry,
  describeSummaryRow,
  type EvalCaseResult,
  type EvalProvider,
  type EvalSummary,
  type ExperimentResultRecord,
  experimentResultBody,
  runEval,
} from '@flywheel/core';
import { createFlywheelClient, type FlywheelClient } from '@flywheel/sdk';
import { type ExperimentBody, FlywheelError } from '@flywheel/spec';
import { createEvalCache } from './eval-cache.js';
import type { EvalConnection } from './eval-connection.js';
import { openEvalOutput } from './eval-output.js';
import { createProgressReporter } from './eval-progress.js';
import { createGatewayClient } from './gateway-client.js';
import { createJavascriptSandbox } from './javascript-sandbox.js';
import { type LoadedSuite, loadSuite } from './suite-loader.js';

/** What one `flywheel eval` run is asked to do. */
export interface EvalSessionOptions {
  suitePath: string;
  /** The experiment's name; runs of one name form its history (`--baseline latest`). */
  name: string;
  concurrency: number;
  repeat: number;
  cache: boolean;
  output?: string;
  /** `--models old,new`: these gateway aliases instead of the suite's providers, one experiment each. */
  models?: string[];
  signal: AbortSignal;
  /** Progress goes here (standard error). */
  progress: (text: string) => void;
  interactive: boolean;
}

/** What a run did. */
export interface EvalSessionOutcome {
  client: FlywheelClient;
  suite: LoadedSuite;
  providers: EvalProvider[];
  /** One experiment, or one per model with `--models`. */
  experiments: ExperimentBody[];
  summary: EvalSummary;
  labels: { prompts: Map<string, string>; providers: Map<string, string> };
}

/** Codes that mean the suite names something that is not there: a configuration error. */
const configurationCodes = new Set([
  'prompt_not_found',
  'dataset_not_found',
  'template_invalid',
  'validation_failed',
]);

/** Results sent to the server per request. */
const resultBatch = 200;

/**
 * Loads the suite, records an experiment, runs every case through the gateway with the runner,
 * streams results to the experiment (and `--output`), and finishes it — `cancelled` after
 * Ctrl-C, keeping every result that finished.
 */
export async function runEvalSession(
  connection: EvalConnection,
  options: EvalSessionOptions,
): Promise<EvalSessionOutcome> {
  const client = createFlywheelClient({
    baseUrl: connection.baseUrl,
    apiKey: connection.apiKey,
    ...(connection.fetch ? { fetch: connection.fetch } : {}),
  });
  const suite = await loadSuite(
    options.suitePath,
    {
      getPrompt: (name, ref) => client.prompts.get(name, ref),
      datasetItems: (name, version) => client.datasets.export(name, version === undefined ? {} : { version }),
    },
    assertionRegistry,
  ).catch((error: unknown) => {
    // A suite naming a prompt or dataset that does not exist is a configuration error (exit 2).
    if (FlywheelError.is(error) && configurationCodes.has(error.code)) {
      throw new FlywheelError('invalid_argument', error.message, { cause: error });
    }
    throw error;
  });
  const providers: EvalProvider[] = options.models
    ? options.models.map((alias) => ({ id: `flywheel:${alias}`, alias, label: alias, config: {} }))
    : suite.providers;
  const labels = {
    prompts: new Map(suite.prompts.map((prompt) => [prompt.id, prompt.label])),
    providers: new Map(providers.map((provider) => [provider.id, provider.label])),
  };

  const gateway = createGatewayClient({
    baseUrl: connection.baseUrl,
    apiKey: connection.apiKey,
    connections: Math.max(options.concurrency, 8),
    ...(connection.inProcess ? { inProcess: connection.inProcess } : {}),
    ...(connection.fetch ? { fetch: connection.fetch } : {}),
    ...(options.cache ? { cache: createEvalCache(join(connection.dataDir, 'eval-cache')) } : {}),
  });
  try {
    const known = new Set(await gateway.models());
    const wanted = [
      ...providers.map((provider) => provider.alias),
      ...(suite.graderAlias !== undefined ? [suite.graderAlias] : []),
      ...(suite.embeddingAlias !== undefined ? [suite.embeddingAlias] : []),
    ];
    const unknown = [...new Set(wanted.filter((alias) => !known.has(alias)))];
    if (unknown.length > 0) {
      throw new FlywheelError(
        'invalid_argument',
        `${unknown.map((alias) => `flywheel:${alias}`).join(', ')}: not a model of this gateway. Models it has: ${[...known].join(', ') || 'none (add some under models: in flywheel.config.yaml)'}.`,
      );
    }
  } catch (error) {
    await gateway.close().catch(() => undefined);
    throw error;
  }

  const groups = options.models ? providers.map((provider) => [provider]) : [providers];
  const experiments = await Promise.all(
    groups.map((group) =>
      client.experiments.create({
        name: options.name,
        ...(suite.description !== undefined ? { description: suite.description } : {}),
        targets: suite.prompts.flatMap((prompt) =>
          group.map((provider) => ({
            prompt_id: prompt.id,
            prompt_label: prompt.label,
            provider_id: provider.id,
            provider_label: provider.label,
            prompt_ref: prompt.registry ?? null,
          })),
        ),
        datasets: suite.datasets,
        metadata: { suite: options.suitePath, repeat: options.repeat, runner: connection.mode },
      }),
    ),
  );
  const experimentOf = new Map<string, ExperimentBody>();
  groups.forEach((group, index) => {
    for (const provider of group) experimentOf.set(provider.id, experiments[index]!);
  });

  const sandbox = createJavascriptSandbox();
  const output = options.output === undefined ? undefined : await openEvalOutput(options.output);
  const pending = new Map<string, ExperimentResultRecord[]>();
  const { inProcess } = connection;
  const append = inProcess
    ? (experimentId: string, results: ExperimentResultRecord[]) =>
        inProcess.appendResults(inProcess.projectId, experimentId, results)
    : async (experimentId: string, results: ExperimentResultRecord[]) =>
        (await client.experiments.appendResults(experimentId, results.map(experimentResultBody))).stored;
  const sending = new Map<string, Promise<unknown>>();
  const send = async (experimentId: string, force: boolean) => {
    const buffer = pending.get(experimentId) ?? [];
    if (buffer.length === 0 || (!force && buffer.length < resultBatch)) return;
    pending.set(experimentId, []);
    // One request at a time per experiment, in order; a failure stops the run (nothing is dropped silently).
    const previous = sending.get(experimentId) ?? Promise.resolve();
    const next = previous.then(() => append(experimentId, buffer));
    sending.set(experimentId, next);
    await next;
  };

  const services: AssertionServices = {
    runJavascript: (request) => sandbox.run(request),
    ...(suite.graderAlias !== undefined
      ? {
          grade: async ({ messages, alias }) => {
            const answer = await gateway.chat({
              alias: alias ?? suite.graderAlias!,
              body: { messages, temperature: 0 },
            });
            return { output: answer.output, cost: answer.cost };
          },
        }
      : {}),
    ...(suite.embeddingAlias !== undefined
      ? { embed: ({ texts, alias }) => gateway.embed({ alias: alias ?? suite.embeddingAlias!, texts }) }
      : {}),
  };

  const progress = createProgressReporter({ write: options.progress, interactive: options.interactive });
  let summary: EvalSummary | undefined;
  let failure: unknown;
  try {
    summary = await runEval(
      { prompts: suite.prompts, providers, cases: suite.cases(), caseCount: suite.caseCount },
      {
        callModel: ({ prompt, provider, rendered, signal }) => {
          const { model: _model, ...promptConfig } = prompt.config;
          const messages = typeof rendered === 'string' ? [{ role: 'user', content: rendered }] : rendered;
          return gateway.chat({
            alias: provider.alias,
            body: { ...promptConfig, ...provider.config, messages },
            signal,
          });
        },
        async write(result) {
          const experiment = experimentOf.get(result.providerId)!;
          const buffer = pending.get(experiment.id) ?? [];
          buffer.push(toResultRecord(result));
          pending.set(experiment.id, buffer);
          await output?.write(result, {
            prompt: labels.prompts.get(result.promptId) ?? result.promptId,
            provider: labels.providers.get(result.providerId) ?? result.providerId,
          });
          await send(experiment.id, false);
        },
        onProgress: (event) => progress.update(event),
        services,
      },
      { concurrency: options.concurrency, repeat: options.repeat, signal: options.signal },
    );
  } catch (error) {
    failure = error;
  } finally {
    progress.done();
    await gateway.close().catch(() => undefined);
    await sandbox.close().catch(() => undefined);
  }

  // Whatever finished is kept, also when the run failed or was cancelled.
  const flushed = await Promise.allSettled(experiments.map((experiment) => send(experiment.id, true)));
  const flushFailure = flushed.find((outcome) => outcome.status === 'rejected');
  const status =
    failure !== undefined || flushFailure ? 'failed' : summary?.cancelled ? 'cancelled' : 'completed';
  const finished = await Promise.all(
    experiments.map((experiment) =>
      client.experiments.finish(
        experiment.id,
        status,
        summary
          ? summaryBody(
              summary,
              labels,
              experiment.targets.map((target) => target.provider_id),
            )
          : {},
      ),
    ),
  );
  await output?.close(summary ? summaryBody(summary, labels) : {});
  if (failure !== undefined) throw failure;
  if (flushFailure?.status === 'rejected') throw flushFailure.reason;
  if (!summary) throw new FlywheelError('internal_error', 'The run ended without a summary.');
  return { client, suite, providers, experiments: finished, summary, labels };
}

/** The stored form of a result (only the record's fields, score clamped to 0–1). */
function toResultRecord(result: EvalCaseResult): ExperimentResultRecord {
  return {
    caseKey: result.caseKey,
    caseIndex: result.caseIndex,
    repeat: result.repeat,
    promptId: result.promptId,
    providerId: result.providerId,
    vars: result.vars,
    output: result.output,
    error: result.error,
    status: result.status,
    score: Math.min(1, Math.max(0, result.score)),
    assertions: result.assertions,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    cost: result.cost,
    latencyMs: result.latencyMs === undefined ? null : result.latencyMs,
    traceId: result.traceId,
    cached: result.cached,
  };
}

/** The summary stored on the experiment (and at the end of results.json). */
export function summaryBody(
  summary: EvalSummary,
  labels: { prompts: Map<string, string>; providers: Map<string, string> },
  providerIds?: string[],
): Record<string, unknown> {
  const rows = [...summary.rows.values()].filter(
    (row) => !providerIds || providerIds.includes(row.providerId),
  );
  return {
    cancelled: summary.cancelled,
    duration_ms: Math.round(summary.durationMs),
    rows: rows.map((row) => {
      const derived = describeSummaryRow(row);
      return {
        prompt_id: row.promptId,
        prompt: labels.prompts.get(row.promptId) ?? row.promptId,
        provider_id: row.providerId,
        provider: labels.providers.get(row.providerId) ?? row.providerId,
        results: row.results,
        passed: row.passed,
        failed: row.failed,
        errored: row.errored,
        pass_rate: derived.passRate,
        mean_score: derived.meanScore,
        input_tokens: row.inputTokens,
        output_tokens: row.outputTokens,
        cost: row.cost,
        unknown_cost_count: row.unknownCostCount,
        cached: row.cachedCount,
        latency_p50_ms: derived.latencyP50Ms,
        latency_p95_ms: derived.latencyP95Ms,
      };
    }),
  };
}
