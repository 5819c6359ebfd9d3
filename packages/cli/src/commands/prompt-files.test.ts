import type { PromptTemplate } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import {
  type PromptFile,
  parsePromptFile,
  serializePromptFile,
  setPromptFileVersion,
} from './prompt-files.js';

function file(template: PromptTemplate, overrides: Partial<PromptFile> = {}): PromptFile {
  return {
    name: 'support/triage',
    type: typeof template === 'string' ? 'text' : 'chat',
    version: 3,
    labels: ['latest', 'production'],
    config: {},
    template,
    ...overrides,
  };
}

const roundTrip = (prompt: PromptFile) => parsePromptFile(serializePromptFile(prompt), 'x.prompt.md');

describe('prompt files', () => {
  it('writes front matter, then a text template as the body', () => {
    const text = serializePromptFile(
      file('Hello {{name}}', { config: { model: 'chat-default', temperature: 0.2 } }),
    );
    expect(text).toBe(
      [
        '---',
        'name: support/triage',
        'type: text',
        'version: 3',
        'labels:',
        '  - latest',
        '  - production',
        'config:',
        '  model: chat-default',
        '  temperature: 0.2',
        '---',
        'Hello {{name}}',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['no trailing newline', 'Hello {{name}}'],
    ['one trailing newline', 'Hello\n'],
    ['several trailing newlines', 'Hello\n\n\n'],
    ['leading newlines', '\n\nHello'],
    ['an empty template', ''],
    ['only newlines', '\n'],
    ['--- lines inside', '---\nnot: front matter\n---\nbody\n---'],
    ['unicode and emoji', 'Grüße, 世界 👋🏽 — {{name}}\u00a0\u200b'],
    ['carriage returns', 'line one\r\nline two\r\n'],
    ['a line that looks like a chat marker', '=== user ===\nhi'],
    ['trailing spaces and tabs', 'a  \n\tb\t'],
  ])('round-trips a text template with %s byte for byte', (_, template) => {
    expect(roundTrip(file(template))).toEqual(file(template));
  });

  it('round-trips config values with newlines, quotes and nesting', () => {
    const prompt = file('x', {
      config: {
        stop: ['\n\n', '---', '"'],
        response_format: { type: 'json_schema', json_schema: { name: 'a: b', schema: { type: 'object' } } },
        temperature: 0,
      },
    });
    expect(roundTrip(prompt)).toEqual(prompt);
  });

  it('writes a chat template as === role === blocks', () => {
    const template = [
      { role: 'system' as const, content: 'Triage for {{product}}.' },
      { role: 'user' as const, content: '{{ticket}}' },
    ];
    const text = serializePromptFile(file(template, { labels: [] }));
    expect(text).toBe(
      '---\nname: support/triage\ntype: chat\nversion: 3\n---\n=== system ===\nTriage for {{product}}.\n=== user ===\n{{ticket}}\n',
    );
    expect(roundTrip(file(template))).toEqual(file(template));
  });

  it.each([
    [
      'empty contents',
      [
        { role: 'system', content: '' },
        { role: 'user', content: '' },
      ],
    ],
    [
      'trailing newlines',
      [
        { role: 'system', content: 'a\n\n' },
        { role: 'user', content: '\n' },
      ],
    ],
    ['--- lines and unicode', [{ role: 'user', content: '---\nÜber 🚀\n---' }]],
    ['every role', ['system', 'developer', 'user', 'assistant'].map((role) => ({ role, content: role }))],
  ])('round-trips a chat template with %s in the body', (_, messages) => {
    const prompt = file(messages as PromptTemplate);
    expect(serializePromptFile(prompt)).not.toContain('messages:');
    expect(roundTrip(prompt)).toEqual(prompt);
  });

  it.each([
    ['a marker line', 'Before\n=== user ===\nAfter'],
    ['a loosely spaced marker', 'x\n===   assistant===\n'],
    ['an unknown-role marker', '=== Summary ===\ntext'],
    ['a marker with a carriage return', 'x\n=== user ===\r\ny'],
  ])('moves chat messages into the front matter when content holds %s', (_, content) => {
    const prompt = file([
      { role: 'system', content: 'Rules\n\n' },
      { role: 'user', content },
    ]);
    const text = serializePromptFile(prompt);
    expect(text).toContain('messages:');
    expect(text.endsWith('---\n')).toBe(true);
    expect(roundTrip(prompt)).toEqual(prompt);
  });

  it('reads a file without front matter as a bare template', () => {
    expect(parsePromptFile('Hi {{name}}\n', 'hi.txt')).toMatchObject({
      name: undefined,
      type: 'text',
      version: null,
      template: 'Hi {{name}}',
    });
    expect(parsePromptFile('=== user ===\nHi\n', 'hi.txt', { defaultType: 'chat' }).template).toEqual([
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('names the file and line of an unknown front matter key', () => {
    expect(() => parsePromptFile('---\nname: a\nnmae: b\n---\nx\n', 'p/a.prompt.md')).toThrow(
      /^p\/a\.prompt\.md:3: unknown front matter key "nmae" \(allowed: name, type, version, labels, config, messages\)$/,
    );
  });

  it('names the line of a bad config field, a bad version and broken YAML', () => {
    expect(() =>
      parsePromptFile('---\nname: a\nconfig:\n  model: m\n  temperature: 9\n---\nx', 'a.prompt.md'),
    ).toThrow(/^a\.prompt\.md:5: config\.temperature: /);
    expect(() => parsePromptFile('---\nname: a\nversion: three\n---\nx', 'a.prompt.md')).toThrow(
      'a.prompt.md:3: version must be a version number (1, 2, …), not "three"',
    );
    expect(() => parsePromptFile('---\nname: a\nconfig: [\n---\nx', 'a.prompt.md')).toThrow(
      /^a\.prompt\.md:\d: front matter is not valid YAML/,
    );
    expect(() => parsePromptFile('---\nname: a\n', 'a.prompt.md')).toThrow('a.prompt.md:1: the front matter');
  });

  it('refuses chat bodies with text before the first block or unknown roles', () => {
    expect(() => parsePromptFile('---\ntype: chat\n---\nhello\n=== user ===\nx\n', 'c.prompt.md')).toThrow(
      "c.prompt.md:4: text before the first '=== role ===' line",
    );
    expect(() =>
      parsePromptFile('---\ntype: chat\n---\n=== user ===\nx\n=== robot ===\ny\n', 'c.prompt.md'),
    ).toThrow("c.prompt.md:6: unknown role 'robot'");
  });

  it('points a template syntax error at the line of the file', () => {
    expect(() => parsePromptFile('---\nname: a\n---\nline one\nHi {{#open}}\n', 'a.prompt.md')).toThrow(
      /^a\.prompt\.md:5: template does not parse/,
    );
    expect(() =>
      parsePromptFile(
        '---\ntype: chat\n---\n=== system ===\nok\n=== user ===\n\n{{> partial}}\n',
        'c.prompt.md',
      ),
    ).toThrow(/^c\.prompt\.md:8: template does not parse/);
  });

  it('replaces the version and labels, keeping comments and the body byte for byte', () => {
    const text = '---\n# owned by support\nname: a\nversion: 3 # base\nlabels: [latest]\n---\n---\nbody\n\n';
    const updated = setPromptFileVersion(text, 'a.prompt.md', 4, ['latest', 'staging']);
    expect(updated).toContain('# owned by support');
    expect(updated.endsWith('---\n---\nbody\n\n')).toBe(true);
    expect(parsePromptFile(updated, 'a.prompt.md')).toMatchObject({
      version: 4,
      labels: ['latest', 'staging'],
      template: '---\nbody\n',
    });
  });
});
