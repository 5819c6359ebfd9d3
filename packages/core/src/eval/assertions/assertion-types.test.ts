import { describe, expect, it } from 'vitest';
import type { AssertionConfig, AssertionContext } from './assertion.js';
import { assertionRegistry, runAssertion, validateAssertions } from './registry.js';

/** A pass, a fail and a refused configuration for one assertion type. */
interface TypeCases {
  pass: { config: AssertionConfig; context: AssertionContext };
  fail: { config: AssertionConfig; context: AssertionContext };
  bad: { config: AssertionConfig; message: RegExp };
}

const on = (output: string, extra: Partial<AssertionContext> = {}): AssertionContext => ({
  output,
  vars: {},
  ...extra,
});

/** Services answering fixed results, for the types that call one. */
const judging = (answer: string): Partial<AssertionContext> => ({
  services: { grade: async () => ({ output: answer, cost: null }) },
});
const embedding = (vectors: number[][]): Partial<AssertionContext> => ({
  services: { embed: async () => vectors },
});
const sandboxed = (pass: boolean): Partial<AssertionContext> => ({
  services: {
    runJavascript: async () => ({ status: 'scored', pass, score: pass ? 1 : 0, reason: `returned ${pass}` }),
  },
});

const cases: Record<string, TypeCases> = {
  equals: {
    pass: { config: { type: 'equals', value: 'Paris' }, context: on('Paris') },
    fail: { config: { type: 'equals', value: 'Paris' }, context: on('Paris ') },
    bad: { config: { type: 'equals' }, message: /value must be the expected output .* got nothing/ },
  },
  contains: {
    pass: { config: { type: 'contains', value: 'Paris' }, context: on('It is Paris.') },
    fail: { config: { type: 'contains', value: 'Paris' }, context: on('It is paris.') },
    bad: { config: { type: 'contains', value: '' }, message: /value must be a non-empty string or a number/ },
  },
  icontains: {
    pass: { config: { type: 'icontains', value: 'PARIS' }, context: on('It is paris.') },
    fail: { config: { type: 'icontains', value: 'Lyon' }, context: on('It is paris.') },
    bad: {
      config: { type: 'icontains', value: ['a'] },
      message: /value must be a non-empty string .* got an array/,
    },
  },
  'contains-any': {
    pass: { config: { type: 'contains-any', value: ['Lyon', 'Paris'] }, context: on('Paris') },
    fail: { config: { type: 'contains-any', value: 'Lyon, Nice' }, context: on('Paris') },
    bad: {
      config: { type: 'contains-any', value: [] },
      message: /value must be a non-empty list of strings/,
    },
  },
  'contains-all': {
    pass: { config: { type: 'contains-all', value: 'red, blue' }, context: on('red and blue') },
    fail: { config: { type: 'contains-all', value: ['red', 'green'] }, context: on('red and blue') },
    bad: { config: { type: 'contains-all', value: '"red, blue' }, message: /unterminated quoted item/ },
  },
  'icontains-any': {
    pass: { config: { type: 'icontains-any', value: ['LYON', 'PARIS'] }, context: on('paris') },
    fail: { config: { type: 'icontains-any', value: ['LYON'] }, context: on('paris') },
    bad: {
      config: { type: 'icontains-any', value: [{ a: 1 }] },
      message: /value\[0\] must be a non-empty string/,
    },
  },
  'icontains-all': {
    pass: { config: { type: 'icontains-all', value: ['RED', 'Blue'] }, context: on('red and BLUE') },
    fail: { config: { type: 'icontains-all', value: ['RED', 'green'] }, context: on('red and BLUE') },
    bad: {
      config: { type: 'icontains-all', value: 7 as unknown },
      message: /value must be a non-empty list/,
    },
  },
  'starts-with': {
    pass: { config: { type: 'starts-with', value: 'Answer:' }, context: on('Answer: 42') },
    fail: { config: { type: 'starts-with', value: 'Answer:' }, context: on(' Answer: 42') },
    bad: {
      config: { type: 'starts-with', value: null },
      message: /value must be a non-empty string .* got null/,
    },
  },
  regex: {
    pass: { config: { type: 'regex', value: '^\\d{4}-\\d{2}$' }, context: on('2024-05') },
    fail: { config: { type: 'regex', value: '^\\d{4}-\\d{2}$' }, context: on('May 2024') },
    bad: {
      config: { type: 'regex', value: '(a' },
      message: /value must be a valid regular expression: Unterminated group/,
    },
  },
  'is-json': {
    pass: { config: { type: 'is-json' }, context: on(' {"a": 1} ') },
    fail: { config: { type: 'is-json' }, context: on('{"a": 1,}') },
    bad: {
      config: { type: 'is-json', value: { type: 'string', format: 'email' } },
      message: /"format" is not supported/,
    },
  },
  'json-schema': {
    pass: {
      config: { type: 'json-schema', value: { type: 'object', required: ['queue'] } },
      context: on('{"queue": "billing"}'),
    },
    fail: {
      config: { type: 'json-schema', value: '{"type": "object", "required": ["queue"]}' },
      context: on('{"team": "billing"}'),
    },
    bad: {
      config: { type: 'json-schema' },
      message: /value must be the JSON Schema the output has to match/,
    },
  },
  'contains-json': {
    pass: { config: { type: 'contains-json' }, context: on('Sure: {"a": [1, 2]} done') },
    fail: { config: { type: 'contains-json' }, context: on('Sure: {a: 1} done') },
    bad: { config: { type: 'contains-json', value: 'type: object' }, message: /YAML text is not supported/ },
  },
  levenshtein: {
    pass: { config: { type: 'levenshtein', value: 'colour', threshold: 1 }, context: on('color') },
    fail: { config: { type: 'levenshtein', value: 'colour', threshold: 1 }, context: on('colr') },
    bad: {
      config: { type: 'levenshtein', value: 'x', threshold: 1.5 },
      message: /threshold .* must be an integer >= 0/,
    },
  },
  'rouge-n': {
    pass: {
      config: { type: 'rouge-n', value: 'the cat sat on the mat' },
      context: on('The cat sat on the mat!'),
    },
    fail: { config: { type: 'rouge-n', value: 'the cat sat on the mat' }, context: on('A dog stood.') },
    bad: {
      config: { type: 'rouge-n', value: 'cat', threshold: 2 },
      message: /threshold .* must be a number between 0 and 1/,
    },
  },
  latency: {
    pass: { config: { type: 'latency', threshold: 1000 }, context: on('x', { latencyMs: 999 }) },
    fail: { config: { type: 'latency', threshold: 1000 }, context: on('x', { latencyMs: 1001 }) },
    bad: {
      config: { type: 'latency' },
      message: /threshold is required \(the maximum latency in milliseconds\)/,
    },
  },
  cost: {
    pass: { config: { type: 'cost', threshold: 0.01 }, context: on('x', { cost: 0.005 }) },
    fail: { config: { type: 'cost', threshold: 0.01 }, context: on('x', { cost: 0.02 }) },
    bad: { config: { type: 'cost', value: 0.01 }, message: /cost takes its bound from threshold/ },
  },
  'llm-rubric': {
    pass: {
      config: { type: 'llm-rubric', value: 'Is polite' },
      context: on('Thank you!', judging('{"reason": "polite", "pass": true, "score": 1}')),
    },
    fail: {
      config: { type: 'llm-rubric', value: 'Is polite' },
      context: on('Go away.', judging('{"reason": "rude", "pass": false, "score": 0.2}')),
    },
    bad: { config: { type: 'llm-rubric', value: '' }, message: /value must be the rubric/ },
  },
  factuality: {
    pass: {
      config: { type: 'factuality', value: 'Paris is the capital of France' },
      context: on('The capital of France is Paris.', judging('{"reason": "same", "category": "C"}')),
    },
    fail: {
      config: { type: 'factuality', value: 'Paris is the capital of France' },
      context: on('Lyon is the capital of France.', judging('{"reason": "Lyon", "category": "D"}')),
    },
    bad: { config: { type: 'factuality', value: ['a'] }, message: /value must be the reference answer/ },
  },
  similar: {
    pass: {
      config: { type: 'similar', value: 'The capital is Paris' },
      context: on(
        'Paris is the capital',
        embedding([
          [1, 0],
          [0.9, 0.1],
        ]),
      ),
    },
    fail: {
      config: { type: 'similar', value: 'The capital is Paris' },
      context: on(
        'I like turtles',
        embedding([
          [1, 0],
          [0.2, 0.9],
        ]),
      ),
    },
    bad: { config: { type: 'similar', value: [] }, message: /value must list at least one reference string/ },
  },
  javascript: {
    pass: {
      config: { type: 'javascript', value: 'output.length < 10' },
      context: on('short', sandboxed(true)),
    },
    fail: {
      config: { type: 'javascript', value: 'output.length < 10' },
      context: on('far too long', sandboxed(false)),
    },
    bad: { config: { type: 'javascript', value: '  ' }, message: /value must be JavaScript code/ },
  },
};

