import type {
  BatchingSink,
  GatewayEngine,
  PriceTable,
  PromptService,
  ResponseCache,
  TraceWriteBatch,
} from '@flywheel/core';

/** What the `/v1/*` routes need; built by `main.ts` (or a test). */
export interface GatewayDeps {
  engine: GatewayEngine;
  /** Resolves `prompt` references in chat requests. */
  prompts: PromptService;
  cache: ResponseCache;
  /** TTL for requests that opt in with `x-flywheel-cache: use` on an alias without its own. */
  cacheDefaultTtlSeconds: number;
  /** Where finished calls go; never awaited on the request path. */
  sink: BatchingSink<TraceWriteBatch>;
  /**
   * Traces being made that are not in the sink yet (counting tokens with a tokenizer is
   * asynchronous); `close()` waits for them, so a call answered just before shutdown is traced.
   */
  recordings: Set<Promise<void>>;
  prices: PriceTable;
  /** Request and response payloads are kept in traces up to this many bytes each. */
  traceMaxPayloadBytes: number;
  /** Hex digest for cache keys (sha-256 in production). */
  hashKey(text: string): string;
}
