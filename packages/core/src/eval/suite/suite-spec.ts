import { FlywheelError, promptLabelSchema, promptNameSchema } from '@flywheel/spec';
import type { AssertionConfig } from '../assertions/assertion.js';
import type { EvalProvider } from '../eval-suite.js';

/**
 * A suite file in promptfoo's layout (`prompts`, `providers`, `tests`, `vars`, `assert`,
 * `defaultTest`), checked and normalised, with the parts that need I/O (files, the registry,
 * datasets) left as references for the caller to resolve.
 */
export interface SuiteSpec {
  description?: string;
  prompts: PromptSpec[];
  providers: EvalProvider[];
  /** Inline cases and references to case files or datasets, in order. */
  tests: TestSourceSpec[];
  defaultTest: DefaultTestSpec;
}

/** Where a prompt comes from. */
export type PromptSpec =
  | { kind: 'inline'; text: string; label?: string; id?: string }
  | { kind: 'file'; path: string; label?: string; id?: string }
  | {
      kind: 'registry';
      name: string;
      ref: { version: number } | { label: string };
      label?: string;
      id?: string;
    };

/** Where cases come from. */
export type TestSourceSpec =
  | { kind: 'inline'; index: number; test: TestSpec }
  | { kind: 'file'; path: string }
  | { kind: 'dataset'; name: string; version?: number };

/** One test as written (before `defaultTest` is merged in and var lists are expanded). */
export interface TestSpec {
  description?: string;
  vars: Record<string, unknown>;
  assert: AssertionConfig[];
  threshold?: number;
}

/** `defaultTest`: vars and assertions every case gets. */
export interface DefaultTestSpec {
  vars: Record<string, unknown>;
  assert: AssertionConfig[];
  threshold?: number;
  /** `options.provider`: the gateway alias that grades `llm-rubric` and `factuality`. */
  graderAlias?: string;
  /** `options.provider.embedding`: the gateway alias `similar` embeds with. */
  embeddingAlias?: string;
}

const topLevelKeys = ['description', 'prompts', 'providers', 'tests', 'defaultTest'];
const testKeys = ['description', 'vars', 'assert', 'threshold'];
const providerKeys = ['id', 'label', 'config'];
const promptObjectKeys = ['id', 'label', 'raw'];

/**
 * Checks a parsed suite and normalises it. Every problem is collected (named by its path, e.g.
 * `tests[2].assert[0]`) and thrown at once as `invalid_suite`-style `invalid_argument`, so a
 * suite author fixes them in one pass.
 *
 * @example
 * const spec = parseSuiteSpec(yaml.parse(text));
 */
export function parseSuiteSpec(raw: unknown): SuiteSpec {
  const problems: string[] = [];
  const root = asRecord(raw, 'the suite', problems);
  if (!root) throw suiteError(problems);
  unknownKeys(root, topLevelKeys, '', problems, {
    scenarios: 'scenarios are not supported; list the cases under tests',
    outputPath: 'use --output on the command line instead of outputPath',
    evaluateOptions: 'use --concurrency and --repeat on the command line instead of evaluateOptions',
    sharing: 'results are stored in Flywheel; there is nothing to share',
  });
  const description = root.description;
  if (description !== undefined && typeof description !== 'string')
    problems.push('description: must be text');

  const prompts = listOf(root.prompts, 'prompts', problems).flatMap((entry, index) => {
    const prompt = parsePrompt(entry, `prompts[${index}]`, problems);
    return prompt ? [prompt] : [];
  });
  if (root.prompts !== undefined && prompts.length === 0 && problems.length === 0)
    problems.push('prompts: list at least one prompt');
  if (root.prompts === undefined) problems.push('prompts: is required (a list of prompts to evaluate)');

  const providers = listOf(root.providers, 'providers', problems).flatMap((entry, index) => {
    const provider = parseProvider(entry, `providers[${index}]`, problems);
    return provider ? [provider] : [];
  });
  if (root.providers === undefined) problems.push('providers: is required, e.g. [flywheel:chat-default]');

  const defaultTest = parseDefaultTest(root.defaultTest, problems);
  const tests: TestSourceSpec[] = [];
  listOf(root.tests, 'tests', problems).forEach((entry, index) => {
    if (typeof entry === 'string') {
      const source = parseTestSource(entry, `tests[${index}]`, problems);
      if (source) tests.push(source);
      return;
    }
    const test = parseTest(entry, `tests[${index}]`, problems);
    if (test) tests.push({ kind: 'inline', index, test });
  });
  if (problems.length > 0) throw suiteError(problems);
  return {
    ...(typeof description === 'string' ? { description } : {}),
    prompts,
    providers,
    tests,
    defaultTest,
  };
}

