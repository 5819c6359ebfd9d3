import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allErrorCodes, errorCodes } from './error-codes.js';
import { FlywheelError } from './flywheel-error.js';

const errorsDoc = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '../../../../docs/errors.md'),
  'utf8',
);

describe('error codes', () => {
  it('are all documented in docs/errors.md with their status', () => {
    for (const code of allErrorCodes) {
      const row = new RegExp(`^\\| \`${code}\`\\s*\\| ${errorCodes[code].status}\\s*\\|`, 'm');
      expect(errorsDoc).toMatch(row);
    }
  });

  it('are the only codes docs/errors.md lists', () => {
    const documented = [...errorsDoc.matchAll(/^\| `([a-z_]+)`\s*\|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...allErrorCodes].sort());
  });

  it('give a FlywheelError its status and retryability', () => {
    const error = new FlywheelError('storage_busy', 'locked', { retryAfterSeconds: 1 });
    expect(error).toMatchObject({
      code: 'storage_busy',
      status: 503,
      isRetryable: true,
      retryAfterSeconds: 1,
    });
    expect(FlywheelError.is(error)).toBe(true);
    expect(FlywheelError.is(new Error('x'))).toBe(false);
  });
});
