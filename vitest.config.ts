import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources (the `flywheel-source`
// export condition), so a test run never depends on a stale `dist/`.
// Vite's `module` condition is left out: vitest hands these conditions to Node, and `module`
// sends Node to ESM builds that only bundlers can load (OpenTelemetry's exporters).
const conditions = [
  'flywheel-source',
  ...defaultServerConditions.filter((condition) => condition !== 'module'),
];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    // The web UI's component tests choose jsdom per file (`// @vitest-environment jsdom`); the rest
    // of the repository, and the UI's end-to-end suite, run in Node.
    include: [
      'packages/*/src/**/*.test.ts',
      'tools/**/*.test.ts',
      'apps/web/src/**/*.test.{ts,tsx}',
      'apps/web/e2e/**/*.test.ts',
    ],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
