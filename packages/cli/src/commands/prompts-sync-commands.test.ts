import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFlywheelClient, type FlywheelClient } from '@flywheel/sdk';
import { loadSettings } from '@flywheel/server';
import { type RunningFlywheel, startFlywheel } from '@flywheel/server/main';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import type { CliIo } from '../command.js';

let server: RunningFlywheel;
let adminKey: string;
let client: FlywheelClient;
const workDir = mkdtempSync(join(tmpdir(), 'flywheel-prompts-sync-'));

const chatWithMarker = [
  { role: 'system' as const, content: 'Answer in this shape:\n=== user ===\nis not a message here\n' },
  { role: 'user' as const, content: '{{question}}' },
];

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
  client = createFlywheelClient({ baseUrl: server.url, apiKey: adminKey });
  await client.prompts.create({
    name: 'greeting',
    type: 'text',
    template: 'Hello {{name}}!\n\n',
    labels: ['production'],
  });
  await client.prompts.create({
    name: 'support/triage',
    type: 'chat',
    template: [
      { role: 'system', content: 'Triage for {{product}}.\n---\nBe brief.' },
      { role: 'user', content: '{{ticket}}' },
    ],
    config: { model: 'chat-default', temperature: 0.2 },
  });
  await client.prompts.create({ name: 'support/quoting', type: 'chat', template: chatWithMarker });
});
afterAll(() => server.close());

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { FLYWHEEL_URL: server.url, FLYWHEEL_API_KEY: adminKey },
    cwd: workDir,
    onShutdownSignal: () => () => {},
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** Every prompt's newest version number, to show what a push saved. */
async function newestVersions(): Promise<Record<string, number>> {
  const prompts = await client.prompts.list();
  return Object.fromEntries(prompts.map((prompt) => [prompt.name, prompt.latest_version]));
}

