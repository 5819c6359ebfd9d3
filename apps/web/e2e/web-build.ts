import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/web */
export const webRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What `npm run build` writes and the server serves. */
export const webDist = join(webRoot, 'dist');
const repositoryRoot = join(webRoot, '..', '..');

/** Everything the bundle is made from: the UI, and the SDK and spec it bundles from their sources. */
const sourceFolders = [
  join(webRoot, 'src'),
  join(webRoot, 'public'),
  join(repositoryRoot, 'packages', 'sdk', 'src'),
  join(repositoryRoot, 'packages', 'spec', 'src'),
];
const sourceFiles = [join(webRoot, 'index.html'), join(webRoot, 'vite.config.ts')];

/**
 * Makes sure `apps/web/dist` is the UI of the sources checked out. `npm test` builds first (so
 * this builds nothing there); run alone (`npx vitest run apps/web/e2e`), a missing or stale build
 * (older than any source file) is rebuilt with `vite build`, so the suite never tests an old UI.
 */
export async function ensureWebBuild(): Promise<{ built: boolean }> {
  if (isFresh()) return { built: false };
  // Several end-to-end files may start at once: one builds, the others wait for it.
  const lock = join(repositoryRoot, 'node_modules', '.cache', 'flywheel-web-build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  for (const deadline = Date.now() + 240_000; ; ) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run (older than the longest build) is taken over.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 240_000)
        rmSync(lock, { recursive: true });
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock}: remove it if no build runs`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (isFresh()) return { built: false };
    build();
    return { built: true };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isFresh(): boolean {
  const index = join(webDist, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestSourceTime();
}

function build(): void {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: webRoot,
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.status !== 0) {
    throw new Error(`vite build of apps/web failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

function newestSourceTime(): number {
  let newest = 0;
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (!/\.test\.tsx?$/.test(path)) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const path of [...sourceFolders, ...sourceFiles]) if (existsSync(path)) visit(path);
  return newest;
}
