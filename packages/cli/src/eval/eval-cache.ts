import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stableStringify } from '@flywheel/core';

/** What a cached model call gives back. */
export interface CachedCall {
  output: string;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  traceId: string | null;
}

/** A content-addressed cache of model calls that outlives the process (`--no-cache` bypasses it). */
export interface EvalCache {
  /** The key of a call: a hash of where it goes and exactly what it sends. */
  key(target: string, body: unknown): string;
  get(key: string): Promise<CachedCall | undefined>;
  set(key: string, value: CachedCall): Promise<void>;
}

/**
 * A cache in `<dir>/<aa>/<hash>.json`: one small file per call, written atomically (temp file then
 * rename), so concurrent runs and a Ctrl-C never leave a torn entry. Identical calls in later runs
 * (same model alias, same rendered request) are answered from it and cost nothing.
 *
 * @example
 * const cache = createEvalCache(join(dataDir, 'eval-cache'));
 */
export function createEvalCache(dir: string): EvalCache {
  return {
    key(target, body) {
      return createHash('sha256').update(target).update('\u0000').update(stableStringify(body)).digest('hex');
    },
    async get(key) {
      try {
        return JSON.parse(await readFile(pathOf(dir, key), 'utf8')) as CachedCall;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      const path = pathOf(dir, key);
      await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
      const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(temporary, JSON.stringify(value));
      await rename(temporary, path);
    },
  };
}

function pathOf(dir: string, key: string): string {
  return join(dir, key.slice(0, 2), `${key}.json`);
}
