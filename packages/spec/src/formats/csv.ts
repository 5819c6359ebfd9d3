/** One record of a CSV file: its fields and the line it starts on (1-based). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A CSV syntax error: where, and what to fix. */
export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

/**
 * Parses CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF, fields
 * with commas, quotes or line breaks in double quotes, a quote inside them doubled (`""`). A
 * leading byte order mark is dropped and blank lines are skipped. Anything else is refused with
 * the line it is on, rather than guessed at: a quote inside an unquoted field, text after a
 * closing quote, a quote left open.
 *
 * @example
 * parseCsv('q,a\r\n"Hi, you","He said ""no"""\r\n'); // [{ line: 1, fields: ['q', 'a'] }, { line: 2, fields: ['Hi, you', 'He said "no"'] }]
 */
export function parseCsv(text: string): CsvRecord[] {
  return Array.from(csvRecords(text));
}

/**
 * {@link parseCsv} one record at a time, so a large file's records need not all be held at once.
 * A syntax error is thrown when the parse reaches it.
 */
export function* csvRecords(text: string): Generator<CsvRecord> {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let index = 0;
  // Whether the current record has seen anything (a blank line is no record).
  let started = false;

  while (index < input.length) {
    const char = input[index]!;
    if (!started) recordLine = line;
    if (char === '"') {
      if (field !== '') {
        throw new CsvSyntaxError(
          line,
          `a double quote inside an unquoted field (after '${field.slice(-20)}'); put the whole field in double quotes and write each quote in it twice ("")`,
        );
      }
      started = true;
      const openedOn = line;
      index += 1;
      for (;;) {
        if (index >= input.length) {
          throw new CsvSyntaxError(
            openedOn,
            'a quoted field opened here is never closed; end it with a double quote (write a quote inside it as "")',
          );
        }
        const inner = input[index]!;
        if (inner === '"') {
          if (input[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        if (inner === '\r' && input[index + 1] === '\n') {
          field += '\r\n';
          index += 2;
          line += 1;
          continue;
        }
        if (inner === '\n' || inner === '\r') line += 1;
        field += inner;
        index += 1;
      }
      const next = input[index];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvSyntaxError(
          line,
          `text after a closing double quote ('${input.slice(index, index + 20)}'); a quoted field must end at a comma or the end of the line`,
        );
      }
      continue;
    }
    if (char === ',') {
      started = true;
      fields.push(field);
      field = '';
      index += 1;
      continue;
    }
    if (char === '\n' || char === '\r') {
      index += char === '\r' && input[index + 1] === '\n' ? 2 : 1;
      if (started) yield { line: recordLine, fields: [...fields, field] };
      fields = [];
      field = '';
      started = false;
      line += 1;
      continue;
    }
    started = true;
    field += char;
    index += 1;
  }
  if (started) yield { line: recordLine, fields: [...fields, field] };
}
