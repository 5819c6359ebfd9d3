import type { ModelPrice } from './model-price.js';

// Standard (not batch, not priority, not regional) list prices in USD per million tokens.
//
// Last checked: 2026-11-21, against the providers' pricing pages and announcements as known to the
// author, cross-checked with secondary sources. Rows dated 2026 rest on secondary sources only.
// Models released after mid-2026 are missing and stay unpriced until added. Operators override
// any row, or add their own, under `prices` in flywheel.config.yaml (see createPriceTable).
//
// What the table does not model, so costs of such calls are estimates:
// - Anthropic prompt-cache writes (1.25× input): they are billed here at the input price.
// - Long-context surcharges (claude-sonnet-4 beyond 200K input, gpt-5.4 beyond 270K).
// - DeepSeek's off-peak discounts (16:30–00:30 UTC, 2025-02-26 to 2025-09-05).
// - Images and audio, which providers bill as tokens of their own.
//
// DeepSeek rows use the provider kind its API is reached through, `openai-compatible`.
// A change that took effect at a time of day is dated from the next UTC day.

function row(
  provider: string,
  model: string,
  effectiveFrom: string,
  inputPerMillion: number,
  outputPerMillion: number,
  cachedInputPerMillion?: number,
): ModelPrice {
  return cachedInputPerMillion === undefined
    ? { provider, model, effectiveFrom, inputPerMillion, outputPerMillion, currency: 'USD' }
    : {
        provider,
        model,
        effectiveFrom,
        inputPerMillion,
        outputPerMillion,
        cachedInputPerMillion,
        currency: 'USD',
      };
}

const openai = (model: string, from: string, input: number, output: number, cached?: number) =>
  row('openai', model, from, input, output, cached);
const anthropic = (model: string, from: string, input: number, output: number, cacheRead?: number) =>
  row('anthropic', model, from, input, output, cacheRead);
const deepseek = (model: string, from: string, cacheMiss: number, output: number, cacheHit: number) =>
  row('openai-compatible', model, from, cacheMiss, output, cacheHit);

/**
 * The prices Flywheel ships: list prices of the major hosted models, effective-dated so that
 * calls are costed at the price of their day. Snapshot ids (`gpt-4o-2024-08-06`,
 * `claude-sonnet-4-20250514`) use the rows of their base id unless they have rows of their own.
 *
 * @example
 * const prices = createPriceTable(defaultPrices, config.prices);
 */
