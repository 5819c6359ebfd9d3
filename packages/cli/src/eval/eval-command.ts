import { basename, extname } from 'node:path';
import { createFlywheelClient, type FetchLike } from '@flywheel/sdk';
import { FlywheelError } from '@flywheel/spec';
import type { CommandDefinition, CommandInput } from '../command.js';
import { remoteOptions, withRemote } from '../commands/remote-options.js';
import { storageOptions } from '../commands/shared-options.js';
import { connectEval } from './eval-connection.js';
import { outputFormat } from './eval-output.js';
import { formatComparison, formatSummary } from './eval-report.js';
import { runEvalSession } from './eval-session.js';

/** Exit codes of `flywheel eval`: the gate held, the gate failed, the command or suite is wrong. */
export const evalExitCodes = { pass: 0, gateFailed: 1, configuration: 2 } as const;

export const evalCommand: CommandDefinition = {
  path: ['eval'],
  summary: 'Run an evaluation suite (promptfoo layout) and store it as an experiment.',
  usage: 'eval <suite.yaml> [options]',
  description:
    'Runs every prompt × model × test of the suite through the gateway (cached, costed and traced), checks the assertions, stores the run as an experiment and prints a summary per prompt × model. ' +
    'Without --server it starts Flywheel in this process on the local data dir and flywheel.config.yaml (no server needed, as in CI); with --server it uses that server, so the team sees the run. ' +
    'Exit codes: 0 the gates held (or none were set), 1 a gate failed (or the run was cancelled or failed), 2 the command line or the suite is wrong.',
  options: {
    server: {
      type: 'string',
      valueName: 'url',
      description:
        'Use this Flywheel server (key from --api-key or FLYWHEEL_API_KEY) instead of running one here.',
    },
    'api-key': {
      type: 'string',
      valueName: 'key',
      description: 'With --server: a key with the gateway, read and write scopes (env FLYWHEEL_API_KEY).',
    },
    concurrency: {
      type: 'string',
      short: 'j',
      valueName: 'n',
      description: 'Model calls at once (default 10).',
    },
    repeat: { type: 'string', valueName: 'n', description: 'Samples per test (default 1).' },
    'no-cache': {
      type: 'boolean',
      description: 'Call the models even when an identical call is in the eval cache.',
    },
    output: {
      type: 'string',
      short: 'o',
      valueName: 'file',
      description: 'Also write the results to results.json, results.jsonl or junit.xml (by extension).',
    },
    name: {
      type: 'string',
      valueName: 'name',
      description:
        "The experiment's name; runs of one name are its history (default: the suite file's name).",
    },
    baseline: {
      type: 'string',
      valueName: 'id|latest',
      description: 'Compare with this experiment, or the latest completed one of the same name.',
    },
    'fail-on': {
      type: 'string',
      valueName: 'regression',
      description: 'Exit 1 when the comparison (with --baseline or --models) finds a significant regression.',
    },
    'min-pass-rate': {
      type: 'string',
      valueName: 'rate',
      description: 'Exit 1 when fewer than this share of results pass, e.g. 0.9.',
    },
    models: {
      type: 'string',
      valueName: 'old,new',
      description:
        'Run the suite on these two gateway aliases instead of its providers and report what broke and what got fixed.',
    },
    ...storageOptions,
  },
  positionals: { names: ['suite'], min: 1 },
  examples: [
    ['flywheel eval evals/triage.yaml', 'Run a suite locally and print pass rates per prompt × model.'],
    [
      'flywheel eval evals/triage.yaml --baseline latest --fail-on regression --min-pass-rate 0.9',
      'A CI gate: fail on a significant regression against the last run, or below 90% passing.',
    ],
    [
      'flywheel eval evals/triage.yaml --models gpt-4o-mini,gpt-4.1-mini',
      'Before a model upgrade: which cases break, which get fixed, and is it significant.',
    ],
    [
      'flywheel eval evals/triage.yaml --server https://flywheel.internal -o junit.xml',
      "Run through the team's server and write JUnit for CI.",
    ],
  ],
  async run(input, io) {
    const [suitePath] = input.positionals;
    const options = parseEvalFlags(input, suitePath!);
    io.startBatchRun?.();
    const controller = new AbortController();
    const stopListening = io.onShutdownSignal(() => {
      io.stderr('\nStopping: no new calls; the results that finished are kept…\n');
      controller.abort(new Error('cancelled'));
    });
    const connection = await connectEval(input, io);
    try {
      if (options.baseline !== undefined && options.baseline !== 'latest') {
        await checkBaselineExists(connection, options.baseline);
      }
      const outcome = await runEvalSession(connection, {
        suitePath: suitePath!,
        name: options.name,
        concurrency: options.concurrency,
        repeat: options.repeat,
        cache: options.cache,
        ...(options.output !== undefined ? { output: options.output } : {}),
        ...(options.models !== undefined ? { models: options.models } : {}),
        signal: controller.signal,
        progress: io.stderr,
        interactive: io.interactive === true,
      });
      io.stdout(formatSummary(outcome.summary, outcome.experiments, outcome.labels));
      let failed =
        outcome.summary.cancelled ||
        outcome.experiments.some((experiment) => experiment.status !== 'completed');
      const prompts = outcome.labels.prompts;

      if (options.models && outcome.experiments.length === 2) {
        const [before, after] = outcome.experiments;
        const comparison = await outcome.client.experiments.compare(before!.id, after!.id);
        io.stdout(
          `\n${formatComparison(`Model change ${options.models[0]} → ${options.models[1]}`, comparison, prompts)}`,
        );
        if (options.failOnRegression && comparison.verdict === 'regressed') failed = true;
      }
      if (options.baseline !== undefined) {
        const current = outcome.experiments[0]!;
        const baselineId =
          options.baseline === 'latest'
            ? (
                await outcome.client.experiments.list({ name: options.name, status: 'completed', limit: 20 })
              ).find((experiment) => !outcome.experiments.some((own) => own.id === experiment.id))?.id
            : options.baseline;
        if (baselineId === undefined) {
          io.stdout(
            `\nNo earlier completed run named "${options.name}" to compare with; this run is the baseline from now on.\n`,
          );
        } else {
          const comparison = await outcome.client.experiments.compare(baselineId, current.id);
          io.stdout(`\n${formatComparison(`Against baseline ${baselineId}`, comparison, prompts)}`);
          if (options.failOnRegression && comparison.verdict === 'regressed') failed = true;
        }
      }
      const total = outcome.summary.total;
      const passRate = total.results === 0 ? 0 : total.passed / total.results;
      if (options.minPassRate !== undefined && passRate < options.minPassRate) {
        io.stdout(
          `\nGate: pass rate ${(passRate * 100).toFixed(1)}% is below --min-pass-rate ${options.minPassRate}.\n`,
        );
        failed = true;
      }
      return failed ? evalExitCodes.gateFailed : evalExitCodes.pass;
    } finally {
      stopListening();
      await connection.close();
    }
  },
};

