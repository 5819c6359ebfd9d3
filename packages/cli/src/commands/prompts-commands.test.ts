import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '@flywheel/server';
import { type RunningFlywheel, startFlywheel } from '@flywheel/server/main';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import type { CliIo } from '../command.js';

let server: RunningFlywheel;
let adminKey: string;
const workDir = mkdtempSync(join(tmpdir(), 'flywheel-prompts-cli-'));

beforeAll(async () => {
  const settings = loadSettings({
    flags: {
      'data-dir': mkdtempSync(join(tmpdir(), 'flywheel-prompts-data-')),
      port: '0',
      'log-level': 'silent',
    },
    env: {},
  });
  server = await startFlywheel(settings, { print: () => {} });
  adminKey = server.bootstrap!.adminKey;
});
afterAll(() => server.close());

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { FLYWHEEL_URL: server.url, FLYWHEEL_API_KEY: adminKey, ...env },
    cwd: workDir,
    onShutdownSignal: () => () => {},
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

async function json(argv: string[]) {
  const result = await run([...argv, '--json']);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

describe('flywheel prompts', () => {
  it('creates versions of a text prompt and lists them with their labels', async () => {
    const first = await run([
      'prompts',
      'create',
      'greeting',
      '--template',
      'Hello {{name}}!',
      '--label',
      'production',
    ]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe('Saved greeting version 1 (labels: latest, production).\n');
    const second = await run([
      'prompts',
      'create',
      'greeting',
      '--template',
      'Hi {{name}}!',
      '--label',
      'staging,qa',
      '--label',
      'beta',
      '--message',
      'friendlier',
    ]);
    expect(second.stdout).toMatch(/^Saved greeting version 2 \(labels: /);
    expect(second.stdout).toMatch(/beta/);
    expect(second.stdout).toMatch(/staging/);

    const list = await run(['prompts', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+LATEST\s+LABELS$/);
    expect(list.stdout).toMatch(/greeting\s+text\s+2\s+beta=2 production=1 qa=2 staging=2\n/);
  });

  it('saves a chat prompt from a file, with config from YAML, inside a folder', async () => {
    writeFileSync(
      join(workDir, 'triage.prompt.md'),
      '---\ntype: chat\nconfig:\n  temperature: 0.2\n---\n=== system ===\nTriage for {{product}}.\n=== user ===\n{{ticket}}\n',
    );
    writeFileSync(join(workDir, 'triage.yaml'), 'model: chat-default\ntemperature: 0.2\nstop: ["\\n\\n"]\n');
    const created = await json([
      'prompts',
      'create',
      'support/triage',
      '--file',
      'triage.prompt.md',
      '--config',
      'triage.yaml',
      '--label',
      'production',
    ]);
    expect(created).toMatchObject({
      name: 'support/triage',
      type: 'chat',
      version: 1,
      template: [
        { role: 'system', content: 'Triage for {{product}}.' },
        { role: 'user', content: '{{ticket}}' },
      ],
      config: { model: 'chat-default', temperature: 0.2, stop: ['\n\n'] },
      variables: ['product', 'ticket'],
    });
    const folder = await json(['prompts', 'list', '--folder', 'support']);
    expect(folder.map((prompt: { name: string }) => prompt.name)).toEqual(['support/triage']);
  });

  it('shows the production version by default, with its config and template', async () => {
    const shown = await run(['prompts', 'show', 'support/triage']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('support/triage version 1 (chat)\n');
    expect(shown.stdout).toContain('Labels:    latest, production\n');
    expect(shown.stdout).toMatch(/Author: {4}bootstrap admin \(key_\w+\)\n/);
    expect(shown.stdout).toContain(
      'Config:\n  model: chat-default\n  temperature: 0.2\n  stop:\n    - "\\n\\n"\nVariables',
    );
    expect(shown.stdout).toContain('Variables: product, ticket\n');
    expect(shown.stdout).toContain(
      'Template:\n=== system ===\nTriage for {{product}}.\n=== user ===\n{{ticket}}\n',
    );
    const byVersion = await json(['prompts', 'show', 'greeting', '--version', '2']);
    expect(byVersion).toMatchObject({ version: 2, template: 'Hi {{name}}!', commit_message: 'friendlier' });
  });

  it('explains a missing label and suggests --label latest', async () => {
    await run(['prompts', 'create', 'draft', '--template', 'WIP']);
    const { code, stderr } = await run(['prompts', 'show', 'draft']);
    expect(code).toBe(1);
    expect(stderr).toContain(
      "error [prompt_not_found]: draft has no version labelled 'production' (labels: latest=1)",
    );
    expect(stderr).toContain('flywheel prompts show draft --label latest');
    const missing = await run(['prompts', 'show', 'nope']);
    expect(missing.stderr).toContain("error [prompt_not_found]: This project has no prompt named 'nope'");
  });

  it('moves a label to deploy, then back to roll back', async () => {
    const deploy = await run(['prompts', 'label', 'greeting', 'production', '2']);
    expect(deploy).toMatchObject({ code: 0, stdout: 'production: 1 → 2\n' });
    expect((await json(['prompts', 'show', 'greeting'])).version).toBe(2);
    const rollback = await run(['prompts', 'label', 'greeting', 'production', '1']);
    expect(rollback.stdout).toBe('production: 2 → 1\n');
    expect((await json(['prompts', 'show', 'greeting'])).version).toBe(1);
    expect((await run(['prompts', 'label', 'greeting', 'production', '1'])).stdout).toBe(
      'production: already at 1, nothing moved.\n',
    );
    expect((await run(['prompts', 'label', 'greeting', 'canary', '2'])).stdout).toBe('canary: none → 2\n');
  });

  it('removes a label with --remove', async () => {
    const removed = await run(['prompts', 'label', 'greeting', 'qa', '--remove']);
    expect(removed).toMatchObject({ code: 0, stdout: 'Removed the label qa from greeting.\n' });
    expect(Object.keys((await json(['prompts', 'list']))[0]?.labels ?? {})).not.toContain('qa');
    const extra = await run(['prompts', 'label', 'greeting', 'qa', '2', '--remove']);
    expect(extra.code).toBe(2);
    const missingVersion = await run(['prompts', 'label', 'greeting', 'qa']);
    expect(missingVersion.code).toBe(2);
    expect(missingVersion.stderr).toContain('Missing <version>');
  });

  it('prints a unified diff with hunks and the config changes', async () => {
    const lines = Array.from({ length: 12 }, (_, index) => `line ${index + 1}`);
    await run(['prompts', 'create', 'long', '--template', lines.join('\n')]);
    writeFileSync(join(workDir, 'long.yaml'), 'temperature: 0.7\nmax_tokens: 100\n');
    const edited = [...lines];
    edited[1] = 'line two';
    edited.splice(10, 1);
    await run(['prompts', 'create', 'long', '--template', edited.join('\n'), '--config', 'long.yaml']);
    writeFileSync(join(workDir, 'long-3.yaml'), 'temperature: 0.2\nstop: END\n');
    await run(['prompts', 'create', 'long', '--template', edited.join('\n'), '--config', 'long-3.yaml']);

    const diff = await run(['prompts', 'diff', 'long', '1', 'latest']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe(
      [
        '--- long@1',
        '+++ long@latest (version 3)',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+line two',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -8,5 +8,4 @@',
        ' line 8',
        ' line 9',
        ' line 10',
        '-line 11',
        ' line 12',
        '',
        'Config:',
        '+ stop: "END"',
        '+ temperature: 0.2',
        '',
      ].join('\n'),
    );
    const configOnly = await run(['prompts', 'diff', 'long', '2', '3']);
    expect(configOnly.stdout).toContain('(the templates are the same)');
    expect(configOnly.stdout).toContain('~ temperature: 0.7 → 0.2');
    expect(configOnly.stdout).toContain('- max_tokens');
    expect(configOnly.stdout).toContain('+ stop: "END"');
    const body = await json(['prompts', 'diff', 'long', '1', '2']);
    expect(body).toMatchObject({ name: 'long', from: { version: 1 }, to: { version: 2 } });
    expect(body.template.lines[1]).toEqual({ op: 'remove', text: 'line 2', from_line: 2, to_line: null });
  });

  it('refuses a template that does not parse, naming the line', async () => {
    writeFileSync(join(workDir, 'broken.prompt.md'), '---\nname: broken\n---\nfine\n{{#open}}\n');
    const { code, stderr } = await run(['prompts', 'create', 'broken', '--file', 'broken.prompt.md']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error \[validation_failed\]: broken\.prompt\.md:5: template does not parse/);
    const inline = await run(['prompts', 'create', 'broken', '--template', 'x {{> partial}}']);
    expect(inline.code).toBe(1);
    expect(inline.stderr).toContain('error [template_invalid]');
  });

  it('asks for an API key and says how to create one', async () => {
    const { code, stderr } = await run(['prompts', 'list'], { FLYWHEEL_API_KEY: undefined });
    expect(code).toBe(2);
    expect(stderr).toContain('No API key: pass --api-key or set FLYWHEEL_API_KEY.');
    expect(stderr).toContain('flywheel keys create --name cli --scopes read,write');
  });

  it('reports a wrong API key with the fix', async () => {
    const { code, stderr } = await run(['prompts', 'list', '--api-key', `fw_sk_${'x'.repeat(43)}`]);
    expect(code).toBe(1);
    expect(stderr).toContain('error [invalid_api_key]');
    expect(stderr).toContain('Check --api-key (env FLYWHEEL_API_KEY).');
  });

  it('reports a server that cannot be reached', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const { code, stderr } = await run(['prompts', 'list', '--url', `http://127.0.0.1:${closedPort}`]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `error [server_unreachable]: Cannot reach the Flywheel server at http://127.0.0.1:${closedPort}`,
    );
    expect(stderr).toContain("Start it with 'flywheel serve'");
  });

  it('refuses bad arguments with exit code 2', async () => {
    expect((await run(['prompts', 'create', 'x'])).stderr).toContain('--file <path> or --template <text>');
    expect((await run(['prompts', 'create', 'x', '--template', 'a', '--type', 'json'])).stderr).toContain(
      '--type must be text or chat',
    );
    expect((await run(['prompts', 'create', 'x', '--template', 'a', '--label', 'latest'])).code).toBe(2);
    expect((await run(['prompts', 'show', 'x', '--version', 'two'])).stderr).toContain(
      "--version must be a version number (1, 2, …), not 'two'",
    );
    expect((await run(['prompts', 'list', '--url', 'ftp://host'])).code).toBe(2);
  });
});
