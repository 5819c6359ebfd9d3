import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import type { ModelPrice } from './model-price.js';
import { createPriceTable } from './price-table.js';

function price(provider: string, model: string, effectiveFrom: string, inputPerMillion: number): ModelPrice {
  return {
    provider,
    model,
    effectiveFrom,
    inputPerMillion,
    outputPerMillion: inputPerMillion * 4,
    currency: 'USD',
  };
}

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

const shipped = [
  price('openai', 'gpt-4o', '2024-05-13', 5),
  price('openai', 'gpt-4o', '2024-10-02', 2.5),
  price('openai', 'gpt-4o-2024-05-13', '2024-05-13', 5),
  price('openai', 'gpt-4o-mini', '2024-07-18', 0.15),
  price('anthropic', 'claude-3-5-sonnet', '2024-06-20', 3),
  price('anthropic', 'claude-sonnet-4', '2025-05-22', 3),
  price('anthropic', 'claude-opus-4', '2025-05-22', 15),
];

describe('price table', () => {
  const table = createPriceTable(shipped);
  const input = (provider: string, model: string, at = day('2025-06-01')) =>
    table.lookup(provider, model, at)?.inputPerMillion;

  it('answers a repeated lookup the same way, changing at UTC midnight when a new price starts', () => {
    const repeated = createPriceTable(shipped);
    const at = (iso: string) => repeated.lookup('openai', 'gpt-4o', new Date(iso))?.inputPerMillion;
    expect(at('2024-10-01T23:59:59.999Z')).toBe(5);
    expect(at('2024-10-01T00:00:00.000Z')).toBe(5);
    expect(at('2024-10-02T00:00:00.000Z')).toBe(2.5);
    expect(at('2024-10-01T12:00:00.000Z')).toBe(5);
    expect(at('2024-10-02T18:00:00.000Z')).toBe(2.5);
    // Unknown stays unknown, asked twice.
    expect(repeated.lookup('openai-compatible', 'gpt-4o', day('2025-01-01'))).toBeUndefined();
    expect(repeated.lookup('openai-compatible', 'gpt-4o', day('2025-01-01'))).toBeUndefined();
    expect(repeated.lookup('openai', 'gpt-4o', new Date(Number.NaN))).toBeUndefined();
  });

  it('finds a model by its exact id', () => {
    expect(input('openai', 'gpt-4o-mini')).toBe(0.15);
    expect(input('anthropic', 'claude-sonnet-4')).toBe(3);
  });

  it('prices dated snapshot ids with the rows of their base model', () => {
    expect(input('openai', 'gpt-4o-mini-2024-07-18')).toBe(0.15);
    expect(input('openai', 'gpt-4o-2024-11-20')).toBe(2.5);
    expect(input('anthropic', 'claude-3-5-sonnet-20241022')).toBe(3);
    expect(input('anthropic', 'claude-sonnet-4-20250514')).toBe(3);
    expect(input('anthropic', 'claude-3-5-sonnet-latest')).toBe(3);
  });

  it('prefers rows of the snapshot itself over those of its base model', () => {
    expect(input('openai', 'gpt-4o-2024-05-13')).toBe(5);
  });

  it('never prices gpt-4o-mini as gpt-4o, even when the mini has no rows', () => {
    const withoutMini = createPriceTable(shipped.filter((row) => row.model !== 'gpt-4o-mini'));
    expect(withoutMini.lookup('openai', 'gpt-4o-mini', day('2025-06-01'))).toBeUndefined();
    expect(withoutMini.lookup('openai', 'gpt-4o-mini-2024-07-18', day('2025-06-01'))).toBeUndefined();
    expect(input('openai', 'gpt-4o-mini-2024-07-18')).toBe(0.15);
  });

  it('leaves other variants of a listed model unknown instead of pricing them as the base', () => {
    expect(input('anthropic', 'claude-opus-4-6')).toBeUndefined();
    expect(input('openai', 'gpt-4o-audio-preview')).toBeUndefined();
    expect(input('openai', 'gpt-4o2')).toBeUndefined();
  });

  it('applies the latest row that has started, and none before the first', () => {
    expect(input('openai', 'gpt-4o', day('2024-05-12'))).toBeUndefined();
    expect(input('openai', 'gpt-4o', day('2024-05-13'))).toBe(5);
    expect(input('openai', 'gpt-4o', day('2024-08-01'))).toBe(5);
    expect(input('openai', 'gpt-4o', new Date('2024-10-01T23:59:59Z'))).toBe(5);
    expect(input('openai', 'gpt-4o', new Date('2024-10-02T00:00:00Z'))).toBe(2.5);
    expect(input('openai', 'gpt-4o', day('2030-01-01'))).toBe(2.5);
  });

  it('matches the provider exactly: openai rows do not price openai-compatible calls', () => {
    expect(input('openai-compatible', 'gpt-4o')).toBeUndefined();
    expect(input('anthropic', 'gpt-4o')).toBeUndefined();
  });

  it('applies rows of provider * to any provider, after rows of the exact provider', () => {
    const table = createPriceTable([
      price('*', 'llama3.1:8b', '2024-01-01', 0.05),
      price('*', 'qwen2.5', '2024-01-01', 0.2),
      price('openai-compatible', 'qwen2.5', '2024-01-01', 0.1),
    ]);
    const at = day('2025-01-01');
    expect(table.lookup('openai-compatible', 'llama3.1:8b', at)?.inputPerMillion).toBe(0.05);
    expect(table.lookup('anthropic', 'llama3.1:8b', at)?.inputPerMillion).toBe(0.05);
    expect(table.lookup('openai-compatible', 'qwen2.5', at)?.inputPerMillion).toBe(0.1);
    expect(table.lookup('openai', 'qwen2.5', at)?.inputPerMillion).toBe(0.2);
  });

  it('lets overrides replace the shipped rows of a model, history included', () => {
    const table = createPriceTable(shipped, [price('openai', 'gpt-4o', '2025-01-01', 2)]);
    expect(table.lookup('openai', 'gpt-4o', day('2025-06-01'))?.inputPerMillion).toBe(2);
    expect(table.lookup('openai', 'gpt-4o-2024-08-06', day('2025-06-01'))?.inputPerMillion).toBe(2);
    // Before the override starts the model is unknown, not priced from the shipped history.
    expect(table.lookup('openai', 'gpt-4o', day('2024-12-01'))).toBeUndefined();
    // Models without overrides keep their shipped prices.
    expect(table.lookup('openai', 'gpt-4o-mini', day('2025-06-01'))?.inputPerMillion).toBe(0.15);
  });

  it('lets an override of provider * win over a shipped row of the exact provider', () => {
    const table = createPriceTable(shipped, [price('*', 'gpt-4o-mini', '2024-01-01', 0.1)]);
    expect(table.lookup('openai', 'gpt-4o-mini', day('2025-06-01'))?.inputPerMillion).toBe(0.1);
  });

  it('prefers the later of two rows with the same date', () => {
    const table = createPriceTable([
      price('openai', 'm', '2024-01-01', 1),
      price('openai', 'm', '2024-01-01', 2),
    ]);
    expect(table.lookup('openai', 'm', day('2024-06-01'))?.inputPerMillion).toBe(2);
  });

  it('finds nothing for an invalid date', () => {
    expect(table.lookup('openai', 'gpt-4o', new Date('not a date'))).toBeUndefined();
  });

  it('refuses rows with a malformed date or a negative price', () => {
    const code = (rows: ModelPrice[]) => {
      try {
        createPriceTable([], rows);
      } catch (error) {
        return FlywheelError.is(error) ? error.code : 'not a FlywheelError';
      }
      return 'accepted';
    };
    expect(code([price('openai', 'm', '2024-1-1', 1)])).toBe('invalid_setting');
    expect(code([price('openai', 'm', '2024-02-30x', 1)])).toBe('invalid_setting');
    expect(code([price('openai', 'm', '2024-01-01', -1)])).toBe('invalid_setting');
    expect(code([{ ...price('openai', 'm', '2024-01-01', 1), cachedInputPerMillion: Number.NaN }])).toBe(
      'invalid_setting',
    );
    expect(code([price('openai', 'm', '2024-01-01', 0)])).toBe('accepted');
  });
});