/**
 * A baseline that does not exist is a mistake on the command line (exit 2), found before the run
 * rather than after it, where it would look like a failed gate.
 */
async function checkBaselineExists(
  connection: { baseUrl: string; apiKey: string; fetch?: FetchLike },
  baseline: string,
): Promise<void> {
  const client = createFlywheelClient({
    baseUrl: connection.baseUrl,
    apiKey: connection.apiKey,
    ...(connection.fetch ? { fetch: connection.fetch } : {}),
  });
  try {
    await client.experiments.get(baseline);
  } catch (error) {
    if (
      FlywheelError.is(error) &&
      (error.code === 'experiment_not_found' || error.code === 'validation_failed')
    ) {
      throw new FlywheelError(
        'invalid_argument',
        `--baseline ${baseline}: no such experiment in this project. Pass an experiment id from \`flywheel eval\` output or the Experiments page, or --baseline latest.`,
        { cause: error },
      );
    }
    throw error;
  }
}

export const evalCompareCommand: CommandDefinition = {
  path: ['eval', 'compare'],
  summary: 'Compare two stored experiments with paired statistics.',
  usage: 'eval compare <experiment-a> <experiment-b> [options]',
  description:
    "Pairs the two runs' cases and reports, per prompt × model, the change in pass rate (McNemar's exact test), score, latency and cost (paired bootstrap 95% intervals), and the cases that broke or got fixed. Talks to a running server (--url, --api-key).",
  options: {
    ...remoteOptions,
    json: { type: 'boolean', description: 'Print the API answer as JSON.' },
    'fail-on': {
      type: 'string',
      valueName: 'regression',
      description: 'Exit 1 when the verdict is a regression.',
    },
  },
  positionals: { names: ['experiment-a', 'experiment-b'], min: 2 },
  examples: [
    ['flywheel eval compare exp_3k… exp_9x…', 'Is the second run better, worse, or the same within noise?'],
    ['flywheel eval compare exp_3k… exp_9x… --json', 'The comparison as JSON, for scripts.'],
  ],
  async run(input, io) {
    const [a, b] = input.positionals;
    const failOn = input.flags['fail-on'];
    if (failOn !== undefined && failOn !== 'regression') {
      throw new FlywheelError(
        'invalid_argument',
        `--fail-on ${JSON.stringify(failOn)}: the only gate is --fail-on regression.`,
      );
    }
    return withRemote(input, io, async (client) => {
      const comparison = await client.experiments.compare(a!, b!);
      io.stdout(
        input.flags.json
          ? `${JSON.stringify(comparison, null, 2)}\n`
          : formatComparison(
              `${comparison.a.name} (${a}) → ${comparison.b.name} (${b})`,
              comparison,
              new Map(),
            ),
      );
      return failOn === 'regression' && comparison.verdict === 'regressed'
        ? evalExitCodes.gateFailed
        : evalExitCodes.pass;
    });
  },
};

