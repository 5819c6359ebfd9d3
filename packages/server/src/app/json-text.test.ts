import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { parseJsonBody, parseJsonText } from './json-text.js';

describe('parseJsonText', () => {
  it('parses JSON, after a byte-order mark too', () => {
    expect(parseJsonText('{"a":[1,{"b":"constructor of words"}]}')).toEqual({
      a: [1, { b: 'constructor of words' }],
    });
    expect(parseJsonText('\uFEFF{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonText('"text"')).toBe('text');
    expect(parseJsonText('null')).toBeNull();
    expect(parseJsonText('{"text":"caf\\u00e9"}')).toEqual({ text: 'café' });
  });

  it('refuses a __proto__ key however it is spelled', () => {
    expect(() => parseJsonText('{"a":{"__proto__":{"admin":true}}}')).toThrow(SyntaxError);
    expect(() => parseJsonText('{"a":{"\\u005f_proto__":{"admin":true}}}')).toThrow(SyntaxError);
    expect(() => parseJsonText('[{"_\\u005fproto\\u005F_" : 1}]')).toThrow(SyntaxError);
  });

  it('refuses a constructor key that holds a prototype, and keeps one that does not', () => {
    expect(() => parseJsonText('{"constructor":{"prototype":{"admin":true}}}')).toThrow(SyntaxError);
    expect(() => parseJsonText('{"\\u0063onstructor":{"prototype":{"admin":true}}}')).toThrow(SyntaxError);
    expect(parseJsonText('{"constructor":"a name"}')).toEqual({ constructor: 'a name' });
  });

  it('throws a SyntaxError for text that is not JSON', () => {
    expect(() => parseJsonText('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonText('')).toThrow(SyntaxError);
  });
});

describe('parseJsonBody', () => {
  const refusal = (text: string) => {
    try {
      parseJsonBody(text);
    } catch (error) {
      return error;
    }
    throw new Error('expected a refusal');
  };

  it('answers invalid_json for an empty body, malformed JSON and a forbidden key', () => {
    expect(parseJsonBody('{"model":"m"}')).toEqual({ model: 'm' });
    for (const text of ['', '{"a":', '{"__proto__":{}}']) {
      const error = refusal(text);
      expect(FlywheelError.is(error) && error.code).toBe('invalid_json');
    }
    expect((refusal('') as Error).message).toMatch(/empty/);
  });
});
