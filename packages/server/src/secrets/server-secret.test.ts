import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHmacKeyHasher } from './hmac-key-hasher.js';
import { resolveServerSecret } from './server-secret.js';

describe('server secret', () => {
  it('generates a secret into the data dir with mode 0600 and reuses it', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'flywheel-secret-')), 'data');
    const first = resolveServerSecret({ secret: undefined, dataDir });
    expect(first.source).toBe('generated');
    expect(first.value.length).toBeGreaterThanOrEqual(43);
    expect(statSync(join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
    const second = resolveServerSecret({ secret: undefined, dataDir });
    expect(second).toMatchObject({ source: 'file', value: first.value });
  });

  it('prefers FLYWHEEL_SECRET and writes nothing', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-secret-'));
    expect(resolveServerSecret({ secret: 'x'.repeat(40), dataDir })).toEqual({
      value: 'x'.repeat(40),
      source: 'setting',
    });
    expect(() => statSync(join(dataDir, 'secret'))).toThrow();
  });

  it('refuses a truncated secret file instead of silently replacing it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-secret-'));
    writeFileSync(join(dataDir, 'secret'), 'short\n');
    expect(() => resolveServerSecret({ secret: undefined, dataDir })).toThrow(/fewer than 32 characters/);
  });

  it('hashes keys with HMAC-SHA-256 under the secret', () => {
    const a = createHmacKeyHasher('a'.repeat(32));
    const b = createHmacKeyHasher('b'.repeat(32));
    expect(a.hash('fw_sk_x')).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash('fw_sk_x')).toBe(a.hash('fw_sk_x'));
    expect(a.hash('fw_sk_x')).not.toBe(b.hash('fw_sk_x'));
  });
});
