import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import {
  type AssertionConfig,
  type AssertionRegistry,
  type EvalCase,
  type EvalPrompt,
  type EvalProvider,
  expandTest,
  type PromptSpec,
  parseSuiteSpec,
  type SuiteSpec,
  stableStringify,
  type TestSourceSpec,
  type TestSpec,
  validateAssertions,
} from '@flywheel/core';
import {
  CsvSyntaxError,
  FlywheelError,
  type PromptConfig,
  type PromptMessage,
  type PromptTemplate,
  type PromptVersionBody,
  parseCsv,
  promptMessageSchema,
  templateVariables,
} from '@flywheel/spec';
import { parse as parseYaml } from 'yaml';

/** What a suite needs from a Flywheel server: registry prompts and dataset items. */
export interface SuiteSources {
  getPrompt(name: string, ref: { version: number } | { label: string }): Promise<PromptVersionBody>;
  /** Every current item of a dataset (or as of `version`), and the version read. */
  datasetItems(
    name: string,
    version: number | undefined,
  ): Promise<{
    version: number;
    items: Array<{ id: string; input: Record<string, unknown>; expected_output: unknown }>;
  }>;
}

/** A suite ready to run: prompts resolved, cases checked and countable, streamed on demand. */
export interface LoadedSuite {
  description: string | undefined;
  prompts: EvalPrompt[];
  providers: EvalProvider[];
  caseCount: number;
  /** The dataset versions the cases came from (recorded on the experiment). */
  datasets: Array<{ name: string; version: number }>;
  /** `defaultTest.options.provider`: the gateway alias that grades. */
  graderAlias: string | undefined;
  /** `defaultTest.options.provider.embedding`: the gateway alias `similar` embeds with. */
  embeddingAlias: string | undefined;
  cases(): AsyncIterable<EvalCase>;
}

/**
 * Reads a suite file, resolves its prompts (inline, `file://`, `prompt:name@label`) and checks
 * every case and assertion before anything runs, so a configuration mistake is reported up
 * front (exit code 2) with the file, case and assertion it is in.
 */
export async function loadSuite(
  path: string,
  sources: SuiteSources,
  registry: AssertionRegistry,
): Promise<LoadedSuite> {
  const base = dirname(resolve(path));
  const text = await readText(path, 'the suite');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new FlywheelError('invalid_argument', `${path} is not valid YAML: ${(error as Error).message}`);
  }
  const spec: SuiteSpec = parseSuiteSpec(raw);
  const prompts = await Promise.all(
    spec.prompts.map((prompt, index) => resolvePrompt(prompt, index, base, sources)),
  );
  const datasets: Array<{ name: string; version: number }> = [];
  const sourcesOfCases: Array<() => Iterable<EvalCase>> = [];
  let index = 0;
  const keys = new Map<string, number>();
  const keyOf = (test: TestSpec) => {
    const hash = createHash('sha256')
      .update(`${test.description ?? ''}\u0000${stableStringify(test.vars)}`)
      .digest('hex')
      .slice(0, 20);
    const seen = keys.get(hash) ?? 0;
    keys.set(hash, seen + 1);
    return seen === 0 ? hash : `${hash}#${seen}`;
  };

  const problems: string[] = [];
  for (const source of spec.tests) {
    const tests = await testsOf(source, base, sources, datasets);
    const cases: EvalCase[] = [];
    for (const { test, where, key } of tests) {
      const expansions = expandTest(test, spec.defaultTest);
      for (const [offset, expanded] of expansions.entries()) {
        const label = expansions.length === 1 ? where : `${where} (vars #${offset + 1})`;
        problems.push(...validateAssertions(expanded.assert, label, registry));
        cases.push({
          index,
          key: key !== undefined && expansions.length === 1 ? key : keyOf(expanded),
          vars: expanded.vars,
          assert: expanded.assert,
          ...(expanded.description !== undefined ? { description: expanded.description } : {}),
          ...(expanded.threshold !== undefined ? { threshold: expanded.threshold } : {}),
          source: label,
        });
        index += 1;
      }
    }
    sourcesOfCases.push(() => cases);
  }
  if (spec.tests.length === 0) problems.push('tests: list at least one test (inline, file:// or dataset:)');
  if (problems.length > 0) {
    const shown = problems.slice(0, 50);
    throw new FlywheelError(
      'invalid_argument',
      `${path}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${shown.map((problem) => `  - ${problem}`).join('\n')}${problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : ''}`,
      { details: { problems } },
    );
  }
  return {
    description: spec.description,
    prompts,
    providers: spec.providers,
    caseCount: index,
    datasets,
    graderAlias: spec.defaultTest.graderAlias,
    embeddingAlias: spec.defaultTest.embeddingAlias,
    async *cases() {
      for (const source of sourcesOfCases) yield* source();
    },
  };
}