function parsePrompt(entry: unknown, where: string, problems: string[]): PromptSpec | undefined {
  if (typeof entry === 'string') return promptFromText(entry, where, problems, {});
  const record = asRecord(entry, where, problems);
  if (!record) return undefined;
  unknownKeys(record, promptObjectKeys, where, problems, {});
  if (typeof record.raw !== 'string') {
    problems.push(`${where}.raw: the prompt text (or file://path, prompt:name@label) is required`);
    return undefined;
  }
  const extra = {
    ...(typeof record.label === 'string' ? { label: record.label } : {}),
    ...(typeof record.id === 'string' ? { id: record.id } : {}),
  };
  return promptFromText(record.raw, where, problems, extra);
}

function promptFromText(
  text: string,
  where: string,
  problems: string[],
  extra: { label?: string; id?: string },
): PromptSpec | undefined {
  if (text.startsWith('file://')) return { kind: 'file', path: text.slice('file://'.length), ...extra };
  if (text.startsWith('prompt:')) {
    const reference = text.slice('prompt:'.length);
    const at = reference.lastIndexOf('@');
    const name = at === -1 ? reference : reference.slice(0, at);
    const refText = at === -1 ? 'production' : reference.slice(at + 1);
    if (!promptNameSchema.safeParse(name).success) {
      problems.push(`${where}: '${name}' is not a prompt name (write prompt:support/triage@production)`);
      return undefined;
    }
    if (/^\d+$/.test(refText) && Number(refText) > 0)
      return { kind: 'registry', name, ref: { version: Number(refText) }, ...extra };
    if (promptLabelSchema.safeParse(refText).success)
      return { kind: 'registry', name, ref: { label: refText }, ...extra };
    problems.push(`${where}: '@${refText}' must be a version number or a label (e.g. @3, @production)`);
    return undefined;
  }
  return { kind: 'inline', text, ...extra };
}

function parseProvider(entry: unknown, where: string, problems: string[]): EvalProvider | undefined {
  const record = typeof entry === 'string' ? { id: entry } : asRecord(entry, where, problems);
  if (!record) return undefined;
  unknownKeys(record, providerKeys, where, problems, {});
  const id = record.id;
  if (typeof id !== 'string' || !id.startsWith('flywheel:') || id.length === 'flywheel:'.length) {
    problems.push(
      `${where}: provider ${JSON.stringify(id)} is not a Flywheel model; write flywheel:<alias> with a model alias of flywheel.config.yaml (e.g. flywheel:chat-default) — calls go through the gateway`,
    );
    return undefined;
  }
  const config = record.config === undefined ? {} : asRecord(record.config, `${where}.config`, problems);
  if (!config) return undefined;
  const alias = id.slice('flywheel:'.length);
  return { id, alias, label: typeof record.label === 'string' ? record.label : alias, config };
}

function parseTestSource(entry: string, where: string, problems: string[]): TestSourceSpec | undefined {
  if (entry.startsWith('file://')) return { kind: 'file', path: entry.slice('file://'.length) };
  if (entry.startsWith('dataset:')) {
    const reference = entry.slice('dataset:'.length);
    const at = reference.lastIndexOf('@');
    const name = at === -1 ? reference : reference.slice(0, at);
    const version = at === -1 ? undefined : Number(reference.slice(at + 1));
    if (name === '' || (version !== undefined && !(Number.isInteger(version) && version > 0))) {
      problems.push(`${where}: write dataset:<name> or dataset:<name>@<version>`);
      return undefined;
    }
    return { kind: 'dataset', name, ...(version !== undefined ? { version } : {}) };
  }
  problems.push(
    `${where}: a string test must be file://cases.csv, file://cases.jsonl or dataset:<name>[@version]`,
  );
  return undefined;
}

function parseTest(entry: unknown, where: string, problems: string[]): TestSpec | undefined {
  const record = asRecord(entry, where, problems);
  if (!record) return undefined;
  unknownKeys(record, testKeys, where, problems, {
    options: 'per-test options are not supported; set defaultTest.options.provider for the grader',
  });
  const vars = record.vars === undefined ? {} : asRecord(record.vars, `${where}.vars`, problems);
  const assert = record.assert === undefined ? [] : listOf(record.assert, `${where}.assert`, problems);
  const threshold = parseThreshold(record.threshold, `${where}.threshold`, problems);
  if (record.description !== undefined && typeof record.description !== 'string')
    problems.push(`${where}.description: must be text`);
  if (!vars) return undefined;
  return {
    ...(typeof record.description === 'string' ? { description: record.description } : {}),
    vars,
    assert: assert as AssertionConfig[],
    ...(threshold !== undefined ? { threshold } : {}),
  };
}

