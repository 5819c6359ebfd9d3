import { describe, expect, it } from 'vitest';
import type { PromptMessage } from '../api/prompts.js';
import { FlywheelError } from '../errors/flywheel-error.js';
import {
  checkTemplate,
  compileTemplate,
  parseTemplate,
  renderTemplate,
  type TemplateIssue,
  templateVariables,
} from './prompt-template.js';

/** The FlywheelError `run` throws (fails the test when it throws nothing or something else). */
function thrown(run: () => unknown): FlywheelError {
  try {
    run();
  } catch (error) {
    if (FlywheelError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a FlywheelError');
}

/** The issues of a template that must not parse. */
function issuesOf(source: string): TemplateIssue[] {
  const result = parseTemplate(source);
  if (result.ok) throw new Error(`expected ${source} not to parse`);
  return result.issues;
}

describe('renderTemplate: variables', () => {
  it('replaces a variable with its value', () => {
    expect(renderTemplate('Hello {{name}}!', { name: 'Ada' })).toBe('Hello Ada!');
  });

  it('follows dotted names into nested objects', () => {
    expect(renderTemplate('{{customer.address.city}}', { customer: { address: { city: 'Oslo' } } })).toBe(
      'Oslo',
    );
  });

  it('allows whitespace inside the braces', () => {
    expect(renderTemplate('{{ name }}|{{  customer.name\t}}', { name: 'a', customer: { name: 'b' } })).toBe(
      'a|b',
    );
  });

  it('treats triple braces and & as plain variables, never escaping HTML', () => {
    const variables = { html: '<b>"Tom" & \'Jerry\'</b>' };
    expect(renderTemplate('{{html}}|{{{html}}}|{{& html}}|{{{ html }}}', variables)).toBe(
      Array(4).fill(variables.html).join('|'),
    );
  });

  it('accepts names with digits, underscores and dashes', () => {
    expect(renderTemplate('{{_a1}} {{b-c}} {{d.e_f-2}}', { _a1: 1, 'b-c': 2, d: { 'e_f-2': 3 } })).toBe(
      '1 2 3',
    );
  });

  it('renders null as empty, numbers, booleans and bigints as text', () => {
    expect(
      renderTemplate('[{{n}}][{{zero}}][{{f}}][{{t}}][{{big}}][{{pi}}]', {
        n: null,
        zero: 0,
        f: false,
        t: true,
        big: 10n ** 20n,
        pi: 3.5,
      }),
    ).toBe('[][0][false][true][100000000000000000000][3.5]');
  });

  it('renders objects and arrays as JSON', () => {
    expect(renderTemplate('{{user}} {{tags}}', { user: { name: 'Ada', age: 36 }, tags: ['a', 'b'] })).toBe(
      '{"name":"Ada","age":36} ["a","b"]',
    );
  });

  it('leaves text that only looks like other template languages as it is', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${name} is the point
    const source = '{% for x in y %}{{ name }}{% endfor %} ${name} <%= name %> {name} }} {';
    expect(renderTemplate(source, { name: 'N' })).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${name} is the point
      '{% for x in y %}N{% endfor %} ${name} <%= name %> {name} }} {',
    );
  });

  it('keeps text, newlines and unicode exactly as written', () => {
    expect(renderTemplate('  línea 1\n\t{{x}} ✓\r\n', { x: '🙂' })).toBe('  línea 1\n\t🙂 ✓\r\n');
  });
});