async function resolvePrompt(
  prompt: PromptSpec,
  index: number,
  base: string,
  sources: SuiteSources,
): Promise<EvalPrompt> {
  const where = `prompts[${index}]`;
  if (prompt.kind === 'registry') {
    const version = await sources.getPrompt(prompt.name, prompt.ref).catch((error: unknown) => {
      if (FlywheelError.is(error)) {
        throw new FlywheelError(error.code, `${where} (prompt:${prompt.name}): ${error.message}`);
      }
      throw error;
    });
    return {
      id: prompt.id ?? `prompt:${version.name}@${version.version}`,
      label: prompt.label ?? `${version.name}@${version.version}`,
      type: version.type,
      template: version.template,
      config: version.config,
      registry: { name: version.name, version: version.version },
    };
  }
  const text = prompt.kind === 'file' ? await readText(resolve(base, prompt.path), where) : prompt.text;
  const template = promptTemplate(text, prompt.kind === 'file' ? prompt.path : undefined, where);
  try {
    templateVariables(template);
  } catch (error) {
    if (FlywheelError.is(error)) throw new FlywheelError('invalid_argument', `${where}: ${error.message}`);
    throw error;
  }
  const id =
    prompt.id ??
    `${prompt.kind === 'file' ? `file:${prompt.path}:` : ''}${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  const label = prompt.label ?? (prompt.kind === 'file' ? prompt.path : oneLine(text));
  return {
    id,
    label,
    type: typeof template === 'string' ? 'text' : 'chat',
    template,
    config: {} as PromptConfig,
  };
}

/** A prompt's text as a template: a JSON list of `{role, content}` is a chat prompt (promptfoo's rule). */
function promptTemplate(text: string, file: string | undefined, where: string): PromptTemplate {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') && (file === undefined || extname(file) === '.json')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      if (Array.isArray(parsed) && parsed.length > 0) {
        const messages = parsed.map((message) => promptMessageSchema.parse(message)) as PromptMessage[];
        return messages;
      }
    } catch (error) {
      if (file !== undefined) {
        throw new FlywheelError(
          'invalid_argument',
          `${where} (${file}): a .json prompt must be a list of {"role": "system"|"user"|"assistant", "content": "…"} messages: ${(error as Error).message}`,
        );
      }
    }
  }
  return text;
}

interface SourcedTest {
  test: TestSpec;
  where: string;
  key?: string;
}

async function testsOf(
  source: TestSourceSpec,
  base: string,
  sources: SuiteSources,
  datasets: Array<{ name: string; version: number }>,
): Promise<SourcedTest[]> {
  if (source.kind === 'inline') return [{ test: source.test, where: `tests[${source.index}]` }];
  if (source.kind === 'dataset') {
    const read = await sources.datasetItems(source.name, source.version);
    datasets.push({ name: source.name, version: read.version });
    return read.items.map((item) => ({
      test: {
        vars: {
          ...item.input,
          ...(item.expected_output !== null && item.expected_output !== undefined
            ? { expected: item.expected_output }
            : {}),
        },
        assert: [],
      },
      where: `dataset:${source.name}@${read.version}#${item.id}`,
      key: item.id,
    }));
  }
  const path = resolve(base, source.path);
  const text = await readText(path, source.path);
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson') return jsonlTests(text, source.path);
  if (extension === '.csv') return csvTests(text, source.path);
  throw new FlywheelError(
    'invalid_argument',
    `${source.path}: test files must be .csv or .jsonl (one test object per line).`,
  );
}

function jsonlTests(text: string, file: string): SourcedTest[] {
  const tests: SourcedTest[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${file}:${index + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new FlywheelError('invalid_argument', `${where}: not valid JSON: ${(error as Error).message}`);
    }
    const spec = parseSuiteSpec({ prompts: ['x'], providers: ['flywheel:x'], tests: [parsed] });
    const inline = spec.tests[0];
    if (inline?.kind !== 'inline')
      throw new FlywheelError('invalid_argument', `${where}: must be a test object`);
    tests.push({ test: inline.test, where });
  });
  return tests;
}

/** Columns with a meaning of their own in promptfoo's CSV layout; every other column is a var. */
function csvTests(text: string, file: string): SourcedTest[] {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      throw new FlywheelError('invalid_argument', `${file}:${error.line}: ${error.message}`);
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) return [];
  return rows.map((row) => {
    const where = `${file}:${row.line}`;
    if (row.fields.length !== header.fields.length) {
      throw new FlywheelError(
        'invalid_argument',
        `${where}: has ${row.fields.length} fields but the header has ${header.fields.length}.`,
      );
    }
    const vars: Record<string, unknown> = {};
    const assert: AssertionConfig[] = [];
    let description: string | undefined;
    header.fields.forEach((column, index) => {
      const value = row.fields[index] ?? '';
      if (column.startsWith('__expected')) {
        if (value !== '') assert.push(expectedAssertion(value));
      } else if (column === '__description') {
        description = value;
      } else if (!column.startsWith('__')) {
        vars[column] = value;
      }
    });
    return { test: { vars, assert, ...(description !== undefined ? { description } : {}) }, where };
  });
}

const shorthandTypes: Record<string, string> = { grade: 'llm-rubric', fn: 'javascript', eval: 'javascript' };

/** `__expected` cells: `type: value` (e.g. `icontains: Paris`, `grade: is polite`), else `equals`. */
function expectedAssertion(cell: string): AssertionConfig {
  const match = /^(not-)?([a-z][a-z-]*):\s?([\s\S]*)$/.exec(cell);
  if (match) {
    const [, negation = '', type = '', value = ''] = match;
    return { type: `${negation}${shorthandTypes[type] ?? type}`, value };
  }
  return { type: 'equals', value: cell };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new FlywheelError(
      'invalid_argument',
      `Cannot read ${what} (${path}): ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
