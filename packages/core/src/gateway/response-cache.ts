/** A cached answer: the JSON bytes, or every event of a complete stream. */
export type CachedResponse = { kind: 'json'; raw: Uint8Array } | { kind: 'stream'; events: Uint8Array[] };

/** Where exact-match answers are kept. */
export interface ResponseCache {
  get(key: string): CachedResponse | undefined;
  set(key: string, value: CachedResponse, ttlMs: number): void;
  stats(): { entries: number; bytes: number; hits: number; misses: number };
}

/** Options of {@link createMemoryResponseCache}. */
export interface MemoryResponseCacheOptions {
  /** Bytes held at most; least recently used entries go first (default 64 MiB). */
  maxBytes?: number;
  now?: () => number;
}

/**
 * An in-process LRU cache bounded by bytes, with a TTL per entry. Keys must already include
 * everything that makes two requests different (project, alias, the canonical body).
 */
export function createMemoryResponseCache(options: MemoryResponseCacheOptions = {}): ResponseCache {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const now = options.now ?? (() => Date.now());
  const entries = new Map<string, { value: CachedResponse; bytes: number; expiresAt: number }>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.bytes;
  };
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry || entry.expiresAt <= now()) {
        if (entry) remove(key);
        misses++;
        return undefined;
      }
      // Re-insert to mark it most recently used.
      entries.delete(key);
      entries.set(key, entry);
      hits++;
      return entry.value;
    },
    set(key, value, ttlMs) {
      const size =
        value.kind === 'json'
          ? value.raw.byteLength
          : value.events.reduce((sum, event) => sum + event.byteLength, 0);
      if (size > maxBytes) return;
      remove(key);
      entries.set(key, { value, bytes: size, expiresAt: now() + ttlMs });
      bytes += size;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        remove(oldest);
      }
    },
    stats: () => ({ entries: entries.size, bytes, hits, misses }),
  };
}

/** JSON with object keys sorted, so two bodies that differ only in key order share a cache key. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`)
    .join(',')}}`;
}
