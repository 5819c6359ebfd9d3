import type { PromptConfig, PromptTemplate } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import {
  type DiffLine,
  diffConfig,
  diffLines,
  diffPromptVersions,
  maxMyersEdits,
  maxMyersLines,
  templateText,
} from './prompt-diff.js';

/** A compact view of a diff: `' a'` equal, `'-a'` removed, `'+a'` added. */
const compact = (lines: DiffLine[]): string[] =>
  lines.map((line) => `${line.op === 'equal' ? ' ' : line.op === 'add' ? '+' : '-'}${line.text}`);

/** The `from` side of a diff: its equal and removed lines, in order. */
const fromSide = (lines: DiffLine[]): string[] =>
  lines.filter((line) => line.op !== 'add').map((line) => line.text);

/** The `to` side of a diff: its equal and added lines, in order. */
const toSide = (lines: DiffLine[]): string[] =>
  lines.filter((line) => line.op !== 'remove').map((line) => line.text);

/** Checks both sides reconstruct and the line numbers count 1, 2, 3… on each side. */
function expectConsistent(lines: DiffLine[], from: string, to: string): void {
  expect(fromSide(lines)).toEqual(from.split('\n'));
  expect(toSide(lines)).toEqual(to.split('\n'));
  const fromNumbers = lines.filter((line) => line.op !== 'add').map((line) => line.fromLine);
  const toNumbers = lines.filter((line) => line.op !== 'remove').map((line) => line.toLine);
  expect(fromNumbers).toEqual(fromNumbers.map((_, index) => index + 1));
  expect(toNumbers).toEqual(toNumbers.map((_, index) => index + 1));
  for (const line of lines) {
    if (line.op === 'add') expect(line.fromLine).toBeNull();
    if (line.op === 'remove') expect(line.toLine).toBeNull();
  }
}

/** Longest common subsequence length by the textbook table; fine for the small inputs here. */
function lcsLength(left: string[], right: string[]): number {
  let previous = new Array<number>(right.length + 1).fill(0);
  for (const leftItem of left) {
    const current = [0];
    for (let index = 0; index < right.length; index += 1) {
      current.push(
        leftItem === right[index] ? previous[index]! + 1 : Math.max(previous[index + 1]!, current[index]!),
      );
    }
    previous = current;
  }
  return previous[right.length]!;
}

