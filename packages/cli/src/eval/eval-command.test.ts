import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeOpenAIServer, startFakeOpenAI } from '@flywheel/providers/testing';
import { loadSettings } from '@flywheel/server';
import { startFlywheel } from '@flywheel/server/main';
import { openStorage } from '@flywheel/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import type { CliIo } from '../command.js';

// `flywheel eval` end to end, in-process (no server of its own): a suite in promptfoo's layout
// runs through the real gateway against a fake model on 127.0.0.1, is stored as an experiment,
// and the gates decide the exit code.

const capitals: Record<string, string> = { France: 'Paris', Italy: 'Rome', Spain: 'Madrid', Japan: 'Tokyo' };
const bootstrapKey = `fw_sk_${'E'.repeat(43)}`;

let fake: FakeOpenAIServer;
let dir: string;

/** `old` knows every capital; `new` gets Spain and Japan wrong; the judge passes polite answers. */
function answer(model: string, text: string): string {
  if (model === 'judge-model') {
    return JSON.stringify({
      reason: 'polite enough',
      pass: !text.includes('rude'),
      score: text.includes('rude') ? 0 : 1,
    });
  }
  const country = Object.keys(capitals).find((name) => text.includes(name));
  if (!country) return 'I do not know.';
  if (model === 'new-model' && (country === 'Spain' || country === 'Japan'))
    return `Probably ${country}ville.`;
  return `The capital of ${country} is ${capitals[country]}.`;
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
  fake.behave((request) => {
    const body = request.body as { model: string; messages: Array<{ content: string }> };
    const text = body.messages.map((message) => message.content).join('\n');
    return {
      kind: 'json',
      ...(body.model === 'slow-model' ? { delayMs: 100 } : {}),
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: answer(body.model, text) },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
      },
    };
  });
  dir = mkdtempSync(join(tmpdir(), 'flywheel-eval-'));
  writeFileSync(
    join(dir, 'flywheel.config.yaml'),
    `models:
  - name: old
    targets: [{ provider: openai-compatible, model: old-model, base_url: "${fake.url}", api_key: k }]
  - name: new
    targets: [{ provider: openai-compatible, model: new-model, base_url: "${fake.url}", api_key: k }]
  - name: judge
    targets: [{ provider: openai-compatible, model: judge-model, base_url: "${fake.url}", api_key: k }]
  - name: slow
    targets: [{ provider: openai-compatible, model: slow-model, base_url: "${fake.url}", api_key: k }]
prices:
  - { provider: openai-compatible, model: old-model, effective_from: "2024-01-01", input_per_million: 1, output_per_million: 2 }
`,
  );
  writeFileSync(
    join(dir, 'chat.json'),
    JSON.stringify([
      { role: 'system', content: 'Answer in one sentence.' },
      { role: 'user', content: 'What is the capital of {{country}}?' },
    ]),
  );
  writeFileSync(
    join(dir, 'more.csv'),
    'country,__expected\nSpain,icontains: Madrid\nJapan,contains: Tokyo\n',
  );
  writeFileSync(
    join(dir, 'suite.yaml'),
    `description: capitals
prompts:
  - "Capital of {{country}}?"
  - file://chat.json
providers: [flywheel:old]
defaultTest:
  assert:
    - type: not-icontains
      value: sorry
    - type: javascript
      value: output.length < 200
  options:
    provider: flywheel:judge
tests:
  - vars: { country: France }
    assert:
      - { type: icontains, value: Paris }
      - { type: llm-rubric, value: is polite }
  - vars: { country: Italy }
    assert: [{ type: contains-any, value: [Rome, Roma] }]
  - file://more.csv
`,
  );
});
afterAll(async () => {
  await fake.close();
});