function parseDefaultTest(raw: unknown, problems: string[]): DefaultTestSpec {
  if (raw === undefined) return { vars: {}, assert: [] };
  const record = asRecord(raw, 'defaultTest', problems);
  if (!record) return { vars: {}, assert: [] };
  unknownKeys(record, [...testKeys, 'options'], 'defaultTest', problems, {});
  const test = parseTest({ ...record, options: undefined }, 'defaultTest', problems) ?? {
    vars: {},
    assert: [],
  };
  let graderAlias: string | undefined;
  let embeddingAlias: string | undefined;
  if (record.options !== undefined) {
    const options = asRecord(record.options, 'defaultTest.options', problems);
    if (options) {
      unknownKeys(options, ['provider'], 'defaultTest.options', problems, {});
      const where = 'defaultTest.options.provider';
      const raw = options.provider;
      // promptfoo's layouts: a provider, or { text: provider, embedding: provider }.
      const split =
        typeof raw === 'object' &&
        raw !== null &&
        !Array.isArray(raw) &&
        ('text' in raw || 'embedding' in raw)
          ? (raw as Record<string, unknown>)
          : undefined;
      if (split) {
        unknownKeys(split, ['text', 'embedding'], where, problems, {});
        if (split.text !== undefined)
          graderAlias = parseProvider(split.text, `${where}.text`, problems)?.alias;
        if (split.embedding !== undefined)
          embeddingAlias = parseProvider(split.embedding, `${where}.embedding`, problems)?.alias;
      } else if (raw !== undefined) {
        graderAlias = parseProvider(raw, where, problems)?.alias;
      }
    }
  }
  const { description: _description, ...rest } = test;
  return {
    ...rest,
    ...(graderAlias !== undefined ? { graderAlias } : {}),
    ...(embeddingAlias !== undefined ? { embeddingAlias } : {}),
  };
}

function parseThreshold(raw: unknown, where: string, problems: string[]): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > 1) {
    problems.push(`${where}: must be a number from 0 to 1 (the weighted score a case needs)`);
    return undefined;
  }
  return raw;
}

function listOf(raw: unknown, where: string, problems: string[]): unknown[] {
  if (raw === undefined) return [];
  if (typeof raw === 'string') return [raw];
  if (!Array.isArray(raw)) {
    problems.push(`${where}: must be a list`);
    return [];
  }
  return raw;
}

function asRecord(raw: unknown, where: string, problems: string[]): Record<string, unknown> | undefined {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as Record<string, unknown>;
  problems.push(
    `${where}: must be a mapping (key: value), got ${Array.isArray(raw) ? 'a list' : typeof raw}`,
  );
  return undefined;
}

function unknownKeys(
  record: Record<string, unknown>,
  known: string[],
  where: string,
  problems: string[],
  hints: Record<string, string>,
) {
  for (const key of Object.keys(record)) {
    if (known.includes(key) || record[key] === undefined) continue;
    const path = where === '' ? key : `${where}.${key}`;
    problems.push(
      hints[key] ? `${path}: ${hints[key]}` : `${path}: unknown key (expected one of ${known.join(', ')})`,
    );
  }
}

function suiteError(problems: string[]): FlywheelError {
  return new FlywheelError(
    'invalid_argument',
    `The suite has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    { details: { problems } },
  );
}

/**
 * A test's cases after `defaultTest` is merged in: default vars under the test's, default
 * assertions first, and var lists expanded into every combination (promptfoo's rule), in order.
 */
export function expandTest(test: TestSpec, defaults: DefaultTestSpec): TestSpec[] {
  const vars = { ...defaults.vars, ...test.vars };
  const threshold = test.threshold ?? defaults.threshold;
  const base = {
    ...(test.description !== undefined ? { description: test.description } : {}),
    assert: [...defaults.assert, ...test.assert],
    ...(threshold !== undefined ? { threshold } : {}),
  };
  let combinations: Array<Record<string, unknown>> = [{}];
  for (const [name, value] of Object.entries(vars)) {
    const values = Array.isArray(value) ? value : [value];
    combinations = combinations.flatMap((combination) =>
      values.map((item) => ({ ...combination, [name]: item })),
    );
  }
  return combinations.map((combination) => ({ ...base, vars: combination }));
}
