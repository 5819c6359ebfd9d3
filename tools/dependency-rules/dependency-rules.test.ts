import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkDependencyRules } from './dependency-rules.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('package dependency rules', () => {
  it('hold for the whole repository', () => {
    const violations = checkDependencyRules(repositoryRoot).map(
      (violation) => `${violation.file}: ${violation.message}`,
    );
    expect(violations).toEqual([]);
  });
});

/** A tiny workspace with spec, core, storage, server and sdk, clean until a test breaks it. */
function makeFixture(): { root: string; write(path: string, text: string): void } {
  const root = mkdtempSync(join(tmpdir(), 'flywheel-deps-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const names = ['spec', 'core', 'storage', 'server', 'sdk'];
  write(
    'package.json',
    JSON.stringify({ workspaces: names.map((name) => `packages/${name}`), devDependencies: { vitest: '*' } }),
  );
  const deps: Record<string, Record<string, string>> = {
    spec: { zod: '*' },
    core: { '@flywheel/spec': '*' },
    storage: { '@flywheel/core': '*', '@flywheel/spec': '*', kysely: '*' },
    server: { '@flywheel/core': '*', '@flywheel/storage': '*' },
    sdk: { '@flywheel/spec': '*' },
  };
  for (const name of names) {
    write(
      `packages/${name}/package.json`,
      JSON.stringify({
        name: `@flywheel/${name}`,
        exports: { '.': './dist/index.js' },
        dependencies: deps[name],
      }),
    );
  }
  write('packages/spec/src/index.ts', "import { z } from 'zod';\nexport const s = z.string();\n");
  write('packages/core/src/index.ts', "export { a } from './a.js';\nimport '@flywheel/spec';\n");
  write('packages/core/src/a.ts', "import type { S } from './b.js';\nexport const a = 1;\n");
  write('packages/core/src/b.ts', 'export type S = string;\n');
  write(
    'packages/storage/src/index.ts',
    "import { Kysely } from 'kysely';\nimport { a } from '@flywheel/core';\nimport 'node:fs';\n",
  );
  write('packages/server/src/main.ts', "import '@flywheel/storage';\nimport './routes.js';\n");
  write('packages/server/src/routes.ts', "import '@flywheel/core';\nimport 'node:http';\n");
  write('packages/server/src/routes.test.ts', "import '@flywheel/storage';\nimport { it } from 'vitest';\n");
  write('packages/sdk/src/index.ts', "import '@flywheel/spec';\n");
  return { root, write };
}

describe('the dependency-rule check', () => {
  let fixture: ReturnType<typeof makeFixture>;
  beforeEach(() => {
    fixture = makeFixture();
  });

  const rulesOf = () => checkDependencyRules(fixture.root).map((violation) => violation.rule);

  it('passes a clean workspace', () => {
    expect(checkDependencyRules(fixture.root)).toEqual([]);
  });

  it('fails when core imports storage', () => {
    fixture.write('packages/core/src/c.ts', "import '@flywheel/storage';\n");
    const [violation] = checkDependencyRules(fixture.root);
    expect(violation).toMatchObject({ rule: 'forbidden-package', file: 'packages/core/src/c.ts' });
    expect(violation?.message).toContain('@flywheel/core may not import @flywheel/storage');
  });

  it('fails when spec, core or sdk use a Node built-in', () => {
    fixture.write('packages/spec/src/x.ts', "import { readFileSync } from 'node:fs';\n");
    fixture.write('packages/sdk/src/y.ts', "import { createHash } from 'crypto';\n");
    expect(rulesOf()).toEqual(['node-builtin', 'node-builtin']);
  });

  it('allows Node built-ins in tests of browser-safe packages', () => {
    fixture.write(
      'packages/core/src/a.test.ts',
      "import { readFileSync } from 'node:fs';\nimport { it } from 'vitest';\n",
    );
    expect(rulesOf()).toEqual([]);
  });

  it('lets a test drive another workspace package through its entry points, not its internals', () => {
    fixture.write('packages/core/src/e2e.test.ts', "import { openStorage } from '@flywheel/storage';\n");
    expect(rulesOf()).toEqual([]);
    fixture.write('packages/core/src/deep.test.ts', "import { a } from '@flywheel/storage/src/a.js';\n");
    expect(rulesOf()).toEqual(['deep-import']);
  });

  it('fails when server code other than main.ts imports storage', () => {
    fixture.write('packages/server/src/routes.ts', "import { openStorage } from '@flywheel/storage';\n");
    expect(rulesOf()).toEqual(['main-only']);
  });

  it('fails on a deep import into another package', () => {
    fixture.write('packages/storage/src/deep.ts', "import { a } from '@flywheel/core/src/a.js';\n");
    expect(rulesOf()).toEqual(['deep-import']);
  });

  it('fails on a relative import that leaves the package', () => {
    fixture.write('packages/storage/src/escape.ts', "import { a } from '../../core/src/a.js';\n");
    expect(rulesOf()).toEqual(['relative-escape']);
  });

  it('fails on an import cycle between files of a package', () => {
    fixture.write('packages/core/src/b.ts', "import { a } from './a.js';\nexport type S = string;\n");
    const violations = checkDependencyRules(fixture.root);
    expect(violations.map((violation) => violation.rule)).toEqual(['cycle']);
    expect(violations[0]?.message).toMatch(/a\.ts -> .*b\.ts -> .*a\.ts/);
  });

  it('fails on a package used without being declared', () => {
    fixture.write('packages/core/src/undeclared.ts', "import { z } from 'zod';\n");
    expect(rulesOf()).toEqual(['undeclared-dependency']);
  });

  it('lets the web app use the SDK and spec only, and no Node built-ins outside its tests', () => {
    fixture.write(
      'package.json',
      JSON.stringify({
        workspaces: ['packages/spec', 'packages/core', 'packages/sdk', 'apps/web'],
        devDependencies: { vitest: '*' },
      }),
    );
    fixture.write(
      'apps/web/package.json',
      JSON.stringify({
        name: '@flywheel/web',
        dependencies: { '@flywheel/sdk': '*', '@flywheel/spec': '*', react: '*' },
      }),
    );
    fixture.write(
      'apps/web/src/main.tsx',
      "import { createRoot } from 'react';\nimport { createFlywheelClient } from '@flywheel/sdk';\nimport type { MetricsBody } from '@flywheel/spec';\n",
    );
    fixture.write('apps/web/src/page.test.tsx', "import { readFileSync } from 'node:fs';\n");
    expect(rulesOf()).toEqual([]);
    fixture.write('apps/web/src/metrics.ts', "import { groupMetrics } from '@flywheel/core';\n");
    fixture.write('apps/web/src/files.ts', "import { readFileSync } from 'node:fs';\n");
    expect(rulesOf().sort()).toEqual(['forbidden-package', 'node-builtin']);
  });

  it('fails on a workspace package that has no rule', () => {
    fixture.write('package.json', JSON.stringify({ workspaces: ['packages/spec', 'packages/extra'] }));
    fixture.write('packages/extra/package.json', JSON.stringify({ name: '@flywheel/extra' }));
    expect(rulesOf()).toContain('unknown-package');
  });
});
