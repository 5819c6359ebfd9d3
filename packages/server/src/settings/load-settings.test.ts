import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { loadSettings } from './load-settings.js';

function folderWithConfig(yaml?: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'flywheel-settings-'));
  if (yaml !== undefined) writeFileSync(join(folder, 'flywheel.config.yaml'), yaml);
  return folder;
}

function settingsError(run: () => unknown): FlywheelError {
  try {
    run();
  } catch (error) {
    if (FlywheelError.is(error)) return error;
    throw error;
  }
  throw new Error('expected loadSettings to throw');
}

describe('settings', () => {
  it('defaults to 127.0.0.1:4000 and ./.flywheel on SQLite', () => {
    const cwd = folderWithConfig();
    const settings = loadSettings({ env: {}, cwd });
    expect(settings).toMatchObject({
      host: '127.0.0.1',
      port: 4000,
      dataDir: join(cwd, '.flywheel'),
      databaseUrl: undefined,
      logLevel: 'info',
      bodyLimitBytes: 1_048_576,
      configPath: undefined,
    });
  });

  it('takes a flag over the environment over the config file over the default', () => {
    const cwd = folderWithConfig('server:\n  port: 7000\n  host: 0.0.0.0\nlog_level: warn\n');
    expect(loadSettings({ env: {}, cwd })).toMatchObject({ port: 7000, host: '0.0.0.0', logLevel: 'warn' });
    expect(loadSettings({ env: { FLYWHEEL_PORT: '7100' }, cwd }).port).toBe(7100);
    expect(loadSettings({ flags: { port: '7200' }, env: { FLYWHEEL_PORT: '7100' }, cwd }).port).toBe(7200);
  });

  it('resolves a data dir from the config file against the file, others against the working folder', () => {
    const cwd = folderWithConfig('data_dir: ./from-file\n');
    expect(loadSettings({ env: {}, cwd }).dataDir).toBe(join(cwd, 'from-file'));
    expect(loadSettings({ env: { FLYWHEEL_DATA_DIR: 'from-env' }, cwd: join(cwd) }).dataDir).toBe(
      join(cwd, 'from-env'),
    );
  });

  it('names the setting, its source, the value and what is allowed', () => {
    const error = settingsError(() =>
      loadSettings({ env: { FLYWHEEL_PORT: 'eighty' }, cwd: folderWithConfig() }),
    );
    expect(error.code).toBe('invalid_setting');
    expect(error.message).toContain(
      'FLYWHEEL_PORT is "eighty", but it must be a whole number from 0 to 65535',
    );
  });

  it('reports every bad setting at once', () => {
    const error = settingsError(() =>
      loadSettings({
        flags: { 'log-level': 'loud' },
        env: { FLYWHEEL_PORT: '70000' },
        cwd: folderWithConfig(),
      }),
    );
    expect(error.message).toContain('--log-level is "loud"');
    expect(error.message).toContain('FLYWHEEL_PORT is "70000"');
    expect(error.details).toHaveLength(2);
  });

  it.each(['mysql://localhost/db', 'postgres//nohost', 'not a url', 'postgres://'])(
    'refuses the malformed database URL %s without printing it',
    (url) => {
      const error = settingsError(() =>
        loadSettings({ env: { FLYWHEEL_DATABASE_URL: url }, cwd: folderWithConfig() }),
      );
      expect(error.message).toContain('FLYWHEEL_DATABASE_URL is (hidden), but it must be a PostgreSQL URL');
    },
  );

  it('accepts a PostgreSQL URL', () => {
    const url = 'postgresql://flywheel:pw@db.internal:5432/flywheel';
    expect(loadSettings({ env: { FLYWHEEL_DATABASE_URL: url }, cwd: folderWithConfig() }).databaseUrl).toBe(
      url,
    );
  });

  it('refuses a bootstrap key that is not a strong fw_sk_ key', () => {
    const error = settingsError(() =>
      loadSettings({ env: { FLYWHEEL_BOOTSTRAP_KEY: 'fw_sk_123' }, cwd: folderWithConfig() }),
    );
    expect(error.message).toContain(
      "FLYWHEEL_BOOTSTRAP_KEY is (hidden), but it must be 'fw_sk_' followed by",
    );
  });

  it('refuses an unknown key in the config file and lists the allowed ones', () => {
    const cwd = folderWithConfig('server:\n  prot: 4000\n');
    const error = settingsError(() => loadSettings({ env: {}, cwd }));
    expect(error.message).toContain("sets 'server.prot', which is not a setting");
    expect(error.message).toContain('server.port');
  });

  it('interpolates $-brace variables from the environment and names a missing one', () => {
    const cwd = folderWithConfig(`database_url: "postgres://u:${'$'}{DB_PASSWORD}@h/db"\n`);
    expect(loadSettings({ env: { DB_PASSWORD: 'pw' }, cwd }).databaseUrl).toBe('postgres://u:pw@h/db');
    const error = settingsError(() => loadSettings({ env: {}, cwd }));
    expect(error.message).toContain('environment variable DB_PASSWORD is not set');
  });

  it('reads the config file named by FLYWHEEL_CONFIG and refuses one that does not exist', () => {
    const folder = folderWithConfig();
    writeFileSync(join(folder, 'custom.yaml'), 'server:\n  port: 5555\n');
    expect(loadSettings({ env: { FLYWHEEL_CONFIG: 'custom.yaml' }, cwd: folder }).port).toBe(5555);
    const error = settingsError(() =>
      loadSettings({ env: { FLYWHEEL_CONFIG: 'missing.yaml' }, cwd: folder }),
    );
    expect(error.message).toContain(
      'FLYWHEEL_CONFIG names the config file "missing.yaml", which does not exist',
    );
  });

  it('refuses a config file that is not valid YAML', () => {
    const error = settingsError(() =>
      loadSettings({ env: {}, cwd: folderWithConfig('server: [unclosed\n') }),
    );
    expect(error.message).toContain('is not valid YAML');
  });
});
