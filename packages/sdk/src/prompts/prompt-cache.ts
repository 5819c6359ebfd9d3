import { FlywheelError, type PromptVersionBody } from '@flywheel/spec';
import { type GetPromptOptions, type Prompt, promptFromBody, promptFromFallback } from './prompt.js';

/** Where a prompt is looked up: the version a label points at, or a version number. */
export type PromptRef = { label: string } | { version: number };

/** What one fetch of a prompt gave: a new body, or 304 (the cached one is still current). */
export type PromptFetchResult =
  | { notModified: true }
  | { notModified: false; body: PromptVersionBody; etag: string | undefined };

/** Options of {@link createPromptCache}. */
export interface PromptCacheOptions {
  /**
   * Fetches a prompt; with `etag`, conditionally (`If-None-Match`). Throws a `FlywheelError`
   * when the server cannot be reached or refuses.
   */
  fetchPrompt(name: string, ref: PromptRef, etag: string | undefined): Promise<PromptFetchResult>;
  /** The clock, in ms. */
  now(): number;
}

/** One prompt `getPrompt` holds. */
export interface PromptCacheInfo {
  name: string;
  /** The label asked for, or null when a version number was. */
  label: string | null;
  /** The version held. */
  version: number;
  /** Milliseconds since the server last confirmed it. */
  ageMs: number;
}

/** The prompts one client holds for `getPrompt`. */
export interface PromptCache {
  /** A prompt, fresh from the cache, stale while revalidating, fetched, or the fallback. */
  get(name: string, options?: GetPromptOptions): Promise<Prompt>;
  /** What is held now. */
  list(): PromptCacheInfo[];
  /** Forgets everything held; requests already under way no longer fill the cache. */
  clear(): void;
}

interface CacheEntry {
  name: string;
  ref: PromptRef;
  prompt: Prompt;
  etag: string | undefined;
  /** When the server last sent or confirmed (304) this prompt. */
  fetchedAt: number;
}

const defaultLabel = 'production';
const defaultTtlSeconds = 60;

/**
 * A stale-while-revalidate cache of prompts, keyed by name and label or version. A fresh entry
 * is served without a request. A stale one is served at once while one background request
 * (shared by every caller of that key) revalidates it with its ETag; a failed revalidation keeps
 * the entry, and the next stale read tries again. Without an entry the prompt is fetched now,
 * and when that fails because the server is unavailable or has no such prompt, the caller's
 * fallback (never cached) is served instead.
 *
 * @example
 * const cache = createPromptCache({ fetchPrompt, now: Date.now });
 * const prompt = await cache.get('support/triage', { fallback: 'Triage this ticket: {{ticket}}' });
 */
export function createPromptCache(options: PromptCacheOptions): PromptCache {
  const entries = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<CacheEntry>>();
  // Bumped by clear(), so a request that started before it cannot refill the cache.
  let generation = 0;

  function refresh(key: string, name: string, ref: PromptRef, cached: CacheEntry | undefined) {
    const running = inflight.get(key);
    if (running) return running;
    const startedIn = generation;
    const request = (async (): Promise<CacheEntry> => {
      const result = await options.fetchPrompt(name, ref, cached?.etag);
      let entry: CacheEntry;
      if (result.notModified) {
        if (cached === undefined) {
          throw new FlywheelError(
            'internal_error',
            `The server answered 304 to an unconditional fetch of '${name}'.`,
          );
        }
        entry = { ...cached, fetchedAt: options.now() };
      } else {
        entry = {
          name,
          ref,
          prompt: promptFromBody(result.body),
          etag: result.etag,
          fetchedAt: options.now(),
        };
      }
      if (startedIn === generation) entries.set(key, entry);
      return entry;
    })();
    inflight.set(key, request);
    // Also the rejection handler of a background revalidation nobody awaits.
    const settle = () => {
      if (inflight.get(key) === request) inflight.delete(key);
    };
    request.then(settle, settle);
    return request;
  }

  return {
    async get(name, getOptions = {}) {
      const { label, version, cacheTtlSeconds = defaultTtlSeconds } = getOptions;
      if (label !== undefined && version !== undefined) {
        throw new FlywheelError('validation_failed', `Give label or version for prompt '${name}', not both.`);
      }
      if (!(cacheTtlSeconds >= 0)) {
        throw new FlywheelError(
          'validation_failed',
          `cacheTtlSeconds must be 0 or more, got ${String(cacheTtlSeconds)}.`,
        );
      }
      const ref: PromptRef = version !== undefined ? { version } : { label: label ?? defaultLabel };
      const key = 'version' in ref ? `${name}\nversion=${ref.version}` : `${name}\nlabel=${ref.label}`;
      const cached = entries.get(key);
      if (cached) {
        if (options.now() - cached.fetchedAt < cacheTtlSeconds * 1000) return cached.prompt;
        const revalidation = refresh(key, name, ref, cached);
        if (cacheTtlSeconds > 0) return cached.prompt;
        try {
          return (await revalidation).prompt;
        } catch {
          return cached.prompt;
        }
      }
      // Checked before fetching, so a broken fallback shows up while the server is still up.
      const fallback =
        getOptions.fallback === undefined ? undefined : promptFromFallback(name, getOptions.fallback);
      try {
        return (await refresh(key, name, ref, undefined)).prompt;
      } catch (error) {
        if (fallback && mayFallBack(error)) return fallback;
        throw error;
      }
    },

    list() {
      const now = options.now();
      return [...entries.values()].map((entry) => ({
        name: entry.name,
        label: 'label' in entry.ref ? entry.ref.label : null,
        version: entry.prompt.version ?? 0,
        ageMs: now - entry.fetchedAt,
      }));
    },

    clear() {
      entries.clear();
      inflight.clear();
      generation += 1;
    },
  };
}

/**
 * Whether a failed fetch may be answered with the fallback: the server is unavailable
 * (unreachable, timed out, 5xx, 429) or has no such prompt. A refused key or a malformed name
 * is a mistake to surface, not an outage to ride out.
 */
function mayFallBack(error: unknown): boolean {
  if (!FlywheelError.is(error)) return false;
  return (
    error.code === 'server_unreachable' ||
    error.code === 'prompt_not_found' ||
    error.status >= 500 ||
    error.status === 429
  );
}