/** mulberry32: a small seeded PRNG, so the property test is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

describe('diffLines', () => {
  it('marks every line equal when the texts are identical', () => {
    const lines = diffLines('a\nb\nc', 'a\nb\nc');
    expect(lines).toEqual([
      { op: 'equal', text: 'a', fromLine: 1, toLine: 1 },
      { op: 'equal', text: 'b', fromLine: 2, toLine: 2 },
      { op: 'equal', text: 'c', fromLine: 3, toLine: 3 },
    ]);
  });

  it('shows one changed line as a remove then an add', () => {
    const lines = diffLines('a\nb\nc', 'a\nB\nc');
    expect(lines).toEqual([
      { op: 'equal', text: 'a', fromLine: 1, toLine: 1 },
      { op: 'remove', text: 'b', fromLine: 2, toLine: null },
      { op: 'add', text: 'B', fromLine: null, toLine: 2 },
      { op: 'equal', text: 'c', fromLine: 3, toLine: 3 },
    ]);
  });

  it('finds insertions at the start, middle and end', () => {
    expect(compact(diffLines('b\nc', 'a\nb\nc'))).toEqual(['+a', ' b', ' c']);
    expect(compact(diffLines('a\nc', 'a\nb\nc'))).toEqual([' a', '+b', ' c']);
    expect(compact(diffLines('a\nb', 'a\nb\nc'))).toEqual([' a', ' b', '+c']);
  });

  it('finds deletions at the start, middle and end', () => {
    expect(compact(diffLines('a\nb\nc', 'b\nc'))).toEqual(['-a', ' b', ' c']);
    expect(compact(diffLines('a\nb\nc', 'a\nc'))).toEqual([' a', '-b', ' c']);
    expect(compact(diffLines('a\nb\nc', 'a\nb'))).toEqual([' a', ' b', '-c']);
  });

  it('removes everything then adds everything when the texts share no line', () => {
    expect(compact(diffLines('a\nb', 'x\ny\nz'))).toEqual(['-a', '-b', '+x', '+y', '+z']);
  });

  it('treats the empty string as one empty line', () => {
    expect(diffLines('', '')).toEqual([{ op: 'equal', text: '', fromLine: 1, toLine: 1 }]);
    expect(compact(diffLines('', 'a\nb'))).toEqual(['-', '+a', '+b']);
    expect(compact(diffLines('a\nb', ''))).toEqual(['-a', '-b', '+']);
    // A trailing newline is a final empty line, so only the text before it is new.
    expect(compact(diffLines('', 'a\n'))).toEqual(['+a', ' ']);
  });

  it('numbers lines on both sides across several changed regions', () => {
    const from = 'keep 1\nold 2\nkeep 3\nkeep 4\nold 5\nold 6\nkeep 7';
    const to = 'new 1\nkeep 1\nkeep 3\nnew 4\nkeep 4\nkeep 7\nnew 7';
    const lines = diffLines(from, to);
    expectConsistent(lines, from, to);
    expect(lines.filter((line) => line.op === 'equal').map((line) => [line.fromLine, line.toLine])).toEqual([
      [1, 2],
      [3, 3],
      [4, 5],
      [7, 6],
    ]);
  });

  it('puts removes before adds within each changed region', () => {
    const lines = diffLines('a\nx\ny\nb', 'a\np\nq\nb');
    expect(compact(lines)).toEqual([' a', '-x', '-y', '+p', '+q', ' b']);
  });

  it('reconstructs both sides and keeps a longest common subsequence, for 200 random pairs', () => {
    const random = seededRandom(20_240_611);
    const alphabet = ['a', 'b', 'c', 'd', ''];
    const randomText = (): string => {
      const count = 1 + Math.floor(random() * 12);
      return Array.from({ length: count }, () => alphabet[Math.floor(random() * alphabet.length)]!).join(
        '\n',
      );
    };
    for (let pair = 0; pair < 200; pair += 1) {
      const from = randomText();
      // Half the pairs are edits of `from`, so long shared runs get exercised as well.
      const to =
        random() < 0.5
          ? randomText()
          : from
              .split('\n')
              .flatMap((line) => (random() < 0.2 ? [] : random() < 0.2 ? [line, 'e'] : [line]))
              .join('\n');
      const lines = diffLines(from, to);
      expectConsistent(lines, from, to);
      const equalCount = lines.filter((line) => line.op === 'equal').length;
      expect(equalCount).toBe(lcsLength(from.split('\n'), to.split('\n')));
    }
  });

  it('falls back to a coarse but correct diff when the input is too large', () => {
    const count = maxMyersLines / 2 + 10;
    const from = ['head', ...Array.from({ length: count }, (_, index) => `from ${index}`), 'tail'].join('\n');
    const to = ['head', ...Array.from({ length: count }, (_, index) => `to ${index % 7}`), 'tail'].join('\n');
    const lines = diffLines(from, to);
    expectConsistent(lines, from, to);
    expect(lines[0]).toEqual({ op: 'equal', text: 'head', fromLine: 1, toLine: 1 });
    expect(lines.at(-1)).toEqual({ op: 'equal', text: 'tail', fromLine: count + 2, toLine: count + 2 });
    expect(lines.filter((line) => line.op === 'remove')).toHaveLength(count);
    expect(lines.filter((line) => line.op === 'add')).toHaveLength(count);
  });

  it('falls back to a coarse but correct diff when the texts differ in too many lines', () => {
    // Interleaved shared lines make the minimal diff better than the fallback, so the cap shows.
    const count = maxMyersEdits;
    const from = Array.from({ length: count }, (_, index) => `shared ${index}\nfrom ${index}`).join('\n');
    const to = Array.from({ length: count }, (_, index) => `shared ${index}\nto ${index}`).join('\n');
    const lines = diffLines(from, to);
    expectConsistent(lines, from, to);
    expect(lines.filter((line) => line.op === 'equal').map((line) => line.text)).toEqual(['shared 0']);
  });

  it('keeps a long common prefix and suffix equal around a small edit in a large text', () => {
    const body = Array.from({ length: maxMyersLines }, (_, index) => `line ${index}`);
    const from = body.join('\n');
    const to = [...body.slice(0, 500), 'inserted', ...body.slice(501)].join('\n');
    const lines = diffLines(from, to);
    expectConsistent(lines, from, to);
    expect(lines.filter((line) => line.op !== 'equal')).toEqual([
      { op: 'remove', text: 'line 500', fromLine: 501, toLine: null },
      { op: 'add', text: 'inserted', fromLine: null, toLine: 501 },
    ]);
  });
});

describe('templateText', () => {
  it('returns a text template as is', () => {
    expect(templateText('Hello {{name}}\nBye')).toBe('Hello {{name}}\nBye');
  });

  it('writes a chat template as one role-headed block per message', () => {
    const text = templateText([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi {{name}}\nHow are you?' },
    ]);
    expect(text).toBe('=== system ===\nBe brief.\n=== user ===\nHi {{name}}\nHow are you?');
  });
});

describe('diffConfig', () => {
  it('reports nothing for equal configs, whatever their key order', () => {
    expect(diffConfig({ model: 'm', temperature: 0.2 }, { temperature: 0.2, model: 'm' })).toEqual([]);
  });

  it('reports added, removed and changed fields in key order', () => {
    expect(diffConfig({ temperature: 0.2, seed: 1 }, { temperature: 0.7, model: 'chat-default' })).toEqual([
      { path: 'model', change: 'added', to: 'chat-default' },
      { path: 'seed', change: 'removed', from: 1 },
      { path: 'temperature', change: 'changed', from: 0.2, to: 0.7 },
    ]);
  });

  it('recurses into nested objects with dotted paths', () => {
    const from = {
      response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true } },
    };
    const to = {
      response_format: { type: 'json_schema', json_schema: { name: 'reply', schema: { type: 'object' } } },
    };
    expect(diffConfig(from, to)).toEqual([
      { path: 'response_format.json_schema.name', change: 'changed', from: 'answer', to: 'reply' },
      { path: 'response_format.json_schema.schema', change: 'added', to: { type: 'object' } },
      { path: 'response_format.json_schema.strict', change: 'removed', from: true },
    ]);
  });

  it('compares arrays as whole values', () => {
    const tool = (name: string) => ({ type: 'function', function: { name } });
    expect(diffConfig({ tools: [tool('a'), tool('b')] }, { tools: [tool('a'), tool('b')] })).toEqual([]);
    expect(diffConfig({ tools: [tool('a')] }, { tools: [tool('a'), tool('b')] })).toEqual([
      { path: 'tools', change: 'changed', from: [tool('a')], to: [tool('a'), tool('b')] },
    ]);
    expect(diffConfig({ stop: ['x'] }, { stop: 'x' })).toEqual([
      { path: 'stop', change: 'changed', from: ['x'], to: 'x' },
    ]);
  });

  it('reports an object replaced by a scalar as one change, and treats undefined as absent', () => {
    expect(diffConfig({ tool_choice: { type: 'function' } }, { tool_choice: 'auto' })).toEqual([
      { path: 'tool_choice', change: 'changed', from: { type: 'function' }, to: 'auto' },
    ]);
    expect(diffConfig({ seed: undefined }, {})).toEqual([]);
  });
});

describe('diffPromptVersions', () => {
  it('diffs the templates as text, counts the lines, and diffs the configs', () => {
    const diff = diffPromptVersions(
      { template: [{ role: 'user', content: 'Hi {{name}}' }], config: { temperature: 0.2 } },
      {
        template: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi {{name}}' },
        ],
        config: { temperature: 0.2, model: 'chat-default' },
      },
    );
    expect(compact(diff.lines)).toEqual(['+=== system ===', '+Be brief.', ' === user ===', ' Hi {{name}}']);
    expect(diff.added).toBe(2);
    expect(diff.removed).toBe(0);
    expect(diff.config).toEqual([{ path: 'model', change: 'added', to: 'chat-default' }]);
  });

  it('accepts stored versions as the spec types them', () => {
    // Compile-time check as much as a runtime one: spec's template and config fit these parameters.
    const template: PromptTemplate = 'Hello';
    const config: PromptConfig = { model: 'chat-default', stop: ['x'] };
    const diff = diffPromptVersions({ template, config }, { template, config });
    expect(diff).toEqual({
      lines: [{ op: 'equal', text: 'Hello', fromLine: 1, toLine: 1 }],
      added: 0,
      removed: 0,
      config: [],
    });
  });
});
