import type { TokenUsage } from '../tokens/token-usage.js';
import type { PriceTable } from './price-table.js';

/** The cost of one model call. */
export interface Cost {
  /** null means unknown: no price applies (never 0 for unknown) */
  total: number | null;
  /** Cost of the input tokens, cached ones at the cached price; null when unknown. */
  input: number | null;
  /** Cost of the output tokens, reasoning included; null when unknown. */
  output: number | null;
  /** Always USD. */
  currency: 'USD';
  /** which row priced it */
  price?: { provider: string; model: string; effectiveFrom: string };
}

/** What a call was made against: the gateway provider kind and the model id as requested. */
export interface CostTarget {
  provider: string;
  model: string;
}

const unknownCost: Readonly<Cost> = { total: null, input: null, output: null, currency: 'USD' };

/**
 * Prices a call's usage with the row in force at `at`. Cached input tokens are part of
 * `inputTokens` (OpenAI semantics) and are billed at the cached price where the row has one.
 * Unknown usage or no applicable price gives all-null amounts, so that "free" and "unknown" stay
 * apart in reports.
 *
 * @example
 * const cost = computeCost(usage, { provider: 'openai', model: 'gpt-4o-mini' }, startedAt, prices);
 * cost.total; // e.g. 0.000345, or null when no price is known
 */
export function computeCost(
  usage: TokenUsage | undefined,
  target: CostTarget,
  at: Date,
  table: PriceTable,
): Cost {
  if (usage === undefined) return { ...unknownCost };
  const price = table.lookup(target.provider, target.model, at);
  if (price === undefined) return { ...unknownCost };

  // A provider reporting more cached than prompt tokens is wrong; never bill below zero.
  const cachedTokens = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const uncachedTokens = usage.inputTokens - cachedTokens;
  const cachedPerMillion = price.cachedInputPerMillion ?? price.inputPerMillion;
  const input = roundCost((uncachedTokens * price.inputPerMillion + cachedTokens * cachedPerMillion) / 1e6);
  const output = roundCost((usage.outputTokens * price.outputPerMillion) / 1e6);
  return {
    total: roundCost(input + output),
    input,
    output,
    currency: 'USD',
    price: { provider: price.provider, model: price.model, effectiveFrom: price.effectiveFrom },
  };
}

// Binary floating point turns 0.1 + 0.2 into 0.30000000000000004; 1e-10 USD is far below any
// billed amount, so rounding to it removes the noise without losing a cent.
function roundCost(amount: number): number {
  return Math.round(amount * 1e10) / 1e10;
}
