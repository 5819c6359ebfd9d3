import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI } from '@flywheel/providers/testing';
import { createFlywheelClient } from '@flywheel/sdk';
import { loadSettings } from '@flywheel/server';
import { startFlywheel } from '@flywheel/server/main';
import type { MetricsBody } from '@flywheel/spec';

/** A model name that would run script if the UI ever rendered it as HTML. */
export const hostileModelName = '<img src=x onerror="window.__flywheelXss=1">';
/** Model output (of ingested spans, a dataset item, an experiment result) that must show as text. */
export const hostileOutput = '<script>window.__flywheelXss=1</script> Your refund is on its way.';

/** What the suite seeded, to compare with what the UI shows. */
export interface SeededServer {
  url: string;
  adminKey: string;
  /** A second project with no data (for the empty state and the project switcher). */
  emptyProject: { id: string; name: string };
  /** Generations seeded: gateway calls and ingested spans. */
  requests: number;
  errors: number;
  /** `GET /api/metrics` totals over the last day, once every seeded generation was written. */
  totals: MetricsBody['total'];
  /** Ids of the ingested traces (the gateway's traces have ids of their own). */
  traceIds: string[];
  /** The prompt seeded, with one version labelled production. */
  promptName: string;
  /** The dataset seeded, with two items. */
  datasetName: string;
  /** Two finished experiments over the dataset: a baseline and a candidate. */
  experimentIds: string[];
  close(): Promise<void>;
}

/**
 * Starts the real server (`startFlywheel`, the composition root `npm start` runs) on a free port
 * over a temporary data folder, with model aliases pointing at a fake OpenAI server on 127.0.0.1,
 * and seeds it through the public API only: gateway calls (priced, unpriced, failing, through a
 * prompt) and ingested traces.
 */
