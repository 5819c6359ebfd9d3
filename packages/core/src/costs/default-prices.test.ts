import { describe, expect, it } from 'vitest';
import { defaultPrices } from './default-prices.js';
import { createPriceTable } from './price-table.js';

const table = createPriceTable(defaultPrices);
const now = new Date('2026-06-01T00:00:00Z');

describe('default prices', () => {
  it('are valid rows the price table accepts', () => {
    expect(() => createPriceTable(defaultPrices)).not.toThrow();
    for (const row of defaultPrices) {
      expect(row.cachedInputPerMillion ?? 0, `${row.model} cached`).toBeLessThanOrEqual(row.inputPerMillion);
    }
  });

  it('have no two rows for the same model and date', () => {
    const keys = defaultPrices.map((row) => `${row.provider} ${row.model} ${row.effectiveFrom}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('price the major models as they are requested, snapshot ids included', () => {
    const requested: Array<[string, string]> = [
      ['openai', 'gpt-4o'],
      ['openai', 'gpt-4o-2024-08-06'],
      ['openai', 'gpt-4o-mini-2024-07-18'],
      ['openai', 'gpt-4.1-2025-04-14'],
      ['openai', 'gpt-4.1-mini'],
      ['openai', 'gpt-4.1-nano'],
      ['openai', 'o3-2025-04-16'],
      ['openai', 'o4-mini'],
      ['openai', 'o1-2024-12-17'],
      ['openai', 'gpt-3.5-turbo'],
      ['openai', 'text-embedding-3-small'],
      ['openai', 'text-embedding-3-large'],
      ['anthropic', 'claude-3-5-haiku-20241022'],
      ['anthropic', 'claude-3-5-sonnet-20241022'],
      ['anthropic', 'claude-3-7-sonnet-20250219'],
      ['anthropic', 'claude-sonnet-4-20250514'],
      ['anthropic', 'claude-opus-4-20250514'],
      ['anthropic', 'claude-3-haiku-20240307'],
      ['anthropic', 'claude-3-opus-20240229'],
      ['openai-compatible', 'deepseek-chat'],
      ['openai-compatible', 'deepseek-reasoner'],
    ];
    for (const [provider, model] of requested) {
      expect(table.lookup(provider, model, now), `${provider}/${model}`).toBeDefined();
    }
  });

  it('keep gpt-4o and gpt-4o-mini apart', () => {
    expect(table.lookup('openai', 'gpt-4o-mini-2024-07-18', now)?.model).toBe('gpt-4o-mini');
    expect(table.lookup('openai', 'gpt-4o-2024-11-20', now)?.model).toBe('gpt-4o');
  });

  it('follow known price changes', () => {
    const input = (provider: string, model: string, iso: string) =>
      table.lookup(provider, model, new Date(iso))?.inputPerMillion;
    expect(input('openai', 'gpt-4o', '2024-09-01T00:00:00Z')).toBe(5);
    expect(input('openai', 'gpt-4o', '2024-11-01T00:00:00Z')).toBe(2.5);
    expect(input('openai', 'o3', '2025-05-01T00:00:00Z')).toBe(10);
    expect(input('openai', 'o3', '2025-07-01T00:00:00Z')).toBe(2);
    expect(input('openai-compatible', 'deepseek-chat', '2025-01-15T00:00:00Z')).toBe(0.14);
    expect(input('openai-compatible', 'deepseek-chat', '2025-03-01T00:00:00Z')).toBe(0.27);
  });
});
