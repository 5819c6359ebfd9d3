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
  type CsvRecord,
  CsvSyntaxError,
  csvRecords,
  FlywheelError,
  type PromptConfig,
  type PromptMessage,
  type PromptTemplate,
  type PromptVersionBody,
  promptMessageSchema,
  templateVariables,
} from '@flywheel/spec';
import { parse as parseYaml } from 'yaml';

/** What a suite needs from a Flywheel server: registry prompts and dataset items. */
export interface SuiteSources {
  getPrompt(name: string, ref: { version: number } | { label: string }): Promise<PromptVersionBody>;
  /**
   * The current items of a dataset (or those as of `version`), streamed, and the version read.
   * The loader reads a dataset twice, the second time at the version the first one read: once to
   * check the cases and once to run them.
   */
  datasetItems(
    name: string,
    version: number | undefined,
  ): Promise<{
    version: number;
    items: AsyncIterable<{ id: string; input: Record<string, unknown>; expected_output: unknown }>;
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
  /** The cases, built one at a time as they are pulled (none is held after it is run). */
  cases(): AsyncIterable<EvalCase>;
}

/** Where a test came from, and the case key it must keep (a dataset item's id). */
interface SourcedTest {
  test: TestSpec;
  where: string;
  key?: string;
}

/** One entry of `tests:`, readable as often as needed: each read yields the same tests in order. */
type TestSource = () => AsyncIterable<SourcedTest>;

/**
 * Reads a suite file, resolves its prompts (inline, `file://`, `prompt:name@label`) and checks
 * every case and assertion before anything runs, so a configuration mistake is reported up
 * front (exit code 2) with the file, case and assertion it is in.
 *
 * Cases are not kept: the check walks them once and `cases()` builds them again as the run pulls
 * them, from the test files' text (read once) and from the dataset versions the check read. So a
 * suite of 100,000 cases holds its files' text, not 100,000 case objects.
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
  const testSources: TestSource[] = [];
  for (const source of spec.tests) testSources.push(await testSourceOf(source, base, sources, datasets));

  // A case's key comes from its description and vars, so the same case pairs across runs; the
  // second and later cases with one key get `#1`, `#2`, …. The check counts every key; the run
  // then counts only the keys the check saw more than once.
  const keyHash = (test: TestSpec) =>
    createHash('sha256')
      .update(`${test.description ?? ''}\u0000${stableStringify(test.vars)}`)
      .digest('hex')
      .slice(0, 20);

  async function* walk(
    repeatedKeys: ReadonlySet<string> | undefined,
    counts: Map<string, number>,
  ): AsyncGenerator<EvalCase> {
    let index = 0;
    for (const source of testSources) {
      for await (const { test, where, key } of source()) {
        const expansions = expandTest(test, spec.defaultTest);
        for (const [offset, expanded] of expansions.entries()) {
          const label = expansions.length === 1 ? where : `${where} (vars #${offset + 1})`;
          let caseKey: string;
          if (key !== undefined && expansions.length === 1) caseKey = key;
          else {
            const hash = keyHash(expanded);
            const counted = repeatedKeys === undefined || repeatedKeys.has(hash);
            const seen = counted ? (counts.get(hash) ?? 0) : 0;
            if (counted) counts.set(hash, seen + 1);
            caseKey = seen === 0 ? hash : `${hash}#${seen}`;
          }
          yield {
            index,
            key: caseKey,
            vars: expanded.vars,
            assert: expanded.assert,
            ...(expanded.description !== undefined ? { description: expanded.description } : {}),
            ...(expanded.threshold !== undefined ? { threshold: expanded.threshold } : {}),
            source: label,
          };
          index += 1;
        }
      }
    }
  }

  const problems: string[] = [];
  let problemCount = 0;
  let caseCount = 0;
  const keyCounts = new Map<string, number>();
  for await (const evalCase of walk(undefined, keyCounts)) {
    caseCount += 1;
    const found = validateAssertions(evalCase.assert, evalCase.source ?? `case ${evalCase.index}`, registry);
    problemCount += found.length;
    for (const problem of found) if (problems.length < maxProblemsKept) problems.push(problem);
  }
  const repeatedKeys = new Set<string>();
  for (const [hash, count] of keyCounts) if (count > 1) repeatedKeys.add(hash);
  keyCounts.clear();
  if (spec.tests.length === 0) {
    problemCount += 1;
    problems.push('tests: list at least one test (inline, file:// or dataset:)');
  }
  if (problemCount > 0) {
    const shown = problems.slice(0, 50);
    throw new FlywheelError(
      'invalid_argument',
      `${path}: ${problemCount} problem${problemCount === 1 ? '' : 's'}:\n${shown.map((problem) => `  - ${problem}`).join('\n')}${problemCount > shown.length ? `\n  … and ${problemCount - shown.length} more` : ''}`,
      { details: { problems, problem_count: problemCount } },
    );
  }
  return {
    description: spec.description,
    prompts,
    providers: spec.providers,
    caseCount,
    datasets,
    graderAlias: spec.defaultTest.graderAlias,
    embeddingAlias: spec.defaultTest.embeddingAlias,
    cases: () => walk(repeatedKeys, new Map()),
  };
}

/** Problems listed in the error's details, at most (all are counted). */
const maxProblemsKept = 1_000;

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

async function testSourceOf(
  source: TestSourceSpec,
  base: string,
  sources: SuiteSources,
  datasets: Array<{ name: string; version: number }>,
): Promise<TestSource> {
  if (source.kind === 'inline') {
    const test: SourcedTest = { test: source.test, where: `tests[${source.index}]` };
    return async function* () {
      yield test;
    };
  }
  if (source.kind === 'dataset') {
    // The first read pins the version, so the run reads exactly the items that were checked.
    let first: Awaited<ReturnType<SuiteSources['datasetItems']>> | undefined = await sources.datasetItems(
      source.name,
      source.version,
    );
    const version = first.version;
    datasets.push({ name: source.name, version });
    return async function* () {
      const read = first ?? (await sources.datasetItems(source.name, version));
      first = undefined;
      for await (const item of read.items) {
        yield {
          test: {
            vars: {
              ...item.input,
              ...(item.expected_output !== null && item.expected_output !== undefined
                ? { expected: item.expected_output }
                : {}),
            },
            assert: [],
          },
          where: `dataset:${source.name}@${version}#${item.id}`,
          key: item.id,
        };
      }
    };
  }
  const path = resolve(base, source.path);
  const text = await readText(path, source.path);
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson')
    return async function* () {
      yield* jsonlTests(text, source.path);
    };
  if (extension === '.csv')
    return async function* () {
      yield* csvTests(text, source.path);
    };
  throw new FlywheelError(
    'invalid_argument',
    `${source.path}: test files must be .csv or .jsonl (one test object per line).`,
  );
}

function* jsonlTests(text: string, file: string): Generator<SourcedTest> {
  let start = 0;
  for (let lineNumber = 1; start <= text.length; lineNumber++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    start = end === -1 ? text.length + 1 : end + 1;
    if (line.trim() === '') continue;
    const where = `${file}:${lineNumber}`;
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
    yield { test: inline.test, where };
  }
}

/** Columns with a meaning of their own in promptfoo's CSV layout; every other column is a var. */
function* csvTests(text: string, file: string): Generator<SourcedTest> {
  try {
    let header: CsvRecord | undefined;
    for (const row of csvRecords(text)) {
      if (header === undefined) {
        header = row;
        continue;
      }
      yield csvTest(header, row, file);
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      throw new FlywheelError('invalid_argument', `${file}:${error.line}: ${error.message}`);
    throw error;
  }
}

function csvTest(header: CsvRecord, row: CsvRecord, file: string): SourcedTest {
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