export const defaultPrices: readonly ModelPrice[] = [
  // OpenAI — gpt-4o. The alias moved from the 2024-05-13 snapshot ($5/$15) to 2024-08-06 on
  // 2024-10-02, the day after prompt caching launched; the snapshots keep their own prices.
  openai('gpt-4o', '2024-05-13', 5, 15),
  openai('gpt-4o', '2024-10-02', 2.5, 10, 1.25),
  openai('gpt-4o-2024-05-13', '2024-05-13', 5, 15),
  openai('gpt-4o-2024-08-06', '2024-08-06', 2.5, 10, 1.25),
  openai('gpt-4o-mini', '2024-07-18', 0.15, 0.6, 0.075),

  // OpenAI — gpt-4.1 and gpt-4.5.
  openai('gpt-4.1', '2025-04-14', 2, 8, 0.5),
  openai('gpt-4.1-mini', '2025-04-14', 0.4, 1.6, 0.1),
  openai('gpt-4.1-nano', '2025-04-14', 0.1, 0.4, 0.025),
  openai('gpt-4.5-preview', '2025-02-27', 75, 150, 37.5),

  // OpenAI — gpt-5 family.
  openai('gpt-5', '2025-08-07', 1.25, 10, 0.125),
  openai('gpt-5-chat-latest', '2025-08-07', 1.25, 10, 0.125),
  openai('gpt-5-mini', '2025-08-07', 0.25, 2, 0.025),
  openai('gpt-5-nano', '2025-08-07', 0.05, 0.4, 0.005),
  openai('gpt-5-pro', '2025-10-06', 15, 120),
  openai('gpt-5.1', '2025-11-13', 1.25, 10, 0.125),
  openai('gpt-5.2', '2025-12-11', 1.75, 14, 0.175),
  openai('gpt-5.2-pro', '2025-12-11', 21, 168),
  openai('gpt-5.4', '2026-03-05', 2.5, 15, 0.25),
  openai('gpt-5.4-mini', '2026-03-17', 0.75, 4.5, 0.075),
  openai('gpt-5.4-nano', '2026-03-17', 0.2, 1.25, 0.02),
  openai('gpt-5.4-pro', '2026-03-05', 30, 180),
  openai('gpt-5.5', '2026-04-23', 5, 30, 0.5),
  openai('gpt-5.5-pro', '2026-04-23', 30, 180),

  // OpenAI — o-series. o3 was cut by 80 % on 2025-06-10.
  openai('o1', '2024-12-17', 15, 60, 7.5),
  openai('o1-preview', '2024-09-12', 15, 60, 7.5),
  openai('o1-pro', '2025-03-19', 150, 600),
  openai('o3', '2025-04-16', 10, 40, 2.5),
  openai('o3', '2025-06-10', 2, 8, 0.5),
  openai('o3-mini', '2025-01-31', 1.1, 4.4, 0.55),
  openai('o3-pro', '2025-06-10', 20, 80),
  openai('o4-mini', '2025-04-16', 1.1, 4.4, 0.275),

  // OpenAI — gpt-4 and gpt-3.5. The gpt-3.5-turbo alias moved to the 1106 snapshot on 2023-12-11
  // and to 0125 on 2024-02-16.
  openai('gpt-4', '2023-03-14', 30, 60),
  openai('gpt-4-32k', '2023-03-14', 60, 120),
  openai('gpt-4-1106-preview', '2023-11-06', 10, 30),
  openai('gpt-4-vision-preview', '2023-11-06', 10, 30),
  openai('gpt-4-0125-preview', '2024-01-25', 10, 30),
  openai('gpt-4-turbo-preview', '2024-01-25', 10, 30),
  openai('gpt-4-turbo', '2024-04-09', 10, 30),
  openai('gpt-3.5-turbo', '2023-12-11', 1, 2),
  openai('gpt-3.5-turbo', '2024-02-16', 0.5, 1.5),
  openai('gpt-3.5-turbo-0613', '2023-06-13', 1.5, 2),
  openai('gpt-3.5-turbo-16k', '2023-06-13', 3, 4),
  openai('gpt-3.5-turbo-1106', '2023-11-06', 1, 2),
  openai('gpt-3.5-turbo-0125', '2024-01-25', 0.5, 1.5),
  openai('gpt-3.5-turbo-instruct', '2023-09-18', 1.5, 2),

  // OpenAI — embeddings (input only).
  openai('text-embedding-3-small', '2024-01-25', 0.02, 0),
  openai('text-embedding-3-large', '2024-01-25', 0.13, 0),
  openai('text-embedding-ada-002', '2022-12-15', 0.1, 0),

  // Anthropic — the cached price is the cache-read price (0.1× input).
  anthropic('claude-3-opus', '2024-03-04', 15, 75, 1.5),
  anthropic('claude-3-sonnet', '2024-03-04', 3, 15),
  anthropic('claude-3-haiku', '2024-03-13', 0.25, 1.25, 0.03),
  anthropic('claude-3-5-sonnet', '2024-06-20', 3, 15, 0.3),
  // Launched at $1/$5 and cut to $0.80/$4 about a month later; the day of the cut is approximate.
  anthropic('claude-3-5-haiku', '2024-11-04', 1, 5, 0.1),
  anthropic('claude-3-5-haiku', '2024-12-03', 0.8, 4, 0.08),
  anthropic('claude-3-7-sonnet', '2025-02-24', 3, 15, 0.3),
  anthropic('claude-sonnet-4', '2025-05-22', 3, 15, 0.3),
  anthropic('claude-opus-4', '2025-05-22', 15, 75, 1.5),
  anthropic('claude-opus-4-1', '2025-08-05', 15, 75, 1.5),
  anthropic('claude-sonnet-4-5', '2025-09-29', 3, 15, 0.3),
  anthropic('claude-haiku-4-5', '2025-10-15', 1, 5, 0.1),
  anthropic('claude-opus-4-5', '2025-11-24', 5, 25, 0.5),
  anthropic('claude-opus-4-6', '2026-02-05', 5, 25, 0.5),
  anthropic('claude-sonnet-4-6', '2026-02-17', 3, 15, 0.3),
  anthropic('claude-opus-4-7', '2026-04-16', 5, 25, 0.5),

  // DeepSeek — input at the cache-miss price, cached at the cache-hit price.
  // deepseek-chat: V3 launch promotion until 2025-02-08 16:00 UTC; V3.1 prices from 2025-09-05
  // 16:00 UTC; V3.2-Exp cut on 2025-09-29; from 2026-04-24 both names route to V4-Flash, whose
  // cache-hit price fell to a tenth on 2026-04-26. Both names retire on 2026-07-24.
  deepseek('deepseek-chat', '2024-12-26', 0.14, 0.28, 0.014),
  deepseek('deepseek-chat', '2025-02-09', 0.27, 1.1, 0.07),
  deepseek('deepseek-chat', '2025-09-06', 0.56, 1.68, 0.07),
  deepseek('deepseek-chat', '2025-09-29', 0.28, 0.42, 0.028),
  deepseek('deepseek-chat', '2026-04-24', 0.14, 0.28, 0.028),
  deepseek('deepseek-chat', '2026-04-26', 0.14, 0.28, 0.0028),
  deepseek('deepseek-reasoner', '2025-01-20', 0.55, 2.19, 0.14),
  deepseek('deepseek-reasoner', '2025-09-06', 0.56, 1.68, 0.07),
  deepseek('deepseek-reasoner', '2025-09-29', 0.28, 0.42, 0.028),
  deepseek('deepseek-reasoner', '2026-04-24', 0.14, 0.28, 0.028),
  deepseek('deepseek-reasoner', '2026-04-26', 0.14, 0.28, 0.0028),
  deepseek('deepseek-v4-flash', '2026-04-24', 0.14, 0.28, 0.028),
  deepseek('deepseek-v4-flash', '2026-04-26', 0.14, 0.28, 0.0028),
  // V4-Pro: list price for two days, then 75 % off (made permanent on 2026-05-22) with the
  // tenfold cache-hit cut.
  deepseek('deepseek-v4-pro', '2026-04-24', 1.74, 3.48, 0.145),
  deepseek('deepseek-v4-pro', '2026-04-26', 0.435, 0.87, 0.003625),
];