async function cli(argv: string[], options: { interruptAfterProgress?: number } = {}) {
  let stdout = '';
  let stderr = '';
  let interrupt: ((signal: string) => void) | undefined;
  let progressLines = 0;
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => {
      stderr += text;
      if (text.startsWith('progress:')) progressLines += 1;
      if (progressLines === options.interruptAfterProgress) {
        // Like the real signal listener, it fires once.
        const handler = interrupt;
        interrupt = undefined;
        handler?.('SIGINT');
      }
    },
    env: { FLYWHEEL_LOG_LEVEL: 'silent', FLYWHEEL_BOOTSTRAP_KEY: bootstrapKey },
    cwd: dir,
    onShutdownSignal: (handler) => {
      interrupt = handler;
      return () => {
        interrupt = undefined;
      };
    },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A Flywheel server of its own on a free port, as a team would run one. */
const startServer = (dataDir: string) =>
  startFlywheel(
    loadSettings({
      flags: {
        host: '127.0.0.1',
        port: '0',
        'data-dir': join(dir, dataDir),
        config: join(dir, 'flywheel.config.yaml'),
      },
      env: { FLYWHEEL_LOG_LEVEL: 'silent', FLYWHEEL_BOOTSTRAP_KEY: bootstrapKey },
      cwd: dir,
    }),
    { print: () => {} },
  );

const local = () => ['--data-dir', join(dir, 'data'), '--config', join(dir, 'flywheel.config.yaml')];

describe('flywheel eval', () => {
  it('runs a promptfoo-layout suite through the gateway, stores it, writes outputs, and reuses the cache', async () => {
    const first = await cli(['eval', join(dir, 'suite.yaml'), ...local(), '-o', join(dir, 'results.jsonl')]);
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    // 2 prompts × 4 cases, all passing on the old model.
    expect(first.stdout).toMatch(/8 results in [\d.]+ s; pass rate 100\.0%/);
    expect(first.stdout).toContain('PROMPT');
    expect(first.stdout).toContain('chat.json');
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(8);
    const france = lines.map((line) => JSON.parse(line)).find((result) => result.vars.country === 'France');
    expect(france.status).toBe('passed');
    expect(france.assertions.map((assertion: { type: string }) => assertion.type)).toEqual([
      'not-icontains',
      'javascript',
      'icontains',
      'llm-rubric',
    ]);
    expect(france.cost).toBeGreaterThan(0);
    const modelCalls = fake.requests.filter((request) => request.body?.model === 'old-model').length;
    expect(modelCalls).toBe(8);
    // A local run calls the gateway and stores its results in the process, without HTTP: still
    // every result is stored with the trace of its call, and that trace is written.
    const storage = openStorage({ dataDir: join(dir, 'data') });
    try {
      const [project] = await storage.stores.projects.list();
      const [experiment] = await storage.stores.experiments.list(project!.id, { limit: 1 });
      const stored = await storage.stores.experiments.listResults(project!.id, experiment!.id, { limit: 20 });
      expect(stored).toHaveLength(8);
      const storedFrance = stored.find((result) => result.vars.country === 'France');
      expect(storedFrance?.traceId).toMatch(/^tr_/);
      expect(storedFrance?.cost).toBe(france.cost);
      const spans = await storage.stores.traces.listSpans(project!.id, storedFrance!.traceId!);
      expect(spans).toEqual([
        expect.objectContaining({ kind: 'generation', model: 'old-model', status: 'ok' }),
      ]);
      // The run's key lived only in the embedded server: no key is left behind, revoked or not.
      expect((await storage.stores.apiKeys.list(project!.id)).map((key) => key.name)).toEqual([
        'bootstrap admin',
      ]);
      expect(experiment!.createdBy).toMatchObject({ keyName: 'flywheel eval (local run)' });
    } finally {
      await storage.close();
    }

    // The same suite again: answered from the eval cache, compared with the first run.
    const second = await cli([
      'eval',
      join(dir, 'suite.yaml'),
      ...local(),
      '--baseline',
      'latest',
      '--fail-on',
      'regression',
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('8 from the eval cache');
    expect(second.stdout).toContain('Against baseline');
    expect(second.stdout).toContain('no significant change');
    expect(fake.requests.filter((request) => request.body?.model === 'old-model').length).toBe(modelCalls);
  }, 60_000);

  it('reports what a model change broke, and fails the gate on a regression', async () => {
    const bigger = join(dir, 'bigger.yaml');
    const countries = Array.from({ length: 12 }, (_, index) => (index % 2 === 0 ? 'Spain' : 'Japan'));
    writeFileSync(
      bigger,
      `prompts: ["Capital of {{country}}? (case {{n}})"]
providers: [flywheel:old]
tests:
${countries.map((country, index) => `  - vars: { country: ${country}, n: ${index} }\n    assert: [{ type: icontains, value: ${capitals[country]} }]`).join('\n')}
`,
    );
    const report = await cli(['eval', bigger, ...local(), '--models', 'old,new', '--fail-on', 'regression']);
    expect(report.stdout).toContain('Model change old → new');
    expect(report.stdout).toContain('REGRESSED');
    expect(report.stdout).toContain('broke 12, fixed 0');
    expect(report.code).toBe(1);
  }, 60_000);

  it('fails the --min-pass-rate gate when too few pass', async () => {
    const result = await cli([
      'eval',
      join(dir, 'suite.yaml'),
      ...local(),
      '--models',
      'old,new',
      '--min-pass-rate',
      '0.95',
      '--no-cache',
    ]);
    expect(result.stdout).toContain('is below --min-pass-rate 0.95');
    expect(result.code).toBe(1);
  }, 60_000);

  it('runs through a team server with --server, stores the run there, and compares runs with eval compare', async () => {
    const server = await startServer('server-data');
    try {
      const remote = ['--server', server.url, '--api-key', bootstrapKey, '--no-cache'];
      const first = await cli(['eval', join(dir, 'suite.yaml'), ...remote, '--name', 'team']);
      expect(first.code).toBe(0);
      const second = await cli(['eval', join(dir, 'suite.yaml'), ...remote, '--name', 'team']);
      expect(second.code).toBe(0);
      const ids = [...`${first.stdout}${second.stdout}`.matchAll(/Experiment (exp_[A-Za-z0-9]+)/g)].map(
        (match) => match[1]!,
      );
      expect(ids).toHaveLength(2);
      const list = await fetch(`${server.url}/api/experiments?name=team`, {
        headers: { authorization: `Bearer ${bootstrapKey}` },
      });
      expect(
        ((await list.json()) as { data: Array<{ id: string; result_count: number }> }).data.map(
          (run) => run.result_count,
        ),
      ).toEqual([8, 8]);
      const compared = await cli([
        'eval',
        'compare',
        ids[0]!,
        ids[1]!,
        '--url',
        server.url,
        '--api-key',
        bootstrapKey,
        '--json',
      ]);
      expect(compared.code).toBe(0);
      expect(JSON.parse(compared.stdout)).toMatchObject({
        verdict: 'no_significant_change',
        targets: [{ pairs: 4 }, { pairs: 4 }],
      });
      expect((await cli(['eval', join(dir, 'suite.yaml'), '--server', server.url])).code).toBe(2);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('resolves registry prompts and dataset cases, and fails exactly the cases a careful reader expects', async () => {
    const server = await startServer('mixed-data');
    const api = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${bootstrapKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
    };
    try {
      await api('POST', '/api/prompts', {
        name: 'geo/capital',
        type: 'text',
        template: 'What is the capital of {{country}}?',
        labels: ['production'],
      });
      await api('POST', '/api/datasets', { name: 'capitals' });
      await api('POST', '/api/datasets/capitals/items', {
        items: [
          { id: 'fr', input: { country: 'France' }, expected_output: 'Paris' },
          { id: 'es', input: { country: 'Spain' }, expected_output: 'Madrid' },
          { id: 'jp', input: { country: 'Japan' }, expected_output: 'Tokyo' },
        ],
      });
      const suite = join(dir, 'mixed.yaml');
      // On the `new` model Spain and Japan come back wrong; every other check is written so that
      // a reader can tell its outcome from the answer alone.
      writeFileSync(
        suite,
        `prompts: [prompt:geo/capital@production]
providers: [flywheel:new]
defaultTest:
  assert:
    - { type: icontains, value: "{{expected}}" }
    - { type: not-is-json }
    - { type: regex, value: "^(The capital|Probably)" }
tests:
  - dataset:capitals
  - vars: { country: Italy, expected: Rome }
    assert:
      - { type: starts-with, value: "The capital of Italy" }
      - { type: levenshtein, value: "The capital of Italy is Rome.", threshold: 0 }
  - vars: { country: Italy, expected: Rome, n: 2 }
    assert: [{ type: json-schema, value: { type: object } }]
`,
      );
      const remote = ['--server', server.url, '--api-key', bootstrapKey, '--no-cache'];
      const out = join(dir, 'mixed.jsonl');
      const result = await cli(['eval', suite, ...remote, '-o', out, '--min-pass-rate', '0.5']);
      expect(result.stderr).not.toMatch(/^error/m);
      const statuses = Object.fromEntries(
        readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
          .map((row) => [`${row.vars.country}${row.vars.n ?? ''}`, row.status]),
      );
      expect(statuses).toEqual({
        France: 'passed',
        Spain: 'failed',
        Japan: 'failed',
        Italy: 'passed',
        Italy2: 'failed',
      });
      expect(result.stdout).toMatch(/5 results in [\d.]+ s; pass rate 40\.0%/);
      expect(result.stdout).toContain('geo/capital@1');
      expect(result.stdout).toContain('is below --min-pass-rate 0.5');
      expect(result.code).toBe(1);

      // The same suite run locally on the same data dir: the registry prompt and the dataset are
      // read from the embedded server in-process (no socket), with the same outcome.
      await server.close();
      const localOut = join(dir, 'mixed-local.jsonl');
      const localRun = await cli([
        'eval',
        suite,
        ...['--data-dir', join(dir, 'mixed-data'), '--config', join(dir, 'flywheel.config.yaml')],
        ...['--no-cache', '-o', localOut, '--min-pass-rate', '0.5'],
      ]);
      expect(localRun.stderr).not.toMatch(/^error/m);
      expect(
        Object.fromEntries(
          readFileSync(localOut, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line))
            .map((row) => [`${row.vars.country}${row.vars.n ?? ''}`, row.status]),
        ),
      ).toEqual(statuses);
      expect(localRun.stdout).toContain('geo/capital@1');
      expect(localRun.code).toBe(1);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('stops cleanly on Ctrl-C, keeps what finished, and records the run as cancelled', async () => {
    const many = join(dir, 'many.yaml');
    writeFileSync(
      many,
      `prompts: ["Capital of {{country}}? ({{n}})"]\nproviders: [flywheel:slow]\ntests:\n${Array.from({ length: 60 }, (_, index) => `  - vars: { country: France, n: ${index} }`).join('\n')}\n`,
    );
    const result = await cli(
      ['eval', many, ...local(), '--no-cache', '-j', '2', '-o', join(dir, 'cancelled.jsonl')],
      {
        interruptAfterProgress: 2,
      },
    );
    expect(result.stderr, result.stderr).toContain('Stopping');
    expect(result.code).toBe(1);
    expect(result.stdout, result.stderr.slice(-1500)).toContain('(cancelled)');
    expect(result.stdout).toContain('cancelled; the results that finished are kept');
    const kept = readFileSync(join(dir, 'cancelled.jsonl'), 'utf8').trim().split('\n');
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(60);
  }, 60_000);

  it('answers a configuration mistake with exit code 2 and what to fix', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      `prompts: ["Capital of {{country}}?"]
providers: [openai:gpt-4o-mini]
tests:
  - vars: { country: France }
    assert: [{ type: regex, value: "(" }, { type: contanis, value: x }]
`,
    );
    const result = await cli(['eval', broken, ...local()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('providers[0]: provider "openai:gpt-4o-mini" is not a Flywheel model');

    writeFileSync(
      broken,
      `prompts: ["Capital of {{country}}?"]\nproviders: [flywheel:old]\ntests:\n  - vars: { country: France }\n    assert: [{ type: regex, value: "(" }, { type: contanis, value: x }]\n`,
    );
    const assertions = await cli(['eval', broken, ...local()]);
    expect(assertions.code).toBe(2);
    expect(assertions.stderr).toContain('tests[0].assert[0] (regex)');
    expect(assertions.stderr).toContain('tests[0].assert[1] (contanis)');

    writeFileSync(broken, `prompts: ["x"]\nproviders: [flywheel:missing]\ntests: [{ vars: {} }]\n`);
    const alias = await cli(['eval', broken, ...local()]);
    expect(alias.code).toBe(2);
    expect(alias.stderr).toContain('flywheel:missing: not a model of this gateway');

    const unknownBaseline = await cli([
      'eval',
      join(dir, 'suite.yaml'),
      ...local(),
      '--baseline',
      'exp_nothere',
    ]);
    expect(unknownBaseline.code).toBe(2);
    expect(unknownBaseline.stderr).toContain('--baseline exp_nothere: no such experiment');
    expect((await cli(['eval', join(dir, 'suite.yaml'), '--fail-on', 'regression'])).code).toBe(2);
    expect((await cli(['eval', join(dir, 'suite.yaml'), '-o', 'out.txt'])).code).toBe(2);
    expect((await cli(['eval', join(dir, 'nope.yaml'), ...local()])).code).toBe(2);
  }, 60_000);
});
