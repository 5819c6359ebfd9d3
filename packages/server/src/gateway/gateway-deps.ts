import type {
  GatewayEngine,
  GatewayTraceSink,
  PriceTable,
  PromptService,
  ResponseCache,
} from '@flywheel/core';

/** What the `/v1/*` routes need; built by `main.ts` (or a test). */
export interface GatewayDeps {
  engine: GatewayEngine;
  /** Resolves `prompt` references in chat requests. */
  prompts: PromptService;
  cache: ResponseCache;
  /** TTL for requests that opt in with `x-flywheel-cache: use` on an alias without its own. */
  cacheDefaultTtlSeconds: number;
  /** Where finished calls go, to become traces; never awaited on the request path. */
  sink: GatewayTraceSink;
  /** Prices calls on the request path (the `x-flywheel-cost-usd` header). */
  prices: PriceTable;
  /** Hex digest for cache keys (sha-256 in production). */
  hashKey(text: string): string;
}
