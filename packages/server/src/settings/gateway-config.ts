import { defaultRetryPolicy, defaultTimeouts, type ModelPrice, type RetryPolicy } from '@flywheel/core';
import type { PhaseTimeouts } from '@flywheel/spec';
import { z } from 'zod';
import type { SettingProblem as Problem } from './setting-problem.js';

/** The provider kinds a target may name. */
export const providerKinds = ['openai', 'openai-compatible', 'anthropic'] as const;
export type ProviderKind = (typeof providerKinds)[number];

/** One upstream of a model alias, as configured. */
export interface TargetConfig {
  provider: ProviderKind;
  model: string;
  /** Base URL; defaults to the provider's public API for `openai` and `anthropic`. */
  baseUrl: string | undefined;
  apiKey: string | undefined;
  /** Name of a provider credential stored through `/api/providers` in the caller's project. */
  credential: string | undefined;
  weight: number;
  headers: Record<string, string>;
}

/** A model alias, as configured. */
export interface ModelConfig {
  name: string;
  targets: TargetConfig[];
  fallbacks: string[];
  retry: RetryPolicy;
  timeouts: PhaseTimeouts;
  cache: { ttlSeconds: number } | undefined;
  streamUsage: boolean;
}

/** Everything the gateway reads from the config file. */
export interface GatewayConfig {
  models: ModelConfig[];
  /** Price rows that override the shipped table. */
  prices: ModelPrice[];
  cache: { maxBytes: number; defaultTtlSeconds: number };
  /** Request and response payloads kept in traces up to this many bytes each. */
  traceMaxPayloadBytes: number;
  breaker: { failureThreshold: number; cooldownMs: number };
}

const positiveInt = z.number().int().positive();
const name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:/-]+$/, 'use letters, digits and . _ : / -');

const targetSchema = z
  .strictObject({
    provider: z.enum(providerKinds),
    model: z.string().min(1),
    base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    api_key: z.string().min(1).optional(),
    credential: name.optional(),
    weight: z.number().min(0).default(1),
    headers: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((target, context) => {
    if (target.credential && (target.api_key || target.base_url)) {
      context.addIssue({ code: 'custom', message: 'give either credential or api_key/base_url, not both' });
    }
    if (!target.credential && target.provider === 'openai-compatible' && !target.base_url) {
      context.addIssue({
        code: 'custom',
        path: ['base_url'],
        message: 'is required for openai-compatible targets',
      });
    }
    if (!target.credential && target.provider !== 'openai-compatible' && !target.api_key) {
      context.addIssue({
        code: 'custom',
        path: ['api_key'],
        message: `is required for ${target.provider} targets (or name a stored credential)`,
      });
    }
  });

const modelSchema = z.strictObject({
  name,
  targets: z.array(targetSchema).min(1, 'needs at least one target'),
  fallbacks: z.array(name).default([]),
  retries: z
    .strictObject({
      max: z.number().int().min(0).max(10).default(defaultRetryPolicy.maxRetries),
      base_delay_ms: positiveInt.default(defaultRetryPolicy.baseDelayMs),
      max_delay_ms: positiveInt.default(defaultRetryPolicy.maxDelayMs),
      retry_after_cap_ms: z.number().int().min(0).default(defaultRetryPolicy.retryAfterCapMs),
    })
    .default({
      max: defaultRetryPolicy.maxRetries,
      base_delay_ms: defaultRetryPolicy.baseDelayMs,
      max_delay_ms: defaultRetryPolicy.maxDelayMs,
      retry_after_cap_ms: defaultRetryPolicy.retryAfterCapMs,
    }),
  timeouts: z
    .strictObject({
      connect_ms: positiveInt.default(defaultTimeouts.connectMs),
      first_token_ms: positiveInt.default(defaultTimeouts.firstTokenMs),
      idle_ms: positiveInt.default(defaultTimeouts.idleMs),
      total_ms: positiveInt.default(defaultTimeouts.totalMs),
    })
    .default({
      connect_ms: defaultTimeouts.connectMs,
      first_token_ms: defaultTimeouts.firstTokenMs,
      idle_ms: defaultTimeouts.idleMs,
      total_ms: defaultTimeouts.totalMs,
    }),
  cache: z.strictObject({ ttl_seconds: positiveInt }).optional(),
  stream_usage: z.boolean().default(true),
});

const priceSchema = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1),
  effective_from: z.iso.date().default('1970-01-01'),
  input_per_million: z.number().min(0),
  output_per_million: z.number().min(0),
  cached_input_per_million: z.number().min(0).optional(),
});

