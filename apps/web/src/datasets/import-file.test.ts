import { describe, expect, it } from 'vitest';
import { assignRole, ImportFileError, mapImportRows, readImportSource, suggestRoles } from './import-file.js';

const csv = [
  'question,answer,source,note',
  'Where is my refund?,billing,email,x',
  '"Hi, ""you""",,chat,y',
  'Where is my refund?,billing,email,x',
].join('\n');

describe('mapping the columns of an import file to items', () => {
  it('maps CSV columns to input variables, expected output and metadata, leaving one out, with the CLI ids', () => {
    const source = readImportSource('cases.csv', csv);
    expect(source.columns).toEqual(['question', 'answer', 'source', 'note']);
    let roles = suggestRoles(source.columns);
    roles = assignRole(roles, 'answer', 'expected');
    roles = assignRole(roles, 'source', 'metadata');
    roles = assignRole(roles, 'note', 'ignore');
    const { rows, problems } = mapImportRows(source, roles);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        item: {
          id: 'row-5ae6e85e26b0bef41ba65c77',
          input: { question: 'Where is my refund?' },
          expected_output: 'billing',
          metadata: { source: 'email' },
        },
      },
      // An empty expected cell is no expected output.
      {
        line: 3,
        item: {
          id: 'row-eb06721448e29540cd0a2250',
          input: { question: 'Hi, "you"' },
          expected_output: null,
          metadata: { source: 'chat' },
        },
      },
      // The same content again gets its own id, made the same way on every import.
      {
        line: 4,
        item: {
          id: 'row-5ae6e85e26b0bef41ba65c77-2',
          input: { question: 'Where is my refund?' },
          expected_output: 'billing',
          metadata: { source: 'email' },
        },
      },
    ]);
  });

  it('makes every column not given another role an input variable, and takes ids from the id column', () => {
    const source = readImportSource('cases.csv', 'id,ticket,lang,expected_output\nt-1,Refund?,en,billing\n');
    const roles = suggestRoles(source.columns);
    expect(roles).toEqual({ id: 'id', ticket: 'input', lang: 'input', expected_output: 'expected' });
    expect(mapImportRows(source, roles).rows.map((row) => row.item)).toEqual([
      { id: 't-1', input: { ticket: 'Refund?', lang: 'en' }, expected_output: 'billing', metadata: {} },
    ]);
  });

  it('keeps one id and one expected column: choosing another makes the old one an input again', () => {
    const roles = assignRole({ a: 'expected', b: 'input', c: 'id' }, 'b', 'expected');
    expect(roles).toEqual({ a: 'input', b: 'expected', c: 'id' });
    expect(assignRole(roles, 'a', 'id')).toEqual({ a: 'id', b: 'expected', c: 'input' });
  });

  it('takes exported JSONL lines as they are and maps flat lines by their keys, keeping JSON values', () => {
    const text = [
      '{"id":"a","input":{"q":"one"},"expected_output":{"queue":"billing"},"metadata":{"k":1},"version":3}',
      '{"q":"é ünïcode ✓","n":[1,2],"a":{"x":1}}',
      '',
    ].join('\n');
    const source = readImportSource('items.jsonl', text);
    expect(source.columns).toEqual(['q', 'n', 'a']);
    const { rows, problems } = mapImportRows(
      source,
      assignRole(suggestRoles(source.columns), 'a', 'expected'),
    );
    expect(problems).toEqual([]);
    expect(rows.map((row) => [row.line, row.item])).toEqual([
      [1, { id: 'a', input: { q: 'one' }, expected_output: { queue: 'billing' }, metadata: { k: 1 } }],
      [
        2,
        {
          id: 'row-69d15031cb02046618d66eee',
          input: { q: 'é ünïcode ✓', n: [1, 2] },
          expected_output: { x: 1 },
          metadata: {},
        },
      ],
    ]);
  });

  it('lists every line that cannot be imported, and imports nothing then', () => {
    const source = readImportSource('cases.csv', 'id,q\nx,one\nx,two\n..,three\n');
    const { rows, problems } = mapImportRows(source, suggestRoles(source.columns));
    expect(rows).toEqual([]);
    expect(problems).toEqual([
      { line: 4, message: 'id: an item id may not consist of dots only' },
      { line: 3, message: "the id 'x' was already used on line 2; every item needs its own id." },
    ]);
    expect(mapImportRows(source, { id: 'ignore', q: 'metadata' }).problems).toEqual([
      { line: null, message: 'No column is left for the input: make at least one an input variable.' },
    ]);
  });

  it('refuses a file it cannot read, naming the line', () => {
    expect(() => readImportSource('bad.csv', 'a,b\n1,2,3\n')).toThrow(
      new ImportFileError(
        2,
        '3 fields, but the header has 2 columns; quote fields that contain commas ("a, b").',
      ),
    );
    expect(() => readImportSource('bad.csv', 'a,a\n1,2\n')).toThrow(/Line 1: the column 'a' appears twice/);
    expect(() => readImportSource('bad.csv', 'a\n"open\n')).toThrow(
      /Line 2: a quoted field opened here is never closed/,
    );
    expect(() => readImportSource('bad.jsonl', '{"q":1}\n[1]\n')).toThrow(
      /Line 2: each line must be one JSON object/,
    );
    expect(() => readImportSource('empty.csv', '')).toThrow(
      'The file is empty; the first line must name the columns.',
    );
  });
});
