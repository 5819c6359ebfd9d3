import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { expandTest, parseSuiteSpec } from './suite-spec.js';

function problemsOf(raw: unknown): string[] {
  try {
    parseSuiteSpec(raw);
  } catch (error) {
    if (FlywheelError.is(error)) return (error.details as { problems: string[] }).problems;
    throw error;
  }
  throw new Error('expected the suite to be refused');
}

describe('suite spec (promptfoo layout)', () => {
  it('reads prompts, providers, tests and defaultTest in promptfoo layout', () => {
    const spec = parseSuiteSpec({
      description: 'capitals',
      prompts: [
        'What is the capital of {{country}}?',
        'file://prompts/chat.json',
        'prompt:support/triage@production',
        'prompt:support/triage@3',
        { id: 'short', label: 'Short', raw: 'Capital of {{country}}, one word.' },
      ],
      providers: ['flywheel:chat-default', { id: 'flywheel:chat-b', label: 'B', config: { temperature: 0 } }],
      defaultTest: {
        vars: { tone: 'plain' },
        assert: [{ type: 'not-icontains', value: 'sorry' }],
        options: { provider: 'flywheel:judge' },
      },
      tests: [
        {
          description: 'France',
          vars: { country: 'France' },
          assert: [{ type: 'icontains', value: 'Paris' }],
        },
        'file://cases.csv',
        'dataset:capitals@4',
        'dataset:capitals',
      ],
    });
    expect(spec.prompts).toEqual([
      { kind: 'inline', text: 'What is the capital of {{country}}?' },
      { kind: 'file', path: 'prompts/chat.json' },
      { kind: 'registry', name: 'support/triage', ref: { label: 'production' } },
      { kind: 'registry', name: 'support/triage', ref: { version: 3 } },
      { kind: 'inline', text: 'Capital of {{country}}, one word.', label: 'Short', id: 'short' },
    ]);
    expect(spec.providers).toEqual([
      { id: 'flywheel:chat-default', alias: 'chat-default', label: 'chat-default', config: {} },
      { id: 'flywheel:chat-b', alias: 'chat-b', label: 'B', config: { temperature: 0 } },
    ]);
    expect(spec.defaultTest).toEqual({
      vars: { tone: 'plain' },
      assert: [{ type: 'not-icontains', value: 'sorry' }],
      graderAlias: 'judge',
    });
    expect(spec.tests).toEqual([
      {
        kind: 'inline',
        index: 0,
        test: {
          description: 'France',
          vars: { country: 'France' },
          assert: [{ type: 'icontains', value: 'Paris' }],
        },
      },
      { kind: 'file', path: 'cases.csv' },
      { kind: 'dataset', name: 'capitals', version: 4 },
      { kind: 'dataset', name: 'capitals' },
    ]);
  });

  it("reads the grader and embedding models from defaultTest.options.provider's text and embedding", () => {
    const spec = parseSuiteSpec({
      prompts: 'x',
      providers: 'flywheel:m',
      defaultTest: { options: { provider: { text: 'flywheel:judge', embedding: { id: 'flywheel:embed' } } } },
    });
    expect(spec.defaultTest).toMatchObject({ graderAlias: 'judge', embeddingAlias: 'embed' });
  });

  it('accepts a single prompt or test file as a string', () => {
    const spec = parseSuiteSpec({
      prompts: 'file://p.txt',
      providers: 'flywheel:m',
      tests: 'file://t.jsonl',
    });
    expect(spec.prompts).toEqual([{ kind: 'file', path: 'p.txt' }]);
    expect(spec.tests).toEqual([{ kind: 'file', path: 't.jsonl' }]);
  });

  it('names every problem at once, with its path and what to write instead', () => {
    const problems = problemsOf({
      prompts: [42, 'prompt:bad name@prod', { label: 'x' }],
      providers: ['openai:gpt-4o-mini', { id: 'flywheel:a', temperature: 1 }],
      tests: [{ vars: 'x' }, 'cases.csv', { vars: {}, threshold: 2 }, { vars: {}, options: {} }],
      outputPath: 'out.json',
      surprise: true,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('outputPath: use --output'),
        expect.stringContaining('surprise: unknown key'),
        'prompts[0]: must be a mapping (key: value), got number',
        expect.stringContaining("prompts[1]: 'bad name' is not a prompt name"),
        expect.stringContaining('prompts[2].raw'),
        expect.stringContaining(
          'providers[0]: provider "openai:gpt-4o-mini" is not a Flywheel model; write flywheel:<alias>',
        ),
        expect.stringContaining('providers[1].temperature: unknown key'),
        expect.stringContaining('tests[0].vars: must be a mapping'),
        expect.stringContaining('tests[1]: a string test must be file://'),
        expect.stringContaining('tests[2].threshold: must be a number from 0 to 1'),
        expect.stringContaining('tests[3].options: per-test options are not supported'),
      ]),
    );
    expect(problemsOf({})).toEqual([
      'prompts: is required (a list of prompts to evaluate)',
      'providers: is required, e.g. [flywheel:chat-default]',
    ]);
    expect(problemsOf([1])).toEqual(['the suite: must be a mapping (key: value), got a list']);
  });

  it('merges defaultTest under each test and expands var lists into every combination', () => {
    const cases = expandTest(
      {
        vars: { country: ['France', 'Italy'], style: ['short', 'long'] },
        assert: [{ type: 'contains', value: 'x' }],
      },
      {
        vars: { style: 'plain', tone: 'kind' },
        assert: [{ type: 'not-contains', value: 'sorry' }],
        threshold: 0.5,
      },
    );
    // Vars expand in the order they are first named (defaultTest's first), the last varying fastest.
    expect(cases.map((testCase) => testCase.vars)).toEqual([
      { style: 'short', tone: 'kind', country: 'France' },
      { style: 'short', tone: 'kind', country: 'Italy' },
      { style: 'long', tone: 'kind', country: 'France' },
      { style: 'long', tone: 'kind', country: 'Italy' },
    ]);
    expect(cases[0]!.assert.map((assertion) => assertion.type)).toEqual(['not-contains', 'contains']);
    expect(cases[0]!.threshold).toBe(0.5);
  });
});
