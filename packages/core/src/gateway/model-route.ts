import type { LanguageModel, PhaseTimeouts } from '@flywheel/spec';

/** How a route retries toward its providers. The gateway is the only retry loop. */
export interface RetryPolicy {
  /** Retries after the first attempt on this route (so 1 + maxRetries attempts). */
  maxRetries: number;
  /** First backoff ceiling; doubles each retry, with full jitter (ms). */
  baseDelayMs: number;
  /** Largest backoff (ms). */
  maxDelayMs: number;
  /** Longest `Retry-After` the gateway waits out; beyond it, it fails over or answers 429 (ms). */
  retryAfterCapMs: number;
}

/** One upstream a route can send to. */
export interface RouteTarget {
  /** Stable id for breakers and traces: `<route>#<index>` */
  id: string;
  /** Provider kind (`openai`, `openai-compatible`, `anthropic`). */
  provider: string;
  /** The upstream's model id. */
  modelId: string;
  /** Relative share of traffic. */
  weight: number;
  /** The adapter to call for a project (stored credentials are per project). */
  resolve(projectId: string): Promise<LanguageModel>;
}

/** A model alias clients name in `model`, and how it is served. */
export interface ModelRoute {
  name: string;
  targets: RouteTarget[];
  /** Aliases tried in order when every attempt on this one failed. */
  fallbacks: string[];
  retry: RetryPolicy;
  timeouts: PhaseTimeouts;
  /** Exact-match response caching, when enabled for the alias. */
  cache?: { ttlSeconds: number };
  /** Ask streaming upstreams for usage (`stream_options.include_usage`); off for servers that reject it. */
  streamUsage: boolean;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  retryAfterCapMs: 30_000,
};

export const defaultTimeouts: PhaseTimeouts = {
  connectMs: 5000,
  firstTokenMs: 30_000,
  idleMs: 30_000,
  totalMs: 600_000,
};
