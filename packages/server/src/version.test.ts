import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { flywheelVersion } from './version.js';

it('reports the version of the root package.json', () => {
  const root = JSON.parse(
    readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../package.json'), 'utf8'),
  );
  expect(flywheelVersion).toBe(root.version);
});
