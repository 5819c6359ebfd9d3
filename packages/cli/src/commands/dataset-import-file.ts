import { createHash } from 'node:crypto';
import { stableStringify } from '@flywheel/core';
import {
  CsvSyntaxError,
  type DatasetItemInput,
  datasetItemInputSchema,
  FlywheelError,
  parseCsv,
} from '@flywheel/spec';

/** How the columns of a CSV file (or the keys of flat JSONL lines) become an item's fields. */
export interface ColumnMapping {
  /** The item's variables; default: every column not mapped elsewhere. */
  inputColumns?: string[];
  expectedColumn?: string;
  metadataColumns?: string[];
  idColumn?: string;
}

/** An item read from a file, with the line it came from. */
export interface ImportRow {
  line: number;
  item: DatasetItemInput & { id: string };
}

/** Keys a structured JSONL line may hold (`vars` and `expected` are accepted as aliases). */
const structuredKeys = new Set([
  'id',
  'input',
  'vars',
  'expected_output',
  'expected',
  'metadata',
  'source_trace_id',
  'source_span_id',
]);
/** Keys of an exported line that are not content; they are ignored on import. */
const ignoredKeys = new Set(['version', 'created_at', 'updated_at']);

/**
 * Reads the items of a CSV or JSONL file (chosen by its extension: `.csv`, else `.jsonl` /
 * `.ndjson` / `.json`). Every line is checked before anything is sent; an error names the file,
 * the line and what to fix. An item without an id gets one made from its content (and, for
 * repeated content, how many times it came before), so importing the same file again, or
 * again after an interrupted import, adds nothing twice.
 */
export function readImportFile(source: string, text: string, mapping: ColumnMapping): ImportRow[] {
  const isCsv = source.toLowerCase().endsWith('.csv');
  const rows = isCsv ? readCsv(source, text, mapping) : readJsonl(source, text, mapping);
  return assignIds(source, rows);
}

function fail(source: string, line: number | null, message: string): FlywheelError {
  return new FlywheelError(
    'invalid_import_file',
    `${source}${line === null ? '' : `: line ${line}`}: ${message}`,
  );
}

function readCsv(
  source: string,
  text: string,
  mapping: ColumnMapping,
): Array<{ line: number; item: DatasetItemInput }> {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw fail(source, error.line, error.message);
    throw error;
  }
  const [header, ...body] = records;
  if (!header) throw fail(source, null, 'the file is empty; the first line must name the columns');
  const columns = header.fields.map((name) => name.trim());
  columns.forEach((name, index) => {
    if (name === '') throw fail(source, header.line, `column ${index + 1} has no name in the header line`);
    if (columns.indexOf(name) !== index)
      throw fail(source, header.line, `the column '${name}' appears twice in the header line; rename one`);
  });
  const plan = planColumns(source, columns, mapping, header.line);
  return body.map((record) => {
    if (record.fields.length !== columns.length) {
      throw fail(
        source,
        record.line,
        `${record.fields.length} fields, but the header has ${columns.length} columns; quote fields that contain commas ("a, b")`,
      );
    }
    const value = (column: string) => record.fields[columns.indexOf(column)]!;
    const expected = plan.expected === undefined ? '' : value(plan.expected);
    const id = plan.id === undefined ? '' : value(plan.id);
    const item: DatasetItemInput = {
      ...(id === '' ? {} : { id }),
      input: Object.fromEntries(plan.input.map((column) => [column, value(column)])),
      // An empty cell is no expected output.
      expected_output: expected === '' ? null : expected,
      metadata: Object.fromEntries(plan.metadata.map((column) => [column, value(column)])),
    };
    return { line: record.line, item: checkItem(source, record.line, item) };
  });
}

function readJsonl(
  source: string,
  text: string,
  mapping: ColumnMapping,
): Array<{ line: number; item: DatasetItemInput }> {
  const flagsGiven =
    mapping.inputColumns !== undefined ||
    mapping.expectedColumn !== undefined ||
    mapping.metadataColumns !== undefined ||
    mapping.idColumn !== undefined;
  const rows: Array<{ line: number; item: DatasetItemInput }> = [];
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw fail(
        source,
        line,
        `not valid JSON (${(error as Error).message}); each line must be one JSON object`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw fail(
        source,
        line,
        'each line must be one JSON object, e.g. {"input": {"question": "…"}, "expected_output": "…"}',
      );
    const object = value as Record<string, unknown>;
    if ('input' in object || 'vars' in object) {
      if (flagsGiven) {
        throw fail(
          source,
          line,
          `the line has an '${'input' in object ? 'input' : 'vars'}' field, so it already says which field is what; leave out --input-columns, --expected-column, --metadata-columns and --id-column (they map flat lines)`,
        );
      }
      rows.push({ line, item: checkItem(source, line, structuredItem(source, line, object)) });
      return;
    }
    const keys = Object.keys(object);
    const plan = planColumns(source, keys, mapping, line, true);
    const rawId = plan.id === undefined ? undefined : object[plan.id];
    if (rawId !== undefined && rawId !== null && typeof rawId !== 'string' && typeof rawId !== 'number')
      throw fail(source, line, `the id field '${plan.id}' must be a string or a number`);
    const id = rawId === undefined || rawId === null ? '' : String(rawId);
    const item: DatasetItemInput = {
      ...(id === '' ? {} : { id }),
      input: Object.fromEntries(plan.input.map((key) => [key, object[key]])),
      expected_output: plan.expected === undefined ? null : (object[plan.expected] ?? null),
      metadata: Object.fromEntries(
        plan.metadata.filter((key) => key in object).map((key) => [key, object[key]]),
      ),
    };
    rows.push({ line, item: checkItem(source, line, item) });
  });
  return rows;
}