describe('renderTemplate: sections', () => {
  it('renders the body once per array item, looking names up in the item first', () => {
    const source = '{{#items}}- {{title}} ({{owner}})\n{{/items}}';
    expect(
      renderTemplate(source, { owner: 'team', items: [{ title: 'a' }, { title: 'b', owner: 'me' }] }),
    ).toBe('- a (team)\n- b (me)\n');
  });

  it('gives the current item as {{.}}', () => {
    expect(renderTemplate('{{#tags}}<{{.}}>{{/tags}}', { tags: ['x', 2, true] })).toBe('<x><2><true>');
    expect(renderTemplate('{{#rows}}{{.}};{{/rows}}', { rows: [{ a: 1 }, [2]] })).toBe('{"a":1};[2];');
  });

  it('renders nothing for an empty array', () => {
    expect(renderTemplate('a{{#items}}x{{/items}}b', { items: [] })).toBe('ab');
  });

  it('renders the body once with an object pushed on the context', () => {
    expect(
      renderTemplate('{{#user}}{{name}} of {{team}}{{/user}}', { team: 'core', user: { name: 'Ada' } }),
    ).toBe('Ada of core');
  });

  it('renders the body once, context unchanged, for other truthy values', () => {
    const source = '{{#flag}}[{{name}}]{{/flag}}';
    for (const flag of [true, 'yes', 1, -2, 5n])
      expect(renderTemplate(source, { flag, name: 'n' }), String(flag)).toBe('[n]');
  });

  it('renders nothing for falsy values', () => {
    for (const flag of [false, null, '', 0, Number.NaN, 0n])
      expect(renderTemplate('a{{#flag}}x{{/flag}}b', { flag }), String(flag)).toBe('ab');
  });

  it('nests sections, reaching outer items from inner ones', () => {
    const source = '{{#orders}}{{id}}:{{#lines}}{{sku}}@{{id}}/{{currency}} {{/lines}}{{/orders}}';
    const variables = {
      currency: 'EUR',
      orders: [
        { id: 'o1', lines: [{ sku: 's1' }, { sku: 's2', id: 'l2' }] },
        { id: 'o2', lines: [] },
      ],
    };
    expect(renderTemplate(source, variables)).toBe('o1:s1@o1/EUR s2@l2/EUR o2:');
  });

  it('does not look further out when a dotted name starts in an inner item', () => {
    const source = '{{#item}}{{user.name}}{{/item}}';
    const error = thrown(() => renderTemplate(source, { user: { name: 'outer' }, item: { user: {} } }));
    expect(error.code).toBe('template_variables_missing');
    expect(error.details).toEqual({ missing: ['user.name'] });
  });

  it('renders inverted sections for falsy values and empty arrays only', () => {
    const source = '{{^items}}none{{/items}}';
    expect(renderTemplate(source, { items: [] })).toBe('none');
    expect(renderTemplate(source, { items: false })).toBe('none');
    expect(renderTemplate(source, { items: null })).toBe('none');
    expect(renderTemplate(source, { items: '' })).toBe('none');
    expect(renderTemplate(source, { items: [1] })).toBe('');
    expect(renderTemplate(source, { items: {} })).toBe('');
    expect(renderTemplate(source, { items: 'x' })).toBe('');
  });

  it('pairs a section with its inverse for if/else', () => {
    const source = '{{#user}}Hi {{name}}{{/user}}{{^user}}Hi stranger{{/user}}';
    expect(renderTemplate(source, { user: { name: 'Ada' } })).toBe('Hi Ada');
    expect(renderTemplate(source, { user: null })).toBe('Hi stranger');
  });
});

describe('renderTemplate: comments and literal braces', () => {
  it('renders comments as nothing', () => {
    expect(renderTemplate('a{{! a note: 7*7, {{x }}b{{!}}c{{!\nmulti\nline }}d', {})).toBe('abcd');
  });

  it('renders \\{{ as a literal {{, consuming the backslash', () => {
    expect(renderTemplate('Use \\{{name}} to insert {{name}}.', { name: 'N' })).toBe(
      'Use {{name}} to insert N.',
    );
    expect(renderTemplate('\\{{{raw}}} \\{{#s}}x\\{{/s}}', {})).toBe('{{{raw}}} {{#s}}x{{/s}}');
  });

  it('parses the next {{ after an escaped one as a tag again', () => {
    expect(renderTemplate('\\{{a}}{{b}}', { b: 'B' })).toBe('{{a}}B');
  });

  it('only lets a backslash escape {{ (and \\\\{{ renders \\{{)', () => {
    expect(renderTemplate('C:\\path \\n \\}} \\\\{{x}}', {})).toBe('C:\\path \\n \\}} \\{{x}}');
  });
});

