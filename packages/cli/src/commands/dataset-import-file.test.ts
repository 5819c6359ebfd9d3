import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { type ColumnMapping, readImportFile } from './dataset-import-file.js';

function failure(source: string, text: string, mapping: ColumnMapping = {}): FlywheelError {
  try {
    readImportFile(source, text, mapping);
  } catch (error) {
    if (FlywheelError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a FlywheelError');
}

describe('readImportFile', () => {
  it('maps CSV columns: input by default every column not mapped elsewhere', () => {
    const rows = readImportFile(
      'qa.csv',
      'id,question,context,answer,source\nq1,Capital of France?,geo,Paris,wiki\nq2,"2+2, please",,,\n',
      { idColumn: 'id', expectedColumn: 'answer', metadataColumns: ['source'] },
    );
    expect(rows).toEqual([
      {
        line: 2,
        item: {
          id: 'q1',
          input: { question: 'Capital of France?', context: 'geo' },
          expected_output: 'Paris',
          metadata: { source: 'wiki' },
        },
      },
      {
        line: 3,
        item: {
          id: 'q2',
          input: { question: '2+2, please', context: '' },
          expected_output: null,
          metadata: { source: '' },
        },
      },
    ]);
    const chosen = readImportFile('qa.csv', 'a,b,c\n1,2,3\n', { inputColumns: ['b'] });
    expect(chosen[0]!.item.input).toEqual({ b: '2' });
  });

  it('gives rows without an id one made from their content, the same on every run', () => {
    const text = 'q,a\nsame,x\nsame,x\nother,y\n';
    const first = readImportFile('f.csv', text, { expectedColumn: 'a' }).map((row) => row.item.id);
    expect(first[0]).toMatch(/^row-[0-9a-f]{24}$/);
    expect(first[1]).toBe(`${first[0]}-2`);
    expect(first[2]).not.toBe(first[0]);
    expect(readImportFile('f.csv', text, { expectedColumn: 'a' }).map((row) => row.item.id)).toEqual(first);
  });

  it('reads JSONL as export writes it, and flat lines by the column flags', () => {
    const structured = readImportFile(
      'set.jsonl',
      [
        '{"id":"a","input":{"q":1},"expected_output":{"ok":true},"metadata":{"m":1},"source_trace_id":"tr-1","source_span_id":null}',
        '',
        '{"vars":{"q":2},"expected":"two","version":3,"created_at":"x"}',
      ].join('\n'),
      {},
    );
    expect(structured.map((row) => [row.line, row.item.input, row.item.expected_output])).toEqual([
      [1, { q: 1 }, { ok: true }],
      [3, { q: 2 }, 'two'],
    ]);
    expect(structured[0]!.item).toMatchObject({ id: 'a', source_trace_id: 'tr-1', metadata: { m: 1 } });
    const flat = readImportFile('flat.jsonl', '{"key":7,"question":"why?","n":[1,2],"answer":{"x":1}}\n', {
      idColumn: 'key',
      expectedColumn: 'answer',
    });
    expect(flat[0]!.item).toEqual({
      id: '7',
      input: { question: 'why?', n: [1, 2] },
      expected_output: { x: 1 },
      metadata: {},
    });
  });

  it('names the file, the line and what to fix', () => {
    const cases: Array<[string, string, ColumnMapping, string]> = [
      ['bad.csv', 'a,b\n1,2\n3,4,5\n', {}, 'bad.csv: line 3: 3 fields, but the header has 2 columns'],
      ['bad.csv', 'a,b\n1,"2\n', {}, 'bad.csv: line 2: a quoted field opened here is never closed'],
      [
        'bad.csv',
        'a,b\n1,2\n',
        { expectedColumn: 'answer' },
        "--expected-column names 'answer', but the columns are: a, b",
      ],
      ['bad.csv', 'a,b\n1,2\n', { inputColumns: ['a', 'nope'] }, "--input-columns names 'nope'"],
      ['bad.csv', 'a,a\n1,2\n', {}, "the column 'a' appears twice"],
      ['bad.csv', 'a\n1\n', { expectedColumn: 'a' }, 'no column is left for the input'],
      ['bad.csv', '', {}, 'the file is empty'],
      [
        'bad.csv',
        'id,q\nx,1\nx,2\n',
        { idColumn: 'id' },
        "bad.csv: line 3: the id 'x' was already used on line 2",
      ],
      ['bad.csv', 'id,q\nbad id,1\n', { idColumn: 'id' }, 'bad.csv: line 2: id: ids may use'],
      ['bad.csv', '__proto__,q\n1,2\n', {}, "'__proto__' cannot be a variable"],
      ['bad.jsonl', '{"input":{"q":1}}\n{"input":{"q":1}\n', {}, 'bad.jsonl: line 2: not valid JSON'],
      ['bad.jsonl', '[1,2]\n', {}, 'bad.jsonl: line 1: each line must be one JSON object'],
      ['bad.jsonl', '{"input":"text"}\n', {}, 'bad.jsonl: line 1: input:'],
      ['bad.jsonl', '{"input":{},"answer":1}\n', {}, "bad.jsonl: line 1: unknown field 'answer'"],
      ['bad.jsonl', '{"input":{},"vars":{}}\n', {}, "give 'input' or 'vars', not both"],
      ['bad.jsonl', '{"input":{}}\n', { expectedColumn: 'x' }, 'leave out --input-columns'],
      [
        'bad.jsonl',
        '{"q":1}\n{"other":2}\n',
        { inputColumns: ['q'] },
        "bad.jsonl: line 2: --input-columns names 'q', but the line has the keys: other",
      ],
    ];
    for (const [source, text, mapping, message] of cases) {
      const error = failure(source, text, mapping);
      expect(error.code === 'invalid_import_file' || error.code === 'invalid_argument', message).toBe(true);
      expect(error.message).toContain(message);
    }
    expect(failure('f.csv', 'a,b\n1,2\n', { inputColumns: ['a'], metadataColumns: ['a'] }).message).toContain(
      'given to both --metadata-columns and --input-columns',
    );
  });
});
