import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './csv.js';

const fields = (text: string) => parseCsv(text).map((record) => record.fields);

function syntaxError(text: string): CsvSyntaxError {
  try {
    parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a CsvSyntaxError');
}

describe('parseCsv', () => {
  it('splits records on LF and CRLF, with or without a final line break', () => {
    expect(fields('a,b\nc,d')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(fields('a,b\r\nc,d\r\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks inside', () => {
    const records = parseCsv('q,a\r\n"Hi, you","He said ""no"""\r\n"two\r\nlines","x\ny"\n');
    expect(records).toEqual([
      { line: 1, fields: ['q', 'a'] },
      { line: 2, fields: ['Hi, you', 'He said "no"'] },
      { line: 3, fields: ['two\r\nlines', 'x\ny'] },
    ]);
  });

  it('keeps empty fields, quoted or not, and spaces as they are', () => {
    expect(fields('a,,"",b \n')).toEqual([['a', '', '', 'b ']]);
    expect(fields('""\n')).toEqual([['']]);
  });

  it('drops a byte order mark and skips blank lines, counting lines as written', () => {
    const records = parseCsv('\uFEFFname,age\n\nAda,36\r\n\r\nAlan,41\n');
    expect(records).toEqual([
      { line: 1, fields: ['name', 'age'] },
      { line: 3, fields: ['Ada', '36'] },
      { line: 5, fields: ['Alan', '41'] },
    ]);
  });

  it('refuses a quote left open, naming the line it opened on', () => {
    const error = syntaxError('a,b\n1,"never\nclosed\n');
    expect(error.line).toBe(2);
    expect(error.message).toContain('never closed');
  });

  it('refuses a quote inside an unquoted field and text after a closing quote', () => {
    const inside = syntaxError('a,b\nx,5"1\n');
    expect(inside.line).toBe(2);
    expect(inside.message).toContain('double quote inside an unquoted field');
    const after = syntaxError('a,b\n"x"y,1\n');
    expect(after.line).toBe(2);
    expect(after.message).toContain('text after a closing double quote');
  });
});
