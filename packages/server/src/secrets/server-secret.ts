import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlywheelError } from '@flywheel/spec';

/** Where the secret came from. */
export interface ServerSecret {
  value: string;
  source: 'setting' | 'generated' | 'file';
  /** The file holding it, when it lives in the data dir. */
  path?: string;
}

/**
 * The secret that API key hashes are keyed with: `FLYWHEEL_SECRET` when set, otherwise the
 * `secret` file in the data dir, generated (256 random bits, mode 0600) on first start.
 * Losing it invalidates every API key, so it is never regenerated over an existing file.
 */
export function resolveServerSecret(options: { secret: string | undefined; dataDir: string }): ServerSecret {
  if (options.secret !== undefined) return { value: options.secret, source: 'setting' };
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const path = join(options.dataDir, 'secret');
  const fresh = randomBytes(32).toString('base64url');
  try {
    // 'wx' fails when the file exists, so two first starts cannot write two different secrets.
    writeFileSync(path, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
    return { value: fresh, source: 'generated', path };
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  const value = readFileSync(path, 'utf8').trim();
  if (value.length < 32) {
    throw new FlywheelError(
      'invalid_setting',
      `The server secret file ${path} holds fewer than 32 characters. Restore it from a backup, or set FLYWHEEL_SECRET.`,
    );
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return { value, source: 'file', path };
}
