import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '@flywheel/server';
import { startFlywheel } from '@flywheel/server/main';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands, runCli } from './cli.js';
import type { CliIo } from './command.js';

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { FLYWHEEL_LOG_LEVEL: 'silent', ...env },
    cwd: tmpdir(),
    onShutdownSignal: () => () => {},
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('flywheel cli', () => {
  it('lists every command in its overview', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of commands) expect(stdout).toContain(command.path.join(' '));
  });

  it.each(commands.map((command) => [command.path.join(' ')]))(
    'teaches %s by example in --help',
    async (name) => {
      const { code, stdout } = await run([...name.split(' '), '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: flywheel ${name}`);
      expect(stdout).toMatch(/Examples:\n {2}\$ flywheel /);
      const viaHelp = await run(['help', ...name.split(' ')]);
      expect(viaHelp.stdout).toBe(stdout);
    },
  );

  it('prints its version', async () => {
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('answers an unknown command with exit code 2 and a suggestion', async () => {
    const { code, stderr } = await run(['serv']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'serv'. Did you mean 'serve'?");
  });

  it('answers a command group without a subcommand with the choices', async () => {
    const { code, stderr } = await run(['keys']);
    expect(code).toBe(2);
    expect(stderr).toContain("'flywheel keys' needs one of: create, list, revoke");
  });

  it('answers an unknown flag with exit code 2 and where to look', async () => {
    const { code, stderr } = await run(['migrate', '--colour']);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--colour'");
    expect(stderr).toContain("Run 'flywheel migrate --help'");
  });

  it('answers a bad setting with exit code 2, naming it', async () => {
    const { code, stderr } = await run(['migrate'], { FLYWHEEL_DATABASE_URL: 'mysql://nope' });
    expect(code).toBe(2);
    expect(stderr).toContain('FLYWHEEL_DATABASE_URL is (hidden), but it must be a PostgreSQL URL');
  });

  it('explains that keys need a first start', async () => {
    const { code, stderr } = await run([
      'keys',
      'list',
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'flywheel-cli-')),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('run `flywheel serve` once');
  });

  describe('on a local instance', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-cli-'));
    const flags = ['--data-dir', dataDir];

    beforeAll(async () => {
      const settings = loadSettings({
        flags: { 'data-dir': dataDir, port: '0', 'log-level': 'silent' },
        env: {},
      });
      const running = await startFlywheel(settings, { print: () => {} });
      await running.close();
    });

    it('migrates, then reports the database up to date', async () => {
      const { code, stdout } = await run(['migrate', ...flags]);
      expect(code).toBe(0);
      expect(stdout).toContain('Already up to date');
    });

    it('creates, lists and revokes keys', async () => {
      const created = await run([
        'keys',
        'create',
        '--name',
        'ci',
        '--scopes',
        'gateway,ingest',
        '--json',
        ...flags,
      ]);
      expect(created.code).toBe(0);
      const key = JSON.parse(created.stdout);
      expect(key).toMatchObject({ name: 'ci', scopes: ['gateway', 'ingest'] });
      expect(key.key).toMatch(/^fw_sk_/);

      const listed = await run(['keys', 'list', ...flags]);
      expect(listed.stdout).toMatch(
        new RegExp(`${key.id}\\s+ci\\s+fw_sk_\\S{4}…\\S{4}\\s+gateway,ingest\\s+active`),
      );
      expect(listed.stdout).not.toContain(key.key);

      const revoked = await run(['keys', 'revoke', key.id, ...flags]);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`Revoked ${key.id}`);
      expect((await run(['keys', 'list', ...flags])).stdout).toMatch(new RegExp(`${key.id}.*revoked`));
    });

    it('refuses keys create without --name, unknown scopes, or a missing key id', async () => {
      expect((await run(['keys', 'create', ...flags])).stderr).toContain('--name is required');
      const scopes = await run(['keys', 'create', '--name', 'x', '--scopes', 'gateway,root', ...flags]);
      expect(scopes.code).toBe(2);
      expect(scopes.stderr).toContain('comma-separated list of gateway, ingest, read, write, admin');
      const missing = await run(['keys', 'revoke', ...flags]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('Missing <key-id>');
    });

    it('answers api_key_not_found for an unknown key id', async () => {
      const { code, stderr } = await run(['keys', 'revoke', 'key_nope', ...flags]);
      expect(code).toBe(1);
      expect(stderr).toContain('error [api_key_not_found]');
    });
  });
});
