import type {
  BatchingSink,
  GatewayEngine,
  PriceTable,
  ResponseCache,
  SpanRecord,
  TraceRecord,
} from '@flywheel/core';

/** One trace and its spans, queued for the batch writer. */
export interface TraceWrite {
  projectId: string;
  trace: TraceRecord;
  spans: SpanRecord[];
}

/** What the `/v1/*` routes need; built by `main.ts` (or a test). */
export interface GatewayDeps {
  engine: GatewayEngine;
  cache: ResponseCache;
  /** TTL for requests that opt in with `x-flywheel-cache: use` on an alias without its own. */
  cacheDefaultTtlSeconds: number;
  /** Where finished calls go; never awaited on the request path. */
  sink: BatchingSink<TraceWrite>;
  prices: PriceTable;
  /** Request and response payloads are kept in traces up to this many bytes each. */
  traceMaxPayloadBytes: number;
  /** Hex digest for cache keys (sha-256 in production). */
  hashKey(text: string): string;
}
