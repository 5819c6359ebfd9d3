import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import type { AssertionConfig, AssertionContext, AssertionServices } from './assertion.js';
import { runAssertion, validateAssertions } from './registry.js';
import { cosineSimilarity } from './similar-assertion.js';

/** Embeddings answering known vectors and recording what was embedded. */
function fakeEmbeddings(answer: number[][] | (() => Promise<number[][]>)) {
  const calls: string[][] = [];
  const embed: NonNullable<AssertionServices['embed']> = async ({ texts }) => {
    calls.push(texts);
    return typeof answer === 'function' ? answer() : answer;
  };
  return { calls, services: { embed } satisfies AssertionServices };
}

const on = (output: string, services?: AssertionServices): AssertionContext => ({
  output,
  vars: { city: 'Paris' },
  ...(services ? { services } : {}),
});

const similar = (value: unknown, threshold?: number): AssertionConfig => ({
  type: 'similar',
  value,
  ...(threshold !== undefined ? { threshold } : {}),
});

describe('similar', () => {
  it('embeds the output and every rendered reference in one call and scores the best cosine', async () => {
    const embeddings = fakeEmbeddings([
      [1, 0, 0],
      [0, 1, 0],
      [0.8, 0.6, 0],
    ]);
    const result = await runAssertion(
      similar(['Rome is nice', 'The capital is {{city}}']),
      on('Paris is the capital', embeddings.services),
    );
    expect(embeddings.calls).toEqual([['Paris is the capital', 'Rome is nice', 'The capital is Paris']]);
    expect(result).toEqual({
      status: 'scored',
      pass: true,
      score: expect.closeTo(0.8, 9),
      reason: 'similarity 0.8 reaches the threshold 0.75 (closest: "The capital is Paris")',
    });
  });

  it('fails below the threshold, 0.75 by default or the one given', async () => {
    const embeddings = fakeEmbeddings([
      [1, 0],
      [0.7, 0.714142842854285],
    ]);
    expect(await runAssertion(similar('Paris'), on('Lyon', embeddings.services))).toEqual({
      status: 'scored',
      pass: false,
      score: expect.closeTo(0.7, 9),
      reason: 'similarity 0.7 is below the threshold 0.75',
    });
    expect(await runAssertion(similar('Paris', 0.6), on('Lyon', embeddings.services))).toMatchObject({
      pass: true,
    });
  });

  it('scores an opposite meaning 0, so not-similar passes when the output is unlike every reference', async () => {
    const embeddings = fakeEmbeddings([
      [1, 0],
      [-1, 0],
      [0, 1],
    ]);
    expect(await runAssertion(similar(['a', 'b']), on('x', embeddings.services))).toMatchObject({
      pass: false,
      score: 0,
    });
    expect(
      await runAssertion({ ...similar(['a', 'b']), type: 'not-similar' }, on('x', embeddings.services)),
    ).toMatchObject({
      pass: true,
      score: 1,
    });
  });

  it('fails an empty output without calling the embedding model', async () => {
    const embeddings = fakeEmbeddings([]);
    expect(await runAssertion(similar('Paris'), on(' ', embeddings.services))).toEqual({
      status: 'scored',
      pass: false,
      score: 0,
      reason: 'output is empty, so it is similar to nothing',
    });
    expect(embeddings.calls).toEqual([]);
  });

  it('errors on zero vectors and on answers that do not fit the texts', async () => {
    const answers: Array<[number[][], string]> = [
      [
        [
          [0, 0],
          [1, 0],
        ],
        'the embedding of the output is a zero vector',
      ],
      [[[1, 0]], 'returned 1 vector for 2 texts'],
      [
        [
          [1, 0],
          [1, 0, 0],
        ],
        'different dimensions (2 and 3)',
      ],
      [
        [
          [1, 0],
          [Number.NaN, 1],
        ],
        'the embedding of reference 1 is not a list of numbers',
      ],
    ];
    for (const [vectors, message] of answers) {
      expect(await runAssertion(similar('Paris'), on('Paris', fakeEmbeddings(vectors).services))).toEqual({
        status: 'errored',
        error: { code: 'assertion_embedding_invalid', message: expect.stringContaining(message) },
      });
    }
  });

  it('errors with what to configure when the run has no embedding model, and with the code of a failing one', async () => {
    expect(await runAssertion(similar('Paris'), on('Paris'))).toEqual({
      status: 'errored',
      error: {
        code: 'assertion_service_unavailable',
        message:
          'similar needs an embedding model and this run has none: set defaultTest.options.provider.embedding: flywheel:<alias> in the suite',
      },
    });
    const failing = fakeEmbeddings(() =>
      Promise.reject(new FlywheelError('upstream_rate_limited', 'slow down')),
    );
    expect(await runAssertion(similar('Paris'), on('Paris', failing.services))).toEqual({
      status: 'errored',
      error: { code: 'upstream_rate_limited', message: 'similar: the embedding call failed: slow down' },
    });
  });

  it('errors naming a missing variable or a reference that renders empty', async () => {
    const embeddings = fakeEmbeddings([]);
    expect(await runAssertion(similar('{{country}}'), on('x', embeddings.services))).toMatchObject({
      status: 'errored',
      error: { code: 'template_variables_missing' },
    });
    expect(
      await runAssertion(similar(['ok', '{{blank}}']), {
        output: 'x',
        vars: { blank: ' ' },
        services: embeddings.services,
      }),
    ).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_value_invalid', message: 'value[1] rendered to an empty string' },
    });
    expect(embeddings.calls).toEqual([]);
  });

  it('refuses a bad configuration at load', () => {
    expect(
      validateAssertions(
        [
          { type: 'similar' },
          similar([]),
          similar(['ok', '']),
          similar('ok', 1.5),
          similar(['{{#x}}']),
          similar(['a', 3], 0.9),
        ],
        'c',
      ),
    ).toEqual([
      'c.assert[0] (similar): value must be a reference string (or a list of them), got nothing',
      'c.assert[1] (similar): value must list at least one reference string',
      'c.assert[2] (similar): value[1] must be a reference string (or a list of them), got an empty string',
      'c.assert[3] (similar): threshold (the minimum cosine similarity) must be a number between 0 and 1, got 1.5',
      expect.stringContaining('c.assert[4] (similar): value[0] is not a valid template'),
    ]);
  });
});

describe('cosineSimilarity', () => {
  it('is 1 for the same direction, 0 for orthogonal and -1 for opposite vectors', () => {
    expect(cosineSimilarity([2, 0], [5, 0])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 3])).toBeCloseTo(0);
    expect(cosineSimilarity([1, 1], [-1, -1])).toBeCloseTo(-1);
  });
});
