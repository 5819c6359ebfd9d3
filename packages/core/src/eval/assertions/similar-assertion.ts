import type { AssertionDefinition } from './assertion.js';
import {
  describeKind,
  errored,
  invalidValue,
  isTextValue,
  type Prepared,
  quote,
  renderTextValue,
  scored,
  templateProblem,
  thresholdProblem,
} from './assertion-value.js';
import { serviceFailed, serviceUnavailable } from './model-graded-assertions.js';

/** Default minimum cosine similarity of `similar` (as promptfoo). */
export const defaultSimilarThreshold = 0.75;

/**
 * `similar`: the output means about the same as the value, a reference string or a list of them
 * (`{{var}}` templates rendered), by the cosine similarity of their embeddings. The output and
 * every reference are embedded in one call; the score is the highest similarity to any reference
 * and the assertion passes when it reaches `threshold` (default 0.75). `not-similar` therefore
 * passes only when the output is unlike every reference, as in promptfoo.
 *
 * Unlike promptfoo, a negative cosine scores 0 (scores are 0..1), a value string is one reference
 * (not split at commas), an empty output fails with score 0 without calling the embedding model,
 * and a zero or malformed vector is errored (`assertion_embedding_invalid`), not a fail.
 *
 * @example
 * { type: 'similar', value: ['The capital is Paris', 'Paris'], threshold: 0.8 }
 */
export const similarAssertion: AssertionDefinition = {
  type: 'similar',
  validate: (config) =>
    valueProblem(config.value) ??
    thresholdProblem(config, { meaning: 'minimum cosine similarity', maximum: 1 }),
  evaluate: async (config, context) => {
    const prepared = references(config.value, context.vars);
    if (!prepared.ok) return prepared.result;
    const threshold = config.threshold ?? defaultSimilarThreshold;
    if (context.output.trim() === '') return scored(false, 'output is empty, so it is similar to nothing', 0);
    const embed = context.services?.embed;
    if (embed === undefined) {
      return serviceUnavailable(
        'similar needs an embedding model and this run has none: set defaultTest.options.provider.embedding: flywheel:<alias> in the suite',
      );
    }
    let vectors: number[][];
    try {
      vectors = await embed({ texts: [context.output, ...prepared.value] });
    } catch (error) {
      return serviceFailed('similar: the embedding call', error);
    }
    const problem = vectorsProblem(vectors, prepared.value.length + 1);
    if (problem !== undefined) return errored('assertion_embedding_invalid', `similar: ${problem}`);
    const [outputVector, ...referenceVectors] = vectors;
    let best = { similarity: Number.NEGATIVE_INFINITY, index: 0 };
    for (const [index, vector] of referenceVectors.entries()) {
      const similarity = cosineSimilarity(outputVector!, vector);
      if (similarity > best.similarity) best = { similarity, index };
    }
    if (!Number.isFinite(best.similarity)) {
      return errored('assertion_embedding_invalid', 'similar: the embeddings are too large to compare');
    }
    const score = Math.min(1, Math.max(0, best.similarity));
    const closest = prepared.value.length > 1 ? ` (closest: ${quote(prepared.value[best.index]!)})` : '';
    const shown = Math.round(best.similarity * 1000) / 1000;
    return score >= threshold
      ? scored(true, `similarity ${shown} reaches the threshold ${threshold}${closest}`, score)
      : scored(false, `similarity ${shown} is below the threshold ${threshold}${closest}`, score);
  },
};

function valueProblem(value: unknown): string | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return 'value must list at least one reference string';
  for (const [index, item] of items.entries()) {
    const what = Array.isArray(value) ? `value[${index}]` : 'value';
    if (!isTextValue(item) || item === '') {
      return `${what} must be a reference string (or a list of them), got ${describeKind(item)}`;
    }
    const problem = typeof item === 'string' ? templateProblem(item, what) : undefined;
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function references(value: unknown, vars: Record<string, unknown>): Prepared<string[]> {
  const items = (Array.isArray(value) ? value : [value]) as Array<string | number>;
  const rendered: string[] = [];
  for (const [index, item] of items.entries()) {
    const what = Array.isArray(value) ? `value[${index}]` : 'value';
    const text = renderTextValue(item, vars);
    if (!text.ok) return text;
    if (text.value.trim() === '') return invalidValue(`${what} rendered to an empty string`);
    rendered.push(text.value);
  }
  return { ok: true, value: rendered };
}

/** Why the embedding model's answer cannot be compared, or `undefined` when it can. */
function vectorsProblem(vectors: unknown, expected: number): string | undefined {
  if (!Array.isArray(vectors))
    return `the embedding model returned ${describeKind(vectors)} instead of vectors`;
  if (vectors.length !== expected) {
    return `the embedding model returned ${vectors.length} ${vectors.length === 1 ? 'vector' : 'vectors'} for ${expected} texts`;
  }
  const dimensions = Array.isArray(vectors[0]) ? vectors[0].length : 0;
  for (const [index, vector] of vectors.entries()) {
    const what = index === 0 ? 'the output' : `reference ${index}`;
    if (
      !Array.isArray(vector) ||
      vector.length === 0 ||
      !vector.every((x) => typeof x === 'number' && Number.isFinite(x))
    ) {
      return `the embedding of ${what} is not a list of numbers`;
    }
    if (vector.length !== dimensions) {
      return `the embeddings have different dimensions (${dimensions} and ${vector.length})`;
    }
    if (vector.every((x) => x === 0))
      return `the embedding of ${what} is a zero vector, which has no direction to compare`;
  }
  return undefined;
}

/** Cosine of the angle between two non-zero vectors of the same length. */
export function cosineSimilarity(left: readonly number[], right: readonly number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < left.length; index++) {
    const a = left[index]!;
    const b = right[index]!;
    dot += a * b;
    leftNorm += a * a;
    rightNorm += b * b;
  }
  return dot / (Math.sqrt(leftNorm) * Math.sqrt(rightNorm));
}
