import type { AssertionDefinition } from './assertion.js';
import {
  describeKind,
  errored,
  invalidValue,
  isTextValue,
  type Prepared,
  renderText,
  renderTextValue,
  scored,
  templateProblem,
  thresholdProblem,
} from './assertion-value.js';

/** Default maximum edit distance of `levenshtein` (as promptfoo). */
export const defaultLevenshteinThreshold = 5;
/** Default minimum score of `rouge-n` (as promptfoo). */
export const defaultRougeThreshold = 0.75;
/**
 * Largest edit-distance table `levenshtein` computes (characters of output × characters of value,
 * after removing the common prefix and suffix); past it the assertion errors instead of taking
 * seconds. 25 million cells take about 100 ms.
 */
export const maxLevenshteinCells = 25_000_000;

/**
 * `levenshtein`: the edit distance (insertions, deletions, substitutions of Unicode code points)
 * between the output and the value is at most `threshold` (default 5). The score is
 * `1 - distance / length of the longer string`, so near misses still earn partial credit in a
 * case's weighted score.
 *
 * @example
 * { type: 'levenshtein', value: 'colour', threshold: 1 } // 'color' passes, score 0.83
 */
export const levenshteinAssertion: AssertionDefinition = {
  type: 'levenshtein',
  validate: (config) => {
    if (!isTextValue(config.value))
      return `value must be the expected string, got ${describeKind(config.value)}`;
    const problem = typeof config.value === 'string' ? templateProblem(config.value) : undefined;
    return problem ?? thresholdProblem(config, { meaning: 'maximum edit distance', integer: true });
  },
  evaluate: (config, context) => {
    const rendered = renderTextValue(config.value as string | number, context.vars);
    if (!rendered.ok) return rendered.result;
    const threshold = config.threshold ?? defaultLevenshteinThreshold;
    const output = Array.from(context.output);
    const expected = Array.from(rendered.value);
    const distance = editDistance(output, expected);
    if (distance === undefined) {
      return errored(
        'assertion_input_too_large',
        `output (${output.length} characters) and value (${expected.length} characters) differ too much to compare by edit distance (limit ${maxLevenshteinCells} cells)`,
      );
    }
    const longer = Math.max(output.length, expected.length);
    const score = longer === 0 ? 1 : 1 - distance / longer;
    return distance <= threshold
      ? scored(true, `edit distance ${distance} is within the threshold ${threshold}`, score)
      : scored(false, `edit distance ${distance} exceeds the threshold ${threshold}`, score);
  },
};

/** Levenshtein distance over code points, or `undefined` when the table would be too large. */
function editDistance(left: readonly string[], right: readonly string[]): number | undefined {
  let start = 0;
  while (start < left.length && start < right.length && left[start] === right[start]) start++;
  let leftEnd = left.length;
  let rightEnd = right.length;
  while (leftEnd > start && rightEnd > start && left[leftEnd - 1] === right[rightEnd - 1]) {
    leftEnd--;
    rightEnd--;
  }
  const rows = leftEnd - start;
  const columns = rightEnd - start;
  if (rows === 0 || columns === 0) return rows + columns;
  if (rows * columns > maxLevenshteinCells) return undefined;
  let previous = new Uint32Array(columns + 1);
  let current = new Uint32Array(columns + 1);
  for (let column = 0; column <= columns; column++) previous[column] = column;
  for (let row = 1; row <= rows; row++) {
    current[0] = row;
    const character = left[start + row - 1];
    for (let column = 1; column <= columns; column++) {
      const substitution = previous[column - 1]! + (character === right[start + column - 1] ? 0 : 1);
      current[column] = Math.min(previous[column]! + 1, current[column - 1]! + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[columns]!;
}

/** The reference text and n-gram size of `rouge-n`. */
interface RougeValue {
  reference: string;
  n: number;
}

function rougeValue(value: unknown): { ok: true; value: RougeValue } | { ok: false; problem: string } {
  if (typeof value === 'string') {
    return value === ''
      ? { ok: false, problem: 'value must be a non-empty reference text' }
      : { ok: true, value: { reference: value, n: 1 } };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { reference, n = 1, ...rest } = value as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0)
      return { ok: false, problem: `value has unknown field(s) ${extra.join(', ')}; use reference and n` };
    if (typeof reference !== 'string' || reference === '') {
      return {
        ok: false,
        problem: `value.reference must be a non-empty reference text, got ${describeKind(reference)}`,
      };
    }
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      return {
        ok: false,
        problem: `value.n must be a positive integer (the n-gram size), got ${JSON.stringify(n)}`,
      };
    }
    return { ok: true, value: { reference, n } };
  }
  return {
    ok: false,
    problem: `value must be the reference text, or { reference, n }, got ${describeKind(value)}`,
  };
}

/** Lower-cased runs of letters and digits: whitespace and punctuation only separate tokens. */
function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
}

function nGramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let index = 0; index + n <= tokens.length; index++) {
    const gram = tokens.slice(index, index + n).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function referenceTokens(reference: string, n: number): Prepared<string[]> {
  const tokens = tokenize(reference);
  return tokens.length < n
    ? invalidValue(`the reference has ${tokens.length} word(s), fewer than n = ${n}`)
    : { ok: true, value: tokens };
}

/**
 * `rouge-n`: ROUGE-N recall of the output against a reference text: the share of the
 * reference's n-grams (counted with repetition) that the output also has. Text is lower-cased
 * and split on whitespace and punctuation. Passes when the score is at least `threshold`
 * (default 0.75). The value is the reference, or `{ reference, n }` for n-grams longer than 1.
 *
 * @example
 * { type: 'rouge-n', value: 'The cat sat on the mat', threshold: 0.8 }
 * { type: 'rouge-n', value: { reference: 'The cat sat on the mat', n: 2 } }
 */
export const rougeNAssertion: AssertionDefinition = {
  type: 'rouge-n',
  validate: (config) => {
    const parsed = rougeValue(config.value);
    if (!parsed.ok) return parsed.problem;
    const { reference, n } = parsed.value;
    const problem = reference.includes('{{')
      ? templateProblem(reference, typeof config.value === 'string' ? 'value' : 'value.reference')
      : referenceTokens(reference, n).ok
        ? undefined
        : `value must have at least ${n} word(s) for ROUGE-${n}`;
    return problem ?? thresholdProblem(config, { meaning: 'minimum ROUGE score', maximum: 1 });
  },
  evaluate: (config, context) => {
    const parsed = rougeValue(config.value);
    if (!parsed.ok) return errored('assertion_config_invalid', parsed.problem);
    const { n } = parsed.value;
    const rendered = renderText(parsed.value.reference, context.vars);
    if (!rendered.ok) return rendered.result;
    const reference = referenceTokens(rendered.value, n);
    if (!reference.ok) return reference.result;
    const expected = nGramCounts(reference.value, n);
    const produced = nGramCounts(tokenize(context.output), n);
    let overlap = 0;
    for (const [gram, count] of expected) overlap += Math.min(count, produced.get(gram) ?? 0);
    const score = overlap / (reference.value.length - n + 1);
    const threshold = config.threshold ?? defaultRougeThreshold;
    const shown = score.toFixed(2);
    return score >= threshold
      ? scored(true, `ROUGE-${n} recall ${shown} is at least the threshold ${threshold}`, score)
      : scored(false, `ROUGE-${n} recall ${shown} is below the threshold ${threshold}`, score);
  },
};