function structuredItem(source: string, line: number, object: Record<string, unknown>): DatasetItemInput {
  for (const key of Object.keys(object)) {
    if (!structuredKeys.has(key) && !ignoredKeys.has(key)) {
      throw fail(
        source,
        line,
        `unknown field '${key}'; a line with 'input' may hold id, input (or vars), expected_output (or expected), metadata, source_trace_id and source_span_id`,
      );
    }
  }
  for (const [name, alias] of [
    ['input', 'vars'],
    ['expected_output', 'expected'],
  ] as const) {
    if (name in object && alias in object) throw fail(source, line, `give '${name}' or '${alias}', not both`);
  }
  const pick = (key: string) => (key in object ? { [key]: object[key] } : {});
  return {
    ...pick('id'),
    input: (object.input ?? object.vars) as Record<string, unknown>,
    expected_output: object.expected_output ?? object.expected ?? null,
    ...pick('metadata'),
    ...pick('source_trace_id'),
    ...pick('source_span_id'),
  } as DatasetItemInput;
}

interface ColumnPlan {
  input: string[];
  expected: string | undefined;
  metadata: string[];
  id: string | undefined;
}

/** Which columns go where; unknown or twice-mapped columns are refused, naming the ones there are. */
function planColumns(
  source: string,
  columns: string[],
  mapping: ColumnMapping,
  line: number,
  perLine = false,
): ColumnPlan {
  const where = perLine ? 'the line has the keys' : 'the columns are';
  const known = (column: string, flag: string, optional: boolean) => {
    if (!columns.includes(column) && !optional) {
      throw fail(source, line, `${flag} names '${column}', but ${where}: ${columns.join(', ') || '(none)'}`);
    }
  };
  // On flat JSONL lines only the input columns must be there; the others may be left out per line.
  for (const column of mapping.inputColumns ?? []) known(column, '--input-columns', false);
  if (mapping.expectedColumn !== undefined) known(mapping.expectedColumn, '--expected-column', perLine);
  for (const column of mapping.metadataColumns ?? []) known(column, '--metadata-columns', perLine);
  if (mapping.idColumn !== undefined) known(mapping.idColumn, '--id-column', perLine);
  const taken = new Map<string, string>();
  const claim = (column: string, flag: string) => {
    const other = taken.get(column);
    if (other !== undefined && other !== flag)
      throw new FlywheelError(
        'invalid_argument',
        `The column '${column}' is given to both ${other} and ${flag}; give it to one.`,
      );
    taken.set(column, flag);
  };
  if (mapping.idColumn !== undefined) claim(mapping.idColumn, '--id-column');
  if (mapping.expectedColumn !== undefined) claim(mapping.expectedColumn, '--expected-column');
  for (const column of mapping.metadataColumns ?? []) claim(column, '--metadata-columns');
  for (const column of mapping.inputColumns ?? []) claim(column, '--input-columns');
  const input = mapping.inputColumns ?? columns.filter((column) => !taken.has(column));
  if (input.length === 0) {
    throw fail(source, line, 'no column is left for the input; name the input columns with --input-columns');
  }
  if (input.includes('__proto__') || (mapping.metadataColumns ?? []).includes('__proto__'))
    throw fail(source, line, "a column named '__proto__' cannot be a variable; rename it");
  return {
    input,
    expected: mapping.expectedColumn,
    metadata: mapping.metadataColumns ?? [],
    id: mapping.idColumn,
  };
}

function checkItem(source: string, line: number, item: DatasetItemInput): DatasetItemInput {
  const parsed = datasetItemInputSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw fail(source, line, `${issue.path.map(String).join('.') || 'item'}: ${issue.message}`);
}

/** Gives every item an id: its own, or one made from its content; refuses an id used twice. */
function assignIds(source: string, rows: Array<{ line: number; item: DatasetItemInput }>): ImportRow[] {
  const firstLine = new Map<string, number>();
  const occurrences = new Map<string, number>();
  return rows.map(({ line, item }) => {
    let id = item.id;
    if (id === undefined) {
      const digest = createHash('sha256')
        .update(stableStringify([item.input, item.expected_output ?? null, item.metadata ?? {}]))
        .digest('hex')
        .slice(0, 24);
      const seen = (occurrences.get(digest) ?? 0) + 1;
      occurrences.set(digest, seen);
      id = seen === 1 ? `row-${digest}` : `row-${digest}-${seen}`;
    }
    const earlier = firstLine.get(id);
    if (earlier !== undefined)
      throw fail(
        source,
        line,
        `the id '${id}' was already used on line ${earlier}; every item needs its own id`,
      );
    firstLine.set(id, line);
    return { line, item: { ...item, id } };
  });
}
