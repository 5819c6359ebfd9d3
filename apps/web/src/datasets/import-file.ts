import { CsvSyntaxError, type DatasetItemInput, datasetItemInputSchema, parseCsv } from '@flywheel/spec';
import { contentDigest } from './content-id.js';

/**
 * Reading a CSV or JSONL file for import, with the same rules as `flywheel datasets import`: CSV
 * values are text and an empty expected cell is none; a JSONL line with `input` (or `vars`) is
 * an item as `export` writes it, any other line is flat and mapped like a CSV row (its JSON values
 * kept); a row without an id gets one made from its content.
 */

/** What a column (or a key of flat JSONL lines) becomes. */
export type ColumnRole = 'input' | 'expected' | 'metadata' | 'id' | 'ignore';

/** Each column's role; a column not listed is an input variable. */
export type ColumnRoles = Readonly<Record<string, ColumnRole>>;

/** A row of the file before mapping. */
export type ImportSourceRow =
  | { line: number; kind: 'flat'; values: ReadonlyMap<string, unknown> }
  | { line: number; kind: 'structured'; object: Record<string, unknown> };

/** A file read and checked for syntax, ready to be mapped. */
export interface ImportSource {
  fileName: string;
  format: 'csv' | 'jsonl';
  /** The CSV header, or the keys of the flat JSONL lines in the order first seen. */
  columns: string[];
  rows: ImportSourceRow[];
}

/** An item ready to send, with the line of the file it came from. */
export interface ImportRow {
  line: number;
  item: DatasetItemInput & { id: string };
}

/** Why a line cannot be imported. */
export interface ImportProblem {
  /** 1-based; null for the file as a whole. */
  line: number | null;
  message: string;
}

/** The file cannot be read at all (syntax, an empty file): nothing to map. */
export class ImportFileError extends Error {
  readonly line: number | null;
  constructor(line: number | null, message: string) {
    super(line === null ? message : `Line ${line}: ${message}`);
    this.name = 'ImportFileError';
    this.line = line;
  }
}

/** Whether a file name is one the import reads: `.csv`, `.jsonl`, `.ndjson` or `.json`. */
export function isImportFileName(fileName: string): boolean {
  return /\.(csv|jsonl|ndjson|json)$/i.test(fileName);
}

/** Reads a file (CSV by its `.csv` extension, JSON Lines otherwise); throws {@link ImportFileError}. */
export function readImportSource(fileName: string, text: string): ImportSource {
  return fileName.toLowerCase().endsWith('.csv') ? readCsv(fileName, text) : readJsonl(fileName, text);
}

function readCsv(fileName: string, text: string): ImportSource {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new ImportFileError(error.line, error.message);
    throw error;
  }
  const [header, ...body] = records;
  if (!header) throw new ImportFileError(null, 'The file is empty; the first line must name the columns.');
  const columns = header.fields.map((name) => name.trim());
  columns.forEach((name, index) => {
    if (name === '')
      throw new ImportFileError(header.line, `column ${index + 1} has no name in the header line.`);
    if (columns.indexOf(name) !== index)
      throw new ImportFileError(
        header.line,
        `the column '${name}' appears twice in the header line; rename one.`,
      );
  });
  const rows = body.map((record): ImportSourceRow => {
    if (record.fields.length !== columns.length) {
      throw new ImportFileError(
        record.line,
        `${record.fields.length} fields, but the header has ${columns.length} columns; quote fields that contain commas ("a, b").`,
      );
    }
    return {
      line: record.line,
      kind: 'flat',
      values: new Map(columns.map((column, index) => [column, record.fields[index]])),
    };
  });
  return { fileName, format: 'csv', columns, rows };
}

function readJsonl(fileName: string, text: string): ImportSource {
  const columns: string[] = [];
  const rows: ImportSourceRow[] = [];
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ImportFileError(
        line,
        `not valid JSON (${(error as Error).message}); each line must be one JSON object.`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ImportFileError(
        line,
        'each line must be one JSON object, e.g. {"input": {"question": "…"}, "expected_output": "…"}.',
      );
    }
    const object = value as Record<string, unknown>;
    if ('input' in object || 'vars' in object) {
      rows.push({ line, kind: 'structured', object });
      return;
    }
    for (const key of Object.keys(object)) if (!columns.includes(key)) columns.push(key);
    rows.push({ line, kind: 'flat', values: new Map(Object.entries(object)) });
  });
  if (rows.length === 0) throw new ImportFileError(null, 'The file holds no items.');
  return { fileName, format: 'jsonl', columns, rows };
}

/**
 * The roles a file starts with: a column named `id` is the id, `expected_output` or `expected`
 * the expected output, every other one an input variable.
 */
export function suggestRoles(columns: readonly string[]): ColumnRoles {
  const roles: Record<string, ColumnRole> = {};
  for (const column of columns) roles[column] = 'input';
  const id = columns.find((column) => column.toLowerCase() === 'id');
  if (id !== undefined) roles[id] = 'id';
  const expected =
    columns.find((column) => column.toLowerCase() === 'expected_output') ??
    columns.find((column) => column.toLowerCase() === 'expected');
  if (expected !== undefined) roles[expected] = 'expected';
  return roles;
}

