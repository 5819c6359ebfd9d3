import { FlywheelError } from '@flywheel/spec/errors';
import type { ModelPrice } from './model-price.js';

/** Finds the price in force for a model call. */
export interface PriceTable {
  /**
   * The row pricing a call of `model` on `provider` at time `at`, or `undefined` when no price is
   * known — callers must record that as unknown, never as free.
   */
  lookup(provider: string, model: string, at: Date): ModelPrice | undefined;
}

/** The provider of rows that apply to every provider. */
export const anyProvider = '*';

// A trailing snapshot tag: `-2024-07-18` (OpenAI), `-20241022` (Anthropic), `-0613` (older OpenAI)
// or `-latest`. Only such a tag is stripped to find the base model: a general prefix match would
// price `gpt-4o-mini` or `claude-opus-4-6` as `gpt-4o` or `claude-opus-4`, and a wrong price is
// worse than an unknown one.
const snapshotSuffix = /-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest)$/;

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Builds the price table from the shipped prices and the operator's overrides.
 *
 * Matching, in this order of precedence:
 * - **Source:** if any override row matches the call, only overrides are considered — an operator's
 *   price for a model replaces the shipped history of that model rather than being interleaved
 *   with it (give several override rows to state a history of your own).
 * - **Model:** the exact id first, then the id without its snapshot tag, so
 *   `claude-3-5-sonnet-20241022` uses the rows of `claude-3-5-sonnet` unless it has rows of its own.
 *   Any other variant (`o3-mini`, `gpt-4o-audio-preview`) needs rows of its own, or is unknown.
 * - **Provider:** exact, then `*`. There is no other fallback: rows for `openai` do not price
 *   `openai-compatible` calls, since those reach other vendors with other prices.
 * - **Date:** among the chosen rows, the one with the latest `effectiveFrom` on or before the UTC
 *   date of `at`; before the first row no price applies (and no other rows are tried).
 *
 * Throws `invalid_setting` for a row with a malformed date or a negative or non-finite price.
 *
 * @example
 * const prices = createPriceTable(defaultPrices, config.prices);
 * prices.lookup('openai', 'gpt-4o-mini-2024-07-18', new Date())?.inputPerMillion; // 0.15
 */
export function createPriceTable(
  prices: readonly ModelPrice[],
  overrides: readonly ModelPrice[] = [],
): PriceTable {
  const sources = [indexRows(overrides), indexRows(prices)];
  // Every traced call and every ingested generation looks its price up; the answer depends only
  // on the provider, the model and the UTC day, and the table never changes. Found answers are
  // kept (unknown ones too, as null), up to a bound, so a call costs one map lookup.
  const found = new Map<string, ModelPrice | null>();
  const maxFound = 10_000;

  return {
    lookup(provider, model, at) {
      const time = at.getTime();
      if (Number.isNaN(time)) return undefined;
      const key = `${provider}\u0000${model}\u0000${Math.floor(time / 86_400_000)}`;
      const known = found.get(key);
      if (known !== undefined) return known ?? undefined;
      const price = find(provider, model, at);
      if (found.size >= maxFound) found.clear();
      found.set(key, price ?? null);
      return price;
    },
  };

  function find(provider: string, model: string, at: Date): ModelPrice | undefined {
    const day = at.toISOString().slice(0, 10);
    const baseModel = model.replace(snapshotSuffix, '');
    const models = baseModel === model ? [model] : [model, baseModel];
    const providers = provider === anyProvider ? [anyProvider] : [provider, anyProvider];
    for (const rowsByKey of sources) {
      for (const candidateModel of models) {
        for (const candidateProvider of providers) {
          const rows = rowsByKey.get(rowKey(candidateProvider, candidateModel));
          // Rows are sorted newest first; the first that has started is in force.
          if (rows) return rows.find((row) => row.effectiveFrom <= day);
        }
      }
    }
    return undefined;
  }
}

function indexRows(rows: readonly ModelPrice[]): Map<string, ModelPrice[]> {
  const byKey = new Map<string, ModelPrice[]>();
  for (const row of rows) {
    assertValidRow(row);
    const key = rowKey(row.provider, row.model);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  // Newest first; a stable sort keeps the later of two rows with the same date first, so that a
  // repeated row corrects an earlier one.
  for (const list of byKey.values()) {
    list.reverse();
    list.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : a.effectiveFrom > b.effectiveFrom ? -1 : 0));
  }
  return byKey;
}

function rowKey(provider: string, model: string): string {
  return `${provider}\u0000${model}`;
}

function assertValidRow(row: ModelPrice): void {
  const where = `price of ${row.provider}/${row.model} from ${row.effectiveFrom}`;
  if (!isoDate.test(row.effectiveFrom) || Number.isNaN(Date.parse(row.effectiveFrom))) {
    throw new FlywheelError('invalid_setting', `The ${where} needs effectiveFrom as YYYY-MM-DD.`);
  }
  for (const [field, value] of [
    ['inputPerMillion', row.inputPerMillion],
    ['outputPerMillion', row.outputPerMillion],
    ['cachedInputPerMillion', row.cachedInputPerMillion ?? 0],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new FlywheelError('invalid_setting', `The ${where} has ${field} ${value}; it must be 0 or more.`);
    }
  }
}