describe('every assertion type', () => {
  it('has a pass, a fail and a bad configuration below', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(assertionRegistry).sort());
  });

  for (const [type, { pass, fail, bad }] of Object.entries(cases)) {
    describe(type, () => {
      it('passes on a matching output', async () => {
        expect(validateAssertions([pass.config], 'case')).toEqual([]);
        const result = await runAssertion(pass.config, pass.context);
        expect(result).toMatchObject({ status: 'scored', pass: true });
        expect(result.status === 'scored' && result.score > 0 && result.reason.length > 0).toBe(true);
      });

      it('fails on an output that does not match, with a reason', async () => {
        expect(validateAssertions([fail.config], 'case')).toEqual([]);
        const result = await runAssertion(fail.config, fail.context);
        expect(result).toMatchObject({ status: 'scored', pass: false });
        expect(result.status === 'scored' && result.score < 1 && result.reason.length > 0).toBe(true);
      });

      it('refuses a bad configuration at load with a message naming the problem', async () => {
        const [message, ...rest] = validateAssertions([bad.config], 'tests[2]');
        expect(rest).toEqual([]);
        expect(message).toMatch(new RegExp(`^tests\\[2\\]\\.assert\\[0\\] \\(${type}\\): `));
        expect(message).toMatch(bad.message);
        expect(await runAssertion(bad.config, pass.context)).toMatchObject({
          status: 'errored',
          error: { code: 'assertion_config_invalid' },
        });
      });

      it(`negated as not-${type}, flips pass and takes 1 - score`, async () => {
        const passing = await runAssertion(pass.config, pass.context);
        const negatedPass = await runAssertion({ ...pass.config, type: `not-${type}` }, pass.context);
        const failing = await runAssertion(fail.config, fail.context);
        const negatedFail = await runAssertion({ ...fail.config, type: `not-${type}` }, fail.context);
        if (
          negatedPass.status !== 'scored' ||
          passing.status !== 'scored' ||
          negatedFail.status !== 'scored' ||
          failing.status !== 'scored'
        ) {
          throw new Error(`expected scored results, got ${negatedPass.status} and ${negatedFail.status}`);
        }
        expect(negatedPass.pass).toBe(false);
        expect(negatedPass.score).toBeCloseTo(1 - passing.score);
        expect(negatedFail.pass).toBe(true);
        expect(negatedFail.score).toBeCloseTo(1 - failing.score);
        expect(negatedFail.reason).toBe(failing.reason);
      });
    });
  }
});
