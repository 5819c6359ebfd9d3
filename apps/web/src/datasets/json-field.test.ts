import { describe, expect, it } from 'vitest';
import { formatJsonField, parseJsonField } from './json-field.js';

describe('parseJsonField', () => {
  it('reads an input object, and says which kind of value it got instead', () => {
    expect(parseJsonField('{"ticket": "Hi"}', 'object')).toEqual({ ok: true, value: { ticket: 'Hi' } });
    expect(parseJsonField('["Hi"]', 'object')).toEqual({
      ok: false,
      message: 'Must be a JSON object ({ … }), not an array.',
    });
    expect(parseJsonField('"Hi"', 'optional-object')).toEqual({
      ok: false,
      message: 'Must be a JSON object ({ … }), not a string.',
    });
    expect(parseJsonField('  ', 'object')).toEqual({
      ok: false,
      message: 'Enter a JSON object, e.g. {"question": "…"}.',
    });
  });

  it('points at the line and column where the JSON breaks', () => {
    const result = parseJsonField('{\n  "ticket": "Hi",\n}', 'object');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^Not valid JSON: .+ \(line 3, column 1\)\.$/);
    const bare = parseJsonField('billing', 'optional-value');
    expect(!bare.ok && bare.message).toMatch(/^Not valid JSON: /);
  });

  it('treats an empty expected output as none and empty metadata as {}', () => {
    expect(parseJsonField('', 'optional-value')).toEqual({ ok: true, value: null });
    expect(parseJsonField('', 'optional-object')).toEqual({ ok: true, value: {} });
    expect(parseJsonField('"billing"', 'optional-value')).toEqual({ ok: true, value: 'billing' });
    expect(parseJsonField('[1, 2]', 'optional-value')).toEqual({ ok: true, value: [1, 2] });
  });
});

describe('formatJsonField', () => {
  it('shows values as indented JSON and what counts as empty as nothing', () => {
    expect(formatJsonField({ a: 1 }, 'object')).toBe('{\n  "a": 1\n}');
    expect(formatJsonField(null, 'optional-value')).toBe('');
    expect(formatJsonField('billing', 'optional-value')).toBe('"billing"');
    expect(formatJsonField({}, 'optional-object')).toBe('');
  });
});