interface EvalFlags {
  name: string;
  concurrency: number;
  repeat: number;
  cache: boolean;
  output?: string;
  models?: [string, string];
  baseline?: string;
  failOnRegression: boolean;
  minPassRate?: number;
}

function parseEvalFlags(input: CommandInput, suitePath: string): EvalFlags {
  const flags = input.flags;
  const integer = (name: string, fallback: number, max: number) => {
    const raw = flags[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (typeof raw !== 'string' || !Number.isInteger(value) || value < 1 || value > max) {
      throw new FlywheelError(
        'invalid_argument',
        `--${name} ${JSON.stringify(raw)}: give a whole number from 1 to ${max}.`,
      );
    }
    return value;
  };
  const failOn = flags['fail-on'];
  if (failOn !== undefined && failOn !== 'regression') {
    throw new FlywheelError(
      'invalid_argument',
      `--fail-on ${JSON.stringify(failOn)}: the only gate is --fail-on regression.`,
    );
  }
  if (failOn !== undefined && flags.baseline === undefined && flags.models === undefined) {
    throw new FlywheelError(
      'invalid_argument',
      '--fail-on regression needs something to compare with: --baseline <id|latest> or --models old,new.',
    );
  }
  let minPassRate: number | undefined;
  if (flags['min-pass-rate'] !== undefined) {
    minPassRate = Number(flags['min-pass-rate']);
    if (!(minPassRate >= 0 && minPassRate <= 1)) {
      throw new FlywheelError(
        'invalid_argument',
        `--min-pass-rate ${JSON.stringify(flags['min-pass-rate'])}: give a share from 0 to 1, e.g. 0.9.`,
      );
    }
  }
  let models: [string, string] | undefined;
  if (flags.models !== undefined) {
    const list = String(flags.models)
      .split(',')
      .map((alias) => alias.trim())
      .filter(Boolean);
    if (list.length !== 2 || list[0] === list[1]) {
      throw new FlywheelError(
        'invalid_argument',
        `--models ${JSON.stringify(flags.models)}: give two different gateway aliases, old then new, e.g. --models gpt-4o-mini,gpt-4.1-mini.`,
      );
    }
    models = [list[0]!, list[1]!];
    if (flags.baseline !== undefined) {
      throw new FlywheelError(
        'invalid_argument',
        '--models compares the two models with each other; leave out --baseline.',
      );
    }
  }
  if (typeof flags.output === 'string') outputFormat(flags.output);
  const name =
    typeof flags.name === 'string' && flags.name.trim() !== ''
      ? flags.name.trim()
      : basename(suitePath, extname(suitePath));
  return {
    name,
    concurrency: integer('concurrency', 10, 1000),
    repeat: integer('repeat', 1, 100),
    cache: flags['no-cache'] !== true,
    ...(typeof flags.output === 'string' ? { output: flags.output } : {}),
    ...(models ? { models } : {}),
    ...(typeof flags.baseline === 'string' ? { baseline: flags.baseline } : {}),
    failOnRegression: failOn === 'regression',
    ...(minPassRate !== undefined ? { minPassRate } : {}),
  };
}