/** Gives a column a role; the id and the expected output are one column each, so another column holding it becomes an input. */
export function assignRole(roles: ColumnRoles, column: string, role: ColumnRole): ColumnRoles {
  const next: Record<string, ColumnRole> = { ...roles };
  if (role === 'id' || role === 'expected') {
    for (const [other, otherRole] of Object.entries(next)) if (otherRole === role) next[other] = 'input';
  }
  next[column] = role;
  return next;
}

/** The items of a file under a mapping, and every line that cannot be imported (then nothing is sent). */
export function mapImportRows(
  source: ImportSource,
  roles: ColumnRoles,
): { rows: ImportRow[]; problems: ImportProblem[] } {
  const roleOf = (column: string): ColumnRole => roles[column] ?? 'input';
  const problems: ImportProblem[] = [];
  const inputColumns = source.columns.filter((column) => roleOf(column) === 'input');
  const metadataColumns = source.columns.filter((column) => roleOf(column) === 'metadata');
  const idColumn = source.columns.find((column) => roleOf(column) === 'id');
  const expectedColumn = source.columns.find((column) => roleOf(column) === 'expected');
  const hasFlat = source.rows.some((row) => row.kind === 'flat');
  if (hasFlat && inputColumns.length === 0) {
    problems.push({
      line: null,
      message: 'No column is left for the input: make at least one an input variable.',
    });
  }
  if (inputColumns.includes('__proto__') || metadataColumns.includes('__proto__')) {
    problems.push({
      line: null,
      message: "A column named '__proto__' cannot be a variable; ignore it or rename it.",
    });
  }
  if (problems.length > 0) return { rows: [], problems };

  const items: Array<{ line: number; item: DatasetItemInput }> = [];
  for (const row of source.rows) {
    const built =
      row.kind === 'structured'
        ? structuredItem(row.object)
        : flatItem(row.values, source.format, { inputColumns, metadataColumns, idColumn, expectedColumn });
    if (typeof built === 'string') {
      problems.push({ line: row.line, message: built });
      continue;
    }
    const parsed = datasetItemInputSchema.safeParse(built);
    if (parsed.success) items.push({ line: row.line, item: parsed.data });
    else {
      const issue = parsed.error.issues[0]!;
      problems.push({
        line: row.line,
        message: `${issue.path.map(String).join('.') || 'item'}: ${issue.message}`,
      });
    }
  }
  const rows = assignIds(items, problems);
  return { rows: problems.length > 0 ? [] : rows, problems };
}

function flatItem(
  values: ReadonlyMap<string, unknown>,
  format: ImportSource['format'],
  plan: { inputColumns: string[]; metadataColumns: string[]; idColumn?: string; expectedColumn?: string },
): DatasetItemInput | string {
  // CSV rows hold every column; a flat JSONL line may leave keys out.
  const present = (column: string) => values.has(column);
  const rawId = plan.idColumn === undefined ? undefined : values.get(plan.idColumn);
  if (rawId !== undefined && rawId !== null && typeof rawId !== 'string' && typeof rawId !== 'number')
    return `the id field '${plan.idColumn}' must be a string or a number.`;
  const id = rawId === undefined || rawId === null ? '' : String(rawId);
  const expected = plan.expectedColumn === undefined ? undefined : values.get(plan.expectedColumn);
  return {
    ...(id === '' ? {} : { id }),
    input: Object.fromEntries(
      plan.inputColumns.filter(present).map((column) => [column, values.get(column)]),
    ),
    // An empty CSV cell is no expected output.
    expected_output: expected === undefined || (format === 'csv' && expected === '') ? null : expected,
    metadata: Object.fromEntries(
      plan.metadataColumns.filter(present).map((column) => [column, values.get(column)]),
    ),
  };
}

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

function structuredItem(object: Record<string, unknown>): DatasetItemInput | string {
  for (const key of Object.keys(object)) {
    if (!structuredKeys.has(key) && !ignoredKeys.has(key)) {
      return `unknown field '${key}'; a line with 'input' may hold id, input (or vars), expected_output (or expected), metadata, source_trace_id and source_span_id.`;
    }
  }
  for (const [name, alias] of [
    ['input', 'vars'],
    ['expected_output', 'expected'],
  ] as const) {
    if (name in object && alias in object) return `give '${name}' or '${alias}', not both.`;
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

function assignIds(
  items: Array<{ line: number; item: DatasetItemInput }>,
  problems: ImportProblem[],
): ImportRow[] {
  const firstLine = new Map<string, number>();
  const occurrences = new Map<string, number>();
  const rows: ImportRow[] = [];
  for (const { line, item } of items) {
    let id = item.id;
    if (id === undefined) {
      const digest = contentDigest(item);
      const seen = (occurrences.get(digest) ?? 0) + 1;
      occurrences.set(digest, seen);
      id = seen === 1 ? `row-${digest}` : `row-${digest}-${seen}`;
    }
    const earlier = firstLine.get(id);
    if (earlier !== undefined) {
      problems.push({
        line,
        message: `the id '${id}' was already used on line ${earlier}; every item needs its own id.`,
      });
      continue;
    }
    firstLine.set(id, line);
    rows.push({ line, item: { ...item, id } });
  }
  return rows;
}