describe('renderTemplate: missing variables', () => {
  it('collects every missing name (full dotted path) and throws once', () => {
    const source =
      '{{a}} {{b.c}} {{a}} {{#items}}{{title}}{{/items}} {{#gone}}{{inner}}{{/gone}} {{^no}}{{d}}{{/no}}';
    const error = thrown(() => renderTemplate(source, { b: {}, items: [{}, {}] }));
    expect(error.code).toBe('template_variables_missing');
    expect(error.message).toBe(
      'Missing variables: a, b.c, title, gone, no, d. Pass them, or render leniently.',
    );
    expect(error.details).toEqual({ missing: ['a', 'b.c', 'title', 'gone', 'no', 'd'] });
  });

  it('counts null as given but undefined as missing', () => {
    expect(renderTemplate('[{{x}}]', { x: null })).toBe('[]');
    expect(thrown(() => renderTemplate('{{x}}', { x: undefined })).code).toBe('template_variables_missing');
  });

  it('renders missing names as empty and missing sections as falsy when lenient', () => {
    const source = '[{{a}}][{{b.c}}][{{#s}}x{{/s}}][{{^s}}y{{/s}}][{{#items}}{{t}}{{/items}}]';
    expect(renderTemplate(source, { b: 1, items: [{}] }, { lenient: true })).toBe('[][][][y][]');
  });
});

describe('renderTemplate: refusals and limits', () => {
  it('refuses function values, even when lenient', () => {
    for (const source of ['{{f}}', '{{#f}}x{{/f}}', '{{f.name}}', '{{#list}}{{.}}{{/list}}']) {
      let called = false;
      const f = () => {
        called = true;
        return 'x';
      };
      const error = thrown(() => renderTemplate(source, { f, list: [f] }, { lenient: true }));
      expect(error.code, source).toBe('template_render_failed');
      expect(error.message).toContain('is a function; templates never call code');
      expect(called).toBe(false);
    }
  });

  it('refuses own getters instead of running them', () => {
    let ran = false;
    const variables = {
      get secret() {
        ran = true;
        return 's';
      },
    };
    expect(thrown(() => renderTemplate('{{secret}}', variables)).code).toBe('template_render_failed');
    expect(ran).toBe(false);
  });

  it('refuses values that cannot be written as JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(thrown(() => renderTemplate('{{c}}', { c: cyclic })).code).toBe('template_render_failed');
    expect(thrown(() => renderTemplate('{{c}}', { c: { n: 1n } })).code).toBe('template_render_failed');
  });

  it('fails past maxOutputChars and stops early over a huge list', () => {
    let itemsRead = 0;
    const items = new Proxy(new Array(1_000_000).fill('x'), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) itemsRead++;
        return Reflect.get(target, key, receiver);
      },
    });
    const error = thrown(() =>
      renderTemplate('{{#items}}0123456789{{/items}}', { items }, { maxOutputChars: 100 }),
    );
    expect(error.code).toBe('template_render_failed');
    expect(error.message).toContain('longer than 100 characters');
    expect(itemsRead).toBeLessThan(20);
  });

  it('counts variable values against the cap and allows output exactly at it', () => {
    expect(renderTemplate('ab{{x}}', { x: 'cde' }, { maxOutputChars: 5 })).toBe('abcde');
    expect(thrown(() => renderTemplate('ab{{x}}', { x: 'cdef' }, { maxOutputChars: 5 })).code).toBe(
      'template_render_failed',
    );
  });

  it('caps output at 1,000,000 characters by default', () => {
    const big = 'x'.repeat(600_000);
    expect(thrown(() => renderTemplate('{{a}}{{a}}', { a: big })).code).toBe('template_render_failed');
    expect(renderTemplate('{{a}}', { a: big })).toHaveLength(600_000);
  });

  it('bounds the work of nested sections that print nothing', () => {
    const list = new Array(1000).fill({});
    const source = '{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}{{/l}}';
    const error = thrown(() => renderTemplate(source, { l: list }));
    expect(error.code).toBe('template_render_failed');
    expect(error.message).toContain('steps');
  });

  it('throws template_invalid for a template that does not parse', () => {
    const error = thrown(() => renderTemplate('ok\n  {{> header}}', {}));
    expect(error.code).toBe('template_invalid');
    expect(error.message).toContain('line 2, column 3');
  });
});