export async function startSeededServer(webDir: string): Promise<SeededServer> {
  const folder = mkdtempSync(join(tmpdir(), 'flywheel-ui-e2e-'));
  const fake = await startFakeOpenAI();
  fake.behave((request) => {
    const messages = request.body?.messages as Array<{ content?: unknown }> | undefined;
    return messages?.some((message) => message.content === 'please fail')
      ? { kind: 'json', status: 400 }
      : { kind: 'json', delayMs: 5 };
  });
  const configPath = join(folder, 'flywheel.config.yaml');
  writeFileSync(
    configPath,
    `models:
  - name: chat-default
    targets: [{ provider: openai-compatible, model: gpt-4o-mini, base_url: "${fake.url}", api_key: fake }]
    retries: { max: 0 }
  - name: chat-small
    targets: [{ provider: openai-compatible, model: small-model, base_url: "${fake.url}", api_key: fake }]
prices:
  - { provider: openai-compatible, model: gpt-4o-mini, input_per_million: 150, output_per_million: 600 }
`,
  );
  const adminKey = `fw_sk_${'E2eUiAdminKey0123456789'.padEnd(43, 'x')}`;
  const settings = loadSettings({
    env: {
      FLYWHEEL_PORT: '0',
      FLYWHEEL_LOG_LEVEL: 'silent',
      FLYWHEEL_DATA_DIR: join(folder, 'data'),
      FLYWHEEL_BOOTSTRAP_KEY: adminKey,
      FLYWHEEL_CONFIG: configPath,
    },
    cwd: folder,
  });
  const server = await startFlywheel(settings, { print: () => {}, webDir });
  const close = async () => {
    await server.close();
    await fake.close();
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    const seeded = await seed(server.url, adminKey);
    return { url: server.url, adminKey, ...seeded, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function seed(url: string, adminKey: string) {
  const client = createFlywheelClient({ baseUrl: url, apiKey: adminKey });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  };
  const chat = (model: string, content: string) =>
    post('/v1/chat/completions', { model, messages: [{ role: 'user', content }] });

  await client.prompts.create({
    name: 'support/triage',
    type: 'text',
    template: 'Route this ticket: {{ticket}}',
    config: { model: 'chat-default' },
    labels: ['production'],
  });
  const statuses = [
    ...(await Promise.all(
      Array.from({ length: 5 }, (_, index) => chat('chat-default', `question ${index}`)),
    )),
    await chat('chat-default', 'please fail'),
    await chat('chat-small', 'small one'),
    await chat('chat-small', 'small two'),
    await post('/v1/chat/completions', {
      prompt: { name: 'support/triage', label: 'production', variables: { ticket: 'I was charged twice' } },
    }),
  ];
  if (statuses.join() !== '200,200,200,200,200,400,200,200,200') {
    throw new Error(`unexpected gateway answers while seeding: ${statuses.join()}`);
  }

  const start = Date.now() - 10 * 60_000;
  const at = (offsetMs: number) => new Date(start + offsetMs).toISOString();
  const ingested = [
    { model: 'claude-3-5-haiku-20241022', status: 'ok', cost: 0.25, latencyMs: 1200 },
    { model: 'claude-3-5-haiku-20241022', status: 'error', cost: 0.125, latencyMs: 900 },
    { model: hostileModelName, status: 'ok', cost: 0.5, latencyMs: 2400 },
  ] as const;
  const ingestStatus = await post('/api/ingest', {
    batch: ingested.flatMap((span, index) => [
      {
        id: `ev-trace-${index}`,
        type: 'trace-create',
        body: { id: `tr-ui-${index}`, name: 'support answer', tags: ['e2e'] },
      },
      {
        id: `ev-span-${index}`,
        type: 'span-create',
        body: {
          id: `sp-ui-${index}`,
          trace_id: `tr-ui-${index}`,
          kind: 'generation',
          name: 'chat',
          start_time: at(index * 60_000),
          end_time: at(index * 60_000 + span.latencyMs),
          status: span.status,
          model: span.model,
          provider: 'anthropic',
          usage: { input_tokens: 1000 + index, output_tokens: 200 + index },
          cost: span.cost,
          input: [{ role: 'user', content: 'Where is my refund?' }],
          output: hostileOutput,
        },
      },
    ]),
  });
  if (ingestStatus !== 200) throw new Error(`ingest answered ${ingestStatus}`);

  const requests = statuses.length + ingested.length;
  const errors = 1 + ingested.filter((span) => span.status === 'error').length;
  // Gateway traces are written after the answers, by the batching writer: wait until all are in.
  let totals: MetricsBody['total'] | undefined;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    const metrics = await client.metrics({
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
      group_by: 'time',
    });
    totals = metrics.total;
    if (totals.requests >= requests) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (totals?.requests !== requests) {
    throw new Error(`expected ${requests} generations in the metrics, found ${totals?.requests}`);
  }
  const datasetName = 'support/golden';
  await client.datasets.create({ name: datasetName, description: 'Tickets with the queue they belong to' });
  await client.datasets.addItems(datasetName, {
    items: [
      { id: 'charged-twice', input: { ticket: 'I was charged twice' }, expected_output: 'billing' },
      {
        id: 'hostile',
        input: { ticket: hostileOutput },
        expected_output: 'tech',
        metadata: { source: 'e2e' },
      },
    ],
  });
  const experimentIds: string[] = [];
  for (const [name, passes] of [
    ['triage baseline', [true, false]],
    ['triage candidate', [true, true]],
  ] as const) {
    const target = {
      prompt_id: 'support/triage',
      prompt_label: 'triage',
      provider_id: 'flywheel:chat-default',
      provider_label: 'chat-default',
    };
    const experiment = await client.experiments.create({
      name,
      targets: [target],
      datasets: [{ name: datasetName, version: 1 }],
    });
    await client.experiments.appendResults(
      experiment.id,
      ['charged-twice', 'hostile'].map((caseKey, index) => ({
        case_key: caseKey,
        case_index: index,
        repeat: 0,
        prompt_id: target.prompt_id,
        provider_id: target.provider_id,
        vars: { ticket: index === 0 ? 'I was charged twice' : hostileOutput },
        output: index === 0 ? 'billing' : hostileOutput,
        error: null,
        status: passes[index] ? 'passed' : 'failed',
        score: passes[index] ? 1 : 0,
        assertions: [
          {
            type: 'icontains',
            result: {
              status: 'scored',
              pass: passes[index]!,
              score: passes[index] ? 1 : 0,
              reason: 'seeded',
            },
          },
        ],
        input_tokens: 12,
        output_tokens: 5,
        cost: 0.0048,
        latency_ms: 40 + index,
        trace_id: null,
        cached: false,
      })),
    );
    await client.experiments.finish(experiment.id, 'completed');
    experimentIds.push(experiment.id);
  }

  const emptyProject = await client.projects.create({ name: 'Empty project' });
  return {
    requests,
    errors,
    totals,
    traceIds: ingested.map((_span, index) => `tr-ui-${index}`),
    promptName: 'support/triage',
    datasetName,
    experimentIds,
    emptyProject: { id: emptyProject.id, name: emptyProject.name },
  };
}