const gatewayOptionsSchema = z
  .strictObject({
    cache: z
      .strictObject({
        max_bytes: positiveInt.default(64 * 1024 * 1024),
        default_ttl_seconds: positiveInt.default(3600),
      })
      .default({ max_bytes: 64 * 1024 * 1024, default_ttl_seconds: 3600 }),
    trace_max_payload_bytes: positiveInt.default(65_536),
    circuit_breaker: z
      .strictObject({ failure_threshold: positiveInt.default(5), cooldown_ms: positiveInt.default(30_000) })
      .default({ failure_threshold: 5, cooldown_ms: 30_000 }),
  })
  .default({
    cache: { max_bytes: 64 * 1024 * 1024, default_ttl_seconds: 3600 },
    trace_max_payload_bytes: 65_536,
    circuit_breaker: { failure_threshold: 5, cooldown_ms: 30_000 },
  });

/**
 * Validates the `models`, `prices` and `gateway` sections of the config file. Problems are
 * reported by their path (`models[0].targets[1].base_url`) with what is wrong.
 */
export function parseGatewayConfig(
  raw: { models: unknown; prices: unknown; gateway: unknown },
  source: string,
  problems: Problem[],
): GatewayConfig {
  const report = (section: string, error: z.ZodError) => {
    for (const issue of error.issues) {
      const path = issue.path.reduce<string>(
        (text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}.${String(part)}`),
        section,
      );
      problems.push({ setting: path, source, message: `${path} in ${source}: ${issue.message}.` });
    }
  };
  const models = z.array(modelSchema).default([]).safeParse(raw.models);
  const prices = z.array(priceSchema).default([]).safeParse(raw.prices);
  const gateway = gatewayOptionsSchema.safeParse(raw.gateway);
  if (!models.success) report('models', models.error);
  if (!prices.success) report('prices', prices.error);
  if (!gateway.success) report('gateway', gateway.error);

  const parsedModels = models.success ? models.data : [];
  const names = new Set<string>();
  parsedModels.forEach((model, index) => {
    if (names.has(model.name))
      problems.push({
        setting: `models[${index}].name`,
        source,
        message: `models[${index}].name in ${source}: '${model.name}' is defined twice.`,
      });
    names.add(model.name);
  });
  parsedModels.forEach((model, index) => {
    for (const fallback of model.fallbacks) {
      if (!names.has(fallback) || fallback === model.name) {
        problems.push({
          setting: `models[${index}].fallbacks`,
          source,
          message: `models[${index}].fallbacks in ${source}: '${fallback}' is ${fallback === model.name ? 'the model itself' : 'not a configured model'} (configured: ${[...names].join(', ')}).`,
        });
      }
    }
  });

  const options = gateway.success ? gateway.data : gatewayOptionsSchema.parse(undefined);
  return {
    models: parsedModels.map((model) => ({
      name: model.name,
      targets: model.targets.map((target) => ({
        provider: target.provider,
        model: target.model,
        baseUrl: target.base_url,
        apiKey: target.api_key,
        credential: target.credential,
        weight: target.weight,
        headers: target.headers,
      })),
      fallbacks: model.fallbacks,
      retry: {
        maxRetries: model.retries.max,
        baseDelayMs: model.retries.base_delay_ms,
        maxDelayMs: model.retries.max_delay_ms,
        retryAfterCapMs: model.retries.retry_after_cap_ms,
      },
      timeouts: {
        connectMs: model.timeouts.connect_ms,
        firstTokenMs: model.timeouts.first_token_ms,
        idleMs: model.timeouts.idle_ms,
        totalMs: model.timeouts.total_ms,
      },
      cache: model.cache ? { ttlSeconds: model.cache.ttl_seconds } : undefined,
      streamUsage: model.stream_usage,
    })),
    prices: (prices.success ? prices.data : []).map((price) => ({
      provider: price.provider,
      model: price.model,
      effectiveFrom: price.effective_from,
      inputPerMillion: price.input_per_million,
      outputPerMillion: price.output_per_million,
      ...(price.cached_input_per_million === undefined
        ? {}
        : { cachedInputPerMillion: price.cached_input_per_million }),
      currency: 'USD' as const,
    })),
    cache: { maxBytes: options.cache.max_bytes, defaultTtlSeconds: options.cache.default_ttl_seconds },
    traceMaxPayloadBytes: options.trace_max_payload_bytes,
    breaker: {
      failureThreshold: options.circuit_breaker.failure_threshold,
      cooldownMs: options.circuit_breaker.cooldown_ms,
    },
  };
}