describe('parseTemplate', () => {
  it('returns the nodes of a valid template', () => {
    const result = parseTemplate('Hi {{name}}{{#xs}}{{.}}{{/xs}}{{! note }}');
    expect(result).toEqual({
      ok: true,
      template: {
        nodes: [
          { type: 'text', text: 'Hi ' },
          { type: 'variable', name: 'name', line: 1, column: 4 },
          {
            type: 'section',
            name: 'xs',
            inverted: false,
            line: 1,
            column: 12,
            children: [{ type: 'variable', name: '.', line: 1, column: 19 }],
          },
        ],
        variables: ['name', 'xs'],
      },
    });
  });

  it('refuses partials', () => {
    expect(issuesOf('a\n  {{> header}}')).toEqual([
      { message: expect.stringContaining('partials are not supported'), line: 2, column: 3 },
    ]);
  });

  it('refuses delimiter changes', () => {
    expect(issuesOf('x {{=<% %>=}} <% y %>')).toEqual([
      { message: expect.stringContaining('changing delimiters is not supported'), line: 1, column: 3 },
    ]);
  });

  it('refuses tags that are not names', () => {
    const bad = [
      "{{constructor.constructor('x')()}}",
      '{{ 7*7 }}',
      '{{user name}}',
      '{{}}',
      '{{   }}',
      '{{a..b}}',
      '{{.a}}',
      '{{a.}}',
      '{{1abc}}',
      '{{a[0]}}',
      '{{#}}x{{/}}',
      '{{&}}',
      '{{{a b}}}',
      '{{#a b}}x{{/a b}}',
    ];
    for (const source of bad) {
      const [issue] = issuesOf(`ok\n\tx${source}`);
      expect(issue, source).toMatchObject({ line: 2, column: 3 });
      expect(issue!.message, source).toContain('is not a variable name');
    }
  });

  it('reports an unclosed {{, going on from the next tag', () => {
    expect(issuesOf('{{a}}\nab {{name\n{{b}} {{c')).toEqual([
      { message: expect.stringContaining('`{{` is never closed'), line: 2, column: 4 },
      { message: expect.stringContaining('`{{` is never closed'), line: 3, column: 7 },
    ]);
    expect(issuesOf('{{! a comment may hold {{ }}{{x')).toHaveLength(1);
    expect(issuesOf('{{{name}}')[0]).toMatchObject({ line: 1, column: 1 });
  });

  it('reports an unclosed section where it opened', () => {
    expect(issuesOf('\n {{#items}}{{^empty}}x{{/empty}}')).toEqual([
      { message: '`{{#items}}` is never closed: add `{{/items}}`', line: 2, column: 2 },
    ]);
  });

  it('reports a stray closing tag', () => {
    expect(issuesOf('a {{/x}}')).toEqual([
      { message: expect.stringContaining('`{{/x}}` closes no open section'), line: 1, column: 3 },
    ]);
  });

  it('reports a closing tag that does not match the open section', () => {
    expect(issuesOf('{{#a}}\n  x{{/b}}')).toEqual([
      { message: '`{{/b}}` closes `{{#a}}` opened at 1:1; close it with `{{/a}}`', line: 2, column: 4 },
    ]);
    // Closing an outer section before an inner one is one mistake, reported once.
    expect(issuesOf('{{#a}}{{^b}}x{{/a}}')).toEqual([
      { message: '`{{/a}}` closes `{{^b}}` opened at 1:7; close it with `{{/b}}`', line: 1, column: 14 },
    ]);
  });

  it('refuses sections nested deeper than 32', () => {
    const nest = (depth: number) => `${'{{#s}}'.repeat(depth)}x${'{{/s}}'.repeat(depth)}`;
    expect(parseTemplate(nest(32)).ok).toBe(true);
    expect(issuesOf(nest(33))).toEqual([
      { message: expect.stringContaining('deeper than 32'), line: 1, column: 193 },
    ]);
  });

  it('reports every issue, in order of position, each with a fix', () => {
    const issues = issuesOf('{{#open}}\n{{> p}} {{ 1+1 }}\n{{^never}}');
    expect(issues.map(({ line, column }) => `${line}:${column}`)).toEqual(['1:1', '2:1', '2:9', '3:1']);
    for (const issue of issues) expect(issue.message).toMatch(/;|: add|close it/);
  });

  it('parses large adversarial inputs quickly', () => {
    const inputs = [
      '{{a}}'.repeat(40_000),
      '{'.repeat(200_000),
      `{{${'a.'.repeat(99_999)}`,
      `{{${'a'.repeat(199_990)}!}}`,
      '\\{{'.repeat(66_000),
      '{{!'.repeat(66_000),
      `${'{{x'.repeat(66_000)}}}`,
      '{{#a}}{{/b}}'.repeat(16_000),
      `${'{{#a}}'.repeat(32)}${'{{/z}}'.repeat(30_000)}`,
    ];
    const started = performance.now();
    for (const source of inputs) {
      const result = parseTemplate(source);
      if (!result.ok) expect(result.issues.length).toBeLessThanOrEqual(50);
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('variables', () => {
  it('lists root names in order of first use, deduplicated', () => {
    const source =
      '{{b}} {{a.x}} {{a.y}} {{#items}}{{title}}{{b}}{{/items}} {{a}} {{{c}}} {{^d}}{{/d}} {{.}}';
    expect(templateVariables(source)).toEqual(['b', 'a', 'items', 'c', 'd']);
  });

  it('lists names used inside a section only when they also appear outside', () => {
    const result = parseTemplate('{{#items}}{{title}} {{#tags}}{{.}}{{/tags}}{{/items}} {{title}}');
    expect(result.ok && result.template.variables).toEqual(['items', 'title']);
  });

  it('leaves out comments and escaped braces', () => {
    expect(templateVariables('{{! {{x}} }} \\{{y}} {{z}}')).toEqual(['z']);
  });

  it('merges the variables of all chat messages', () => {
    const messages: PromptMessage[] = [
      { role: 'system', content: 'You help {{user}} with {{topic}}.' },
      { role: 'user', content: '{{question}} ({{user}})' },
      { role: 'assistant', content: 'no variables' },
    ];
    expect(templateVariables(messages)).toEqual(['user', 'topic', 'question']);
  });

  it('throws template_invalid on bad syntax', () => {
    expect(thrown(() => templateVariables('{{#a}}')).code).toBe('template_invalid');
  });
});

describe('checkTemplate', () => {
  it('accepts valid text and chat templates', () => {
    expect(() => checkTemplate('Hi {{name}}')).not.toThrow();
    expect(() => checkTemplate([{ role: 'user', content: '{{#a}}{{.}}{{/a}}' }])).not.toThrow();
  });

  it('names the line, column and fix, with every issue in details', () => {
    const error = thrown(() => checkTemplate('Hi\n  {{#a}}x{{/b}} {{> p}}'));
    expect(error.code).toBe('template_invalid');
    expect(error.message).toBe(
      'Template does not parse at line 2, column 10: `{{/b}}` closes `{{#a}}` opened at 2:3; close it with `{{/a}}` (and 1 more).',
    );
    expect(error.details).toEqual({ issues: issuesOf('Hi\n  {{#a}}x{{/b}} {{> p}}') });
  });

  it('names the chat message that does not parse', () => {
    const error = thrown(() =>
      checkTemplate([
        { role: 'system', content: 'fine {{x}}' },
        { role: 'user', content: 'fine' },
        { role: 'user', content: 'a\nb {{ 7*7 }}' },
      ]),
    );
    expect(error.code).toBe('template_invalid');
    expect(error.message).toMatch(
      /^Template messages\[2\] does not parse at line 2, column 3: `\{\{ 7\*7 \}\}`/,
    );
    expect(error.details).toMatchObject({ message_index: 2, issues: [{ line: 2, column: 3 }] });
  });

  it('refuses templates longer than maxTemplateChars', () => {
    expect(thrown(() => checkTemplate('x'.repeat(200_001))).code).toBe('template_invalid');
    const half = 'x'.repeat(100_001);
    const chat: PromptMessage[] = [
      { role: 'user', content: half },
      { role: 'user', content: half },
    ];
    expect(thrown(() => checkTemplate(chat)).code).toBe('template_invalid');
    expect(() => checkTemplate('x'.repeat(200_000))).not.toThrow();
  });
});

describe('compileTemplate', () => {
  it('renders a text template to a string', () => {
    expect(compileTemplate('Hi {{name}}', { name: 'Ada' })).toBe('Hi Ada');
  });

  it('renders a chat template to a new list of messages', () => {
    const messages: PromptMessage[] = [
      { role: 'system', content: 'You answer as {{persona}}.' },
      { role: 'user', content: '{{#docs}}- {{.}}\n{{/docs}}{{question}}' },
    ];
    const result = compileTemplate(messages, { persona: 'a librarian', docs: ['a', 'b'], question: 'Why?' });
    expect(result).toEqual([
      { role: 'system', content: 'You answer as a librarian.' },
      { role: 'user', content: '- a\n- b\nWhy?' },
    ]);
    expect(result).not.toBe(messages);
    expect(messages[0]!.content).toBe('You answer as {{persona}}.');
  });

  it('reports the missing variables of all messages at once', () => {
    const error = thrown(() =>
      compileTemplate(
        [
          { role: 'system', content: '{{a}}' },
          { role: 'user', content: '{{b}} {{a}}' },
        ],
        {},
      ),
    );
    expect(error.details).toEqual({ missing: ['a', 'b'] });
  });

  it('applies the output cap to all messages together', () => {
    const chat: PromptMessage[] = [
      { role: 'system', content: '{{x}}' },
      { role: 'user', content: '{{x}}' },
    ];
    expect(compileTemplate(chat, { x: 'abc' }, { maxOutputChars: 6 })).toHaveLength(2);
    expect(thrown(() => compileTemplate(chat, { x: 'abcd' }, { maxOutputChars: 6 })).code).toBe(
      'template_render_failed',
    );
  });

  it('renders chat templates leniently when asked', () => {
    expect(compileTemplate([{ role: 'user', content: '[{{x}}]' }], {}, { lenient: true })).toEqual([
      { role: 'user', content: '[]' },
    ]);
  });
});

describe('security (S-5): templates cannot run code or reach the prototype chain', () => {
  /** Variables whose prototype has getters that record being read; own lookups never read them. */
  function trapped(): { variables: Record<string, unknown>; touched: () => boolean } {
    let touched = false;
    const trap = () => {
      touched = true;
      return () => 'ran';
    };
    const proto = Object.create(null, {
      constructor: { get: trap },
      toString: { get: trap },
      process: { get: trap },
      y: { get: trap },
    });
    const variables = Object.assign(Object.create(proto), { name: 'n' });
    return { variables, touched: () => touched };
  }

  const probes = [
    "{{constructor.constructor('return process')()}}",
    '{{#constructor}}x{{/constructor}}',
    '{{__proto__}}',
    '{{ 7*7 }}',
    "{{ ''.__class__.__mro__ }}",
    '{% for x in y %}{{ name }}{% endfor %}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${…} is the point
    '${process.exit()}',
    '<%= process.exit() %>',
    '{{#toString}}{{.}}{{/toString}}',
  ];

  for (const source of probes) {
    it(`runs nothing for ${source}`, () => {
      for (const lenient of [false, true]) {
        const { variables, touched } = trapped();
        let output: string | undefined;
        let error: FlywheelError | undefined;
        try {
          output = renderTemplate(source, variables, { lenient });
        } catch (caught) {
          if (!FlywheelError.is(caught)) throw caught;
          error = caught;
        }
        expect(touched()).toBe(false);
        if (error !== undefined) {
          expect(['template_invalid', 'template_variables_missing']).toContain(error.code);
        } else {
          // Rendered: either literally, or with the prototype names as missing (empty).
          expect(output).not.toContain('ran');
          expect(output).not.toContain('49');
        }
      }
    });
  }

  it('refuses expression-like tags with template_invalid', () => {
    for (const source of [
      "{{constructor.constructor('return process')()}}",
      '{{ 7*7 }}',
      "{{ ''.__class__.__mro__ }}",
    ])
      expect(thrown(() => checkTemplate(source)).code, source).toBe('template_invalid');
  });

  it('renders other template languages literally', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${…} is the point
    for (const source of ['{% for x in y %}', '${process.exit()}', '<%= process.exit() %>', '#{x}'])
      expect(renderTemplate(source, { x: 1, y: [1] }), source).toBe(source);
  });

  it('reports prototype names as missing, never as functions', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const error = thrown(() => renderTemplate(`{{${name}}}`, {}));
      expect(error.code, name).toBe('template_variables_missing');
      expect(error.details).toEqual({ missing: [name] });
    }
    expect(thrown(() => renderTemplate('{{a.constructor}}', { a: {} })).details).toEqual({
      missing: ['a.constructor'],
    });
    expect(thrown(() => renderTemplate('{{a.__proto__.x}}', { a: { x: 1 } })).details).toEqual({
      missing: ['a.__proto__.x'],
    });
    expect(renderTemplate('[{{s.length}}][{{#s}}{{length}}{{/s}}]', { s: 'abc' }, { lenient: true })).toBe(
      '[][]',
    );
  });

  it('never reads properties inherited from Object.prototype', () => {
    let touched = false;
    Object.defineProperty(Object.prototype, 'flywheelProbe', {
      configurable: true,
      get() {
        touched = true;
        return 'leaked';
      },
    });
    try {
      expect(renderTemplate('[{{flywheelProbe}}][{{a.flywheelProbe}}]', { a: {} }, { lenient: true })).toBe(
        '[][]',
      );
      expect(thrown(() => renderTemplate('{{#flywheelProbe}}x{{/flywheelProbe}}', {})).code).toBe(
        'template_variables_missing',
      );
    } finally {
      delete (Object.prototype as Record<string, unknown>).flywheelProbe;
    }
    expect(touched).toBe(false);
  });
});

describe('security (S-6): values are data, never template', () => {
  it('renders braces in values literally instead of rendering them', () => {
    const variables = { input: '{{secret}} {{#x}}y{{/x}} {{> p}} \\{{z}}', secret: 'TOP-SECRET', x: true };
    expect(renderTemplate('User said: {{input}}', variables)).toBe(
      'User said: {{secret}} {{#x}}y{{/x}} {{> p}} \\{{z}}',
    );
    expect(renderTemplate('{{#list}}{{.}}{{/list}}', { list: ['{{secret}}'], secret: 'TOP-SECRET' })).toBe(
      '{{secret}}',
    );
    expect(compileTemplate([{ role: 'user', content: '{{q}}' }], { q: '{{secret}}', secret: 's' })).toEqual([
      { role: 'user', content: '{{secret}}' },
    ]);
  });

  it('does not let __proto__ keys from JSON pollute prototypes', () => {
    const variables = JSON.parse('{"__proto__": {"polluted": 1}, "a": {"__proto__": {"polluted": 2}}}');
    const output = renderTemplate(
      '[{{polluted}}][{{a.polluted}}][{{#a}}{{polluted}}{{/a}}][{{__proto__.polluted}}]',
      variables,
      { lenient: true },
    );
    expect(output).toBe('[][][][1]');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(thrown(() => renderTemplate('{{polluted}}', variables)).details).toEqual({
      missing: ['polluted'],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
