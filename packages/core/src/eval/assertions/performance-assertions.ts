import type { AssertionConfig, AssertionDefinition } from './assertion.js';
import { scored, skipped, thresholdProblem } from './assertion-value.js';

/** One bound on a measured figure of the call, as data. */
interface BudgetVariant {
  type: string;
  /** What `threshold` means, for messages. */
  meaning: string;
  measure: (context: { latencyMs?: number; cost?: number | null }) => number | null | undefined;
  format: (amount: number) => string;
  /** Why the figure may be unknown, for the skipped reason. */
  unknown: string;
}

function budgetDefinition(variant: BudgetVariant): AssertionDefinition {
  return {
    type: variant.type,
    validate: (config: AssertionConfig) => {
      if (config.value !== undefined) {
        return `${variant.type} takes its bound from threshold (the ${variant.meaning}), not value`;
      }
      return thresholdProblem(config, { meaning: variant.meaning, required: true });
    },
    evaluate: (config, context) => {
      const measured = variant.measure(context);
      if (typeof measured !== 'number' || !Number.isFinite(measured)) return skipped(variant.unknown);
      const threshold = config.threshold!;
      const shown = `${variant.format(measured)} (threshold ${variant.format(threshold)})`;
      return measured <= threshold
        ? scored(true, `${variant.type} ${shown} is within budget`)
        : scored(false, `${variant.type} ${shown} is over budget`);
    },
  };
}

/**
 * `latency`: producing the output took at most `threshold` milliseconds. Skipped when the
 * latency is unknown (a cached result), where promptfoo fails the assertion.
 *
 * @example
 * { type: 'latency', threshold: 2000 }
 */
export const latencyAssertion = budgetDefinition({
  type: 'latency',
  meaning: 'maximum latency in milliseconds',
  measure: (context) => context.latencyMs,
  format: (amount) => `${amount} ms`,
  unknown: 'latency is unknown for this output (a cached result)',
});

/**
 * `cost`: producing the output cost at most `threshold` US dollars. Skipped when the cost is
 * unknown (no price for the model, or a cached result), where promptfoo fails the assertion.
 *
 * @example
 * { type: 'cost', threshold: 0.002 }
 */
export const costAssertion = budgetDefinition({
  type: 'cost',
  meaning: 'maximum cost in US dollars',
  measure: (context) => context.cost,
  format: (amount) => `$${amount}`,
  unknown: 'cost is unknown for this output (no price for the model, or a cached result)',
});
