import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeOpenAIServer, startFakeOpenAI } from '@flywheel/providers/testing';
import { openStorage } from '@flywheel/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin } from '../testing-internal/server-process.js';

// `flywheel eval` as users run it: the bundled command `npm run build` makes (one file per
// thread), not the sources. What a bundle can get wrong is what this checks: the trace writer's
// thread starts from its own file, the tokenizer loads from node_modules when a provider reports
// no usage, and `--help` and `--version` answer.

let fake: FakeOpenAIServer;
let dir: string;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  fake.behave((request) => {
    const body = request.body as { model: string; messages: Array<{ content: string }> };
    const text = body.messages.map((message) => message.content).join('\n');
    const content = text.includes('France') ? 'Paris.' : 'I do not know.';
    return {
      kind: 'json',
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        // No usage: the gateway counts the tokens itself and marks them estimated.
      },
    };
  });
  dir = mkdtempSync(join(tmpdir(), 'flywheel-bundle-'));
  writeFileSync(
    join(dir, 'flywheel.config.yaml'),
    `models:\n  - name: m\n    targets: [{ provider: openai-compatible, model: m-model, base_url: "${fake.url}", api_key: k }]\n`,
  );
  writeFileSync(
    join(dir, 'suite.yaml'),
    `prompts: ["Capital of {{country}}? One word."]
providers: [flywheel:m]
tests:
  - vars: { country: France }
    assert: [{ type: icontains, value: paris }]
  - vars: { country: Italy }
    assert: [{ type: icontains, value: rome }]
  - vars: { country: Spain }
    assert: [{ type: icontains, value: madrid }]
`,
  );
});

afterAll(async () => {
  await fake?.close();
});

function flywheel(
  args: string[],
  nodeArgs: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'npm run build' first (npm test does).`);
  const child = spawn(process.execPath, [...nodeArgs, bin, ...args], {
    cwd: dir,
    env: { ...process.env, FLYWHEEL_CONFIG: '', FLYWHEEL_LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('the bundled flywheel command', () => {
  it('answers --version and --help', async () => {
    const version = await flywheel(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = await flywheel(['eval', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--min-pass-rate');
  });

  it('runs a suite, stores the experiment and writes every trace from the writer thread', async () => {
    const dataDir = join(dir, 'data');
    const run = await flywheel([
      'eval',
      'suite.yaml',
      '--data-dir',
      dataDir,
      '--config',
      'flywheel.config.yaml',
      '--output',
      'results.jsonl',
      '--min-pass-rate',
      '0.3',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('pass rate 33.3%');
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).status)).toEqual(
      expect.arrayContaining(['passed', 'failed', 'failed']),
    );

    const storage = openStorage({ dataDir });
    try {
      const [project] = await storage.stores.projects.list();
      const [experiment] = await storage.stores.experiments.list(project!.id, { limit: 1 });
      expect(experiment?.status).toBe('completed');
      const results = await storage.stores.experiments.listResults(project!.id, experiment!.id, {
        limit: 10,
      });
      expect(results).toHaveLength(3);
      for (const result of results) {
        const spans = await storage.stores.traces.listSpans(project!.id, result.traceId!);
        expect(spans).toEqual([
          expect.objectContaining({
            kind: 'generation',
            model: 'm-model',
            usage: expect.objectContaining({ estimated: true }),
          }),
        ]);
        expect(spans[0]!.usage!.inputTokens).toBeGreaterThan(0);
      }
    } finally {
      await storage.close();
    }
  });

  it('runs with V8 flags on the node command line, which the writer thread inherits', async () => {
    // A Worker given them in execArgv refuses V8 flags: this run failed with
    // ERR_WORKER_INVALID_EXEC_ARGV before the writer inherited Node's flags instead.
    const run = await flywheel(
      [
        'eval',
        'suite.yaml',
        '--data-dir',
        join(dir, 'data-v8-flags'),
        '--config',
        'flywheel.config.yaml',
        '--min-pass-rate',
        '0.3',
      ],
      ['--max-old-space-size=512', '--stack-size=2000'],
    );
    expect(run.stderr).not.toContain('ERR_WORKER_INVALID_EXEC_ARGV');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('pass rate 33.3%');
  });
});
