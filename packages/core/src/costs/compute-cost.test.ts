import { describe, expect, it } from 'vitest';
import type { TokenUsage } from '../tokens/token-usage.js';
import { computeCost } from './compute-cost.js';
import { createPriceTable } from './price-table.js';

const table = createPriceTable([
  {
    provider: 'openai',
    model: 'gpt-4o',
    effectiveFrom: '2024-10-02',
    inputPerMillion: 2.5,
    outputPerMillion: 10,
    cachedInputPerMillion: 1.25,
    currency: 'USD',
  },
  {
    provider: 'openai-compatible',
    model: 'no-cache-price',
    effectiveFrom: '2024-01-01',
    inputPerMillion: 1,
    outputPerMillion: 2,
    currency: 'USD',
  },
  {
    provider: '*',
    model: 'llama3.1:8b',
    effectiveFrom: '2024-01-01',
    inputPerMillion: 0.1,
    outputPerMillion: 0.3,
    currency: 'USD',
  },
]);
const at = new Date('2025-01-01T00:00:00Z');
const usage = (fields: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  estimated: false,
  ...fields,
});

describe('computeCost', () => {
  it('prices input and output per million tokens and says which row priced it', () => {
    const cost = computeCost(
      usage({ inputTokens: 1000, outputTokens: 500 }),
      { provider: 'openai', model: 'gpt-4o-2024-08-06' },
      at,
      table,
    );
    expect(cost).toEqual({
      total: 0.0075,
      input: 0.0025,
      output: 0.005,
      currency: 'USD',
      price: { provider: 'openai', model: 'gpt-4o', effectiveFrom: '2024-10-02' },
    });
  });

  it('bills cached input tokens, which are part of the input tokens, at the cached price', () => {
    const cost = computeCost(
      usage({ inputTokens: 2000, cachedInputTokens: 1024, outputTokens: 0 }),
      { provider: 'openai', model: 'gpt-4o' },
      at,
      table,
    );
    expect(cost.input).toBe((976 * 2.5 + 1024 * 1.25) / 1e6);
    expect(cost.total).toBe(cost.input);
  });

  it('bills cached input tokens at the input price when the row has no cached price', () => {
    const cost = computeCost(
      usage({ inputTokens: 1000, cachedInputTokens: 600, outputTokens: 100 }),
      { provider: 'openai-compatible', model: 'no-cache-price' },
      at,
      table,
    );
    expect(cost.input).toBe(0.001);
    expect(cost.output).toBe(0.0002);
  });

  it('never bills below zero when a provider reports more cached than prompt tokens', () => {
    const cost = computeCost(
      usage({ inputTokens: 100, cachedInputTokens: 500 }),
      { provider: 'openai', model: 'gpt-4o' },
      at,
      table,
    );
    expect(cost.input).toBe((100 * 1.25) / 1e6);
  });

  it('prices a self-hosted model through a * row', () => {
    const cost = computeCost(
      usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 }),
      { provider: 'openai-compatible', model: 'llama3.1:8b' },
      at,
      table,
    );
    expect(cost.total).toBe(0.4);
    expect(cost.price?.provider).toBe('*');
  });

  it('gives null, not 0, when no price applies', () => {
    const unknown = { total: null, input: null, output: null, currency: 'USD' };
    expect(
      computeCost(
        usage({ inputTokens: 10, outputTokens: 10 }),
        { provider: 'openai', model: 'gpt-9' },
        at,
        table,
      ),
    ).toEqual(unknown);
    expect(
      computeCost(
        usage({ inputTokens: 10 }),
        { provider: 'openai', model: 'gpt-4o' },
        new Date('2024-01-01'),
        table,
      ),
    ).toEqual(unknown);
  });

  it('gives null when usage is unknown', () => {
    expect(computeCost(undefined, { provider: 'openai', model: 'gpt-4o' }, at, table)).toEqual({
      total: null,
      input: null,
      output: null,
      currency: 'USD',
    });
  });

  it('gives 0 for zero usage with a known price', () => {
    const cost = computeCost(usage({}), { provider: 'openai', model: 'gpt-4o' }, at, table);
    expect(cost.total).toBe(0);
    expect(cost.input).toBe(0);
    expect(cost.output).toBe(0);
    expect(cost.price?.model).toBe('gpt-4o');
  });

  it('rounds away floating-point noise', () => {
    // 0.1 + 0.2 per million is 0.30000000000000004 in doubles.
    const noisy = createPriceTable([
      {
        provider: 'openai',
        model: 'm',
        effectiveFrom: '2024-01-01',
        inputPerMillion: 0.1,
        outputPerMillion: 0.2,
        currency: 'USD',
      },
    ]);
    const cost = computeCost(
      usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 }),
      { provider: 'openai', model: 'm' },
      at,
      noisy,
    );
    expect(cost.total).toBe(0.3);
    expect(
      computeCost(
        usage({ inputTokens: 3, outputTokens: 7 }),
        { provider: 'openai', model: 'gpt-4o' },
        at,
        table,
      ).total,
    ).toBe(0.0000775);
  });
});