let dirCount = 0;
async function pulled(extra: string[] = []) {
  const dir = `pulled-${++dirCount}`;
  const result = await run(['prompts', 'pull', dir, ...extra]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return { dir, path: (name: string) => join(workDir, dir, `${name}.prompt.md`), stdout: result.stdout };
}

describe('flywheel prompts pull and push', () => {
  it('pulls every prompt into <name>.prompt.md files, folders for slashes', async () => {
    const { dir, path, stdout } = await pulled();
    expect(stdout).toContain(`wrote ${dir}/support/triage.prompt.md (support/triage version 1)\n`);
    expect(stdout).toContain(`Pulled 3 prompts into ${dir}.\n`);
    expect(readFileSync(path('greeting'), 'utf8')).toBe(
      '---\nname: greeting\ntype: text\nversion: 1\nlabels:\n  - latest\n  - production\n---\nHello {{name}}!\n\n\n',
    );
    expect(readFileSync(path('support/triage'), 'utf8')).toBe(
      [
        '---',
        'name: support/triage',
        'type: chat',
        'version: 1',
        'labels:',
        '  - latest',
        'config:',
        '  model: chat-default',
        '  temperature: 0.2',
        '---',
        '=== system ===',
        'Triage for {{product}}.',
        '---',
        'Be brief.',
        '=== user ===',
        '{{ticket}}',
        '',
      ].join('\n'),
    );
    // A marker line inside a message moves the messages into the front matter.
    const quoting = readFileSync(path('support/quoting'), 'utf8');
    expect(quoting).toContain('messages:\n');
    expect(quoting.endsWith('---\n')).toBe(true);
  });

  it('pulls only a folder, at the version a label points to', async () => {
    const { path, stdout } = await pulled(['--folder', 'support', '--label', 'production']);
    expect(stdout).toContain("skipped support/quoting: no 'production' label");
    expect(stdout).toContain('Pulled 0 prompts');
    expect(existsSync(path('greeting'))).toBe(false);
    const labelled = await pulled(['--label', 'production']);
    expect(existsSync(labelled.path('greeting'))).toBe(true);
    expect(existsSync(labelled.path('support/triage'))).toBe(false);
  });

  it('pushes nothing after a pull without edits, chat round trips included', async () => {
    const before = await newestVersions();
    const { dir } = await pulled();
    const pushed = await run(['prompts', 'push', dir]);
    expect(pushed).toMatchObject({ code: 0, stderr: '', stdout: '0 created, 3 unchanged.\n' });
    expect(await newestVersions()).toEqual(before);
  });

  it('pushes one edited file as exactly one version and updates its version', async () => {
    const { dir, path } = await pulled();
    const before = await newestVersions();
    const file = path('support/triage');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Be brief.', 'Be brief and kind.'));

    const dryRun = await run(['prompts', 'push', dir, '--dry-run']);
    expect(dryRun.stdout).toBe(
      `would create support/triage version 2 from ${dir}/support/triage.prompt.md\nDry run: 1 would be created, 2 unchanged. Nothing was pushed.\n`,
    );
    expect(await newestVersions()).toEqual(before);

    const pushed = await run(['prompts', 'push', dir]);
    expect(pushed).toMatchObject({ code: 0, stderr: '' });
    expect(pushed.stdout).toBe(
      `created support/triage version 2 from ${dir}/support/triage.prompt.md\n1 created, 2 unchanged.\n`,
    );
    expect(await newestVersions()).toEqual({ ...before, 'support/triage': 2 });
    const saved = await client.prompts.get('support/triage', { label: 'latest' });
    expect(saved.template).toEqual([
      { role: 'system', content: 'Triage for {{product}}.\n---\nBe brief and kind.' },
      { role: 'user', content: '{{ticket}}' },
    ]);
    expect(saved.config).toEqual({ model: 'chat-default', temperature: 0.2 });
    expect(saved.commit_message).toBe(`flywheel prompts push ${dir}/support/triage.prompt.md`);
    expect(readFileSync(file, 'utf8')).toMatch(/^---\nname: support\/triage\ntype: chat\nversion: 2\n/);

    const again = await run(['prompts', 'push', dir]);
    expect(again.stdout).toBe('0 created, 3 unchanged.\n');
    expect(await newestVersions()).toEqual({ ...before, 'support/triage': 2 });
  });

  it('round-trips a chat message holding a marker line through the front matter', async () => {
    const { dir, path } = await pulled();
    const file = path('support/quoting');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{{question}}', 'Q: {{question}}'));
    expect((await run(['prompts', 'push', dir, '--message', 'prefix the question'])).stdout).toContain(
      '1 created, 2 unchanged.',
    );
    const saved = await client.prompts.get('support/quoting', { label: 'latest' });
    expect(saved).toMatchObject({ version: 2, commit_message: 'prefix the question' });
    expect(saved.template).toEqual([chatWithMarker[0], { role: 'user', content: 'Q: {{question}}' }]);
  });

  it('refuses the whole push when another client saved in between', async () => {
    const { dir, path } = await pulled();
    const greeting = path('greeting');
    const triage = path('support/triage');
    writeFileSync(greeting, readFileSync(greeting, 'utf8').replace('Hello', 'Howdy'));
    writeFileSync(triage, readFileSync(triage, 'utf8').replace('{{ticket}}', 'Ticket: {{ticket}}'));
    const greetingText = readFileSync(greeting, 'utf8');
    await client.prompts.create({
      name: 'support/triage',
      type: 'chat',
      template: [{ role: 'user', content: 'theirs' }],
    });
    const before = await newestVersions();

    const pushed = await run(['prompts', 'push', dir]);
    expect(pushed.code).toBe(1);
    expect(pushed.stdout).toBe('');
    expect(pushed.stderr).toBe(
      `error: support/triage: the server is at version ${before['support/triage']} but this file was pulled at version ${before['support/triage']! - 1}. Run 'flywheel prompts pull ${dir}' (your edits will be overwritten — save them first), re-apply, then push.\n` +
        'Nothing was pushed: 1 file is behind the server.\n',
    );
    expect(await newestVersions()).toEqual(before);
    expect(readFileSync(greeting, 'utf8')).toBe(greetingText);
  });

  it('skips an unedited file pulled by label at an older version', async () => {
    await client.prompts.create({ name: 'greeting', type: 'text', template: 'Newer {{name}}' });
    const before = await newestVersions();
    const { dir } = await pulled(['--label', 'production']);
    expect((await run(['prompts', 'push', dir])).stdout).toBe('0 created, 1 unchanged.\n');
    expect(await newestVersions()).toEqual(before);
  });

  it('creates a new prompt from a hand-written file and names invalid files and lines', async () => {
    const dir = 'hand-written';
    mkdirSync(join(workDir, dir, 'faq'), { recursive: true });
    writeFileSync(
      join(workDir, dir, 'faq', 'answer.prompt.md'),
      '---\nname: faq/answer\n---\nAnswer: {{question}}\n',
    );
    writeFileSync(join(workDir, dir, 'typo.prompt.md'), '---\nname: typo\ntemprature: 0.3\n---\nx\n');
    writeFileSync(join(workDir, dir, 'nameless.prompt.md'), 'just a template\n');
    writeFileSync(join(workDir, dir, 'notes.md'), 'not a prompt file\n');
    const before = await newestVersions();

    const refused = await run(['prompts', 'push', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `error: ${dir}/typo.prompt.md:3: unknown front matter key "temprature" (allowed: name, type, version, labels, config, messages)\n`,
    );
    expect(refused.stderr).toContain(`error: ${dir}/nameless.prompt.md:1: no 'name' in the front matter`);
    expect(refused.stderr).toContain('Nothing was pushed: 2 files to fix.\n');
    expect(await newestVersions()).toEqual(before);

    writeFileSync(
      join(workDir, dir, 'typo.prompt.md'),
      '---\nname: typo\nconfig:\n  temperature: 0.3\n---\nx\n',
    );
    writeFileSync(join(workDir, dir, 'nameless.prompt.md'), '---\nname: nameless\n---\njust a template\n');
    const pushed = await run(['prompts', 'push', dir, '--json']);
    expect(pushed.code).toBe(0);
    expect(JSON.parse(pushed.stdout)).toEqual({
      dry_run: false,
      created: [
        { name: 'faq/answer', version: 1, file: `${dir}/faq/answer.prompt.md` },
        { name: 'nameless', version: 1, file: `${dir}/nameless.prompt.md` },
        { name: 'typo', version: 1, file: `${dir}/typo.prompt.md` },
      ],
      unchanged: 0,
    });
    expect(await client.prompts.get('typo', { label: 'latest' })).toMatchObject({
      template: 'x',
      config: { temperature: 0.3 },
    });
    expect((await run(['prompts', 'push', dir])).stdout).toBe('0 created, 3 unchanged.\n');
  });

  it('refuses a new file for a prompt the server already has', async () => {
    const dir = 'duplicate';
    mkdirSync(join(workDir, dir));
    writeFileSync(join(workDir, dir, 'greeting.prompt.md'), '---\nname: greeting\n---\nMine\n');
    const { code, stderr } = await run(['prompts', 'push', dir]);
    expect(code).toBe(1);
    expect(stderr).toContain('error: greeting: the server already has this prompt (version');
  });
});
