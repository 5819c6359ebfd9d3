import { FlywheelError, type PromptMessage, type PromptVersionBody } from '@flywheel/spec';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Prompt, promptFromBody, promptFromFallback } from './prompt.js';

function body(fields: Partial<PromptVersionBody>): PromptVersionBody {
  return {
    name: 'support/triage',
    type: 'text',
    version: 3,
    template: 'Triage {{ticket}} for {{customer.name}}.',
    config: {},
    commit_message: null,
    variables: ['ticket', 'customer'],
    labels: ['production'],
    created_by: { key_id: 'key_1', key_name: 'ci' },
    created_at: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

function thrown(run: () => unknown): FlywheelError {
  try {
    run();
  } catch (error) {
    if (FlywheelError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a FlywheelError');
}

const chatTemplate: PromptMessage[] = [
  { role: 'system', content: 'You triage tickets for {{product}}.' },
  { role: 'user', content: '{{ticket}}' },
];

describe('prompt compile', () => {
  it('renders a text prompt to a string', () => {
    const prompt = promptFromBody(body({}));
    expect(prompt.type).toBe('text');
    if (prompt.type !== 'text') return;
    const text = prompt.compile({ ticket: 'T-1', customer: { name: 'Ada' } });
    expectTypeOf(text).toEqualTypeOf<string>();
    expect(text).toBe('Triage T-1 for Ada.');
  });

  it('renders a chat prompt to new messages, leaving the template as it was', () => {
    const prompt = promptFromBody(
      body({ type: 'chat', template: chatTemplate, variables: ['product', 'ticket'] }),
    );
    if (prompt.type !== 'chat') throw new Error('expected a chat prompt');
    const messages = prompt.compile({ product: 'Flywheel', ticket: 'It is down.' });
    expectTypeOf(messages).toEqualTypeOf<PromptMessage[]>();
    expect(messages).toEqual([
      { role: 'system', content: 'You triage tickets for Flywheel.' },
      { role: 'user', content: 'It is down.' },
    ]);
    expect(prompt.template).toEqual(chatTemplate);
  });

  it('names every missing variable, across messages', () => {
    const prompt = promptFromBody(body({ type: 'chat', template: chatTemplate }));
    const error = thrown(() => prompt.compile({}));
    expect(error.code).toBe('template_variables_missing');
    expect(error.details).toEqual({ missing: ['product', 'ticket'] });
    expect(thrown(() => promptFromBody(body({})).compile()).code).toBe('template_variables_missing');
  });

  it('renders missing variables as empty when lenient', () => {
    const prompt = promptFromBody(body({}));
    expect(prompt.compile({ ticket: 'T-1' }, { lenient: true })).toBe('Triage T-1 for .');
  });

  it('never renders the values again', () => {
    const prompt = promptFromBody(body({}));
    expect(prompt.compile({ ticket: '{{customer.name}}', customer: { name: '{{secret}}' } })).toBe(
      'Triage {{customer.name}} for {{secret}}.',
    );
  });

  it('cannot be changed by one caller under the others', () => {
    const prompt = promptFromBody(body({ type: 'chat', template: chatTemplate, config: { stop: ['x'] } }));
    if (prompt.type !== 'chat') throw new Error('expected a chat prompt');
    const template = prompt.template as PromptMessage[];
    expect(() => {
      template[0]!.content = 'changed';
    }).toThrow(TypeError);
    expect(() => (prompt.config.stop as string[]).push('y')).toThrow(TypeError);
    expect(prompt.compile({ product: 'p', ticket: 't' })[0]!.content).toBe('You triage tickets for p.');
  });
});

describe('prompt fallbacks', () => {
  it('takes a text template, chat messages, or either with a config', () => {
    expect(promptFromFallback('a', 'Hi {{name}}')).toMatchObject({
      name: 'a',
      type: 'text',
      version: null,
      labels: [],
      variables: ['name'],
      config: {},
      isFallback: true,
    });
    const chat: Prompt = promptFromFallback('a', chatTemplate);
    expect(chat).toMatchObject({ type: 'chat', variables: ['product', 'ticket'] });
    expect(chat.compile({ product: 'p', ticket: 't' })).toEqual([
      { role: 'system', content: 'You triage tickets for p.' },
      { role: 'user', content: 't' },
    ]);
    expect(
      promptFromFallback('a', { type: 'text', template: 'x', config: { model: 'chat-default' } }).config,
    ).toEqual({ model: 'chat-default' });
  });

  it('refuses a fallback whose type and template disagree, or that is not a template', () => {
    expect(thrown(() => promptFromFallback('a', { type: 'chat', template: 'x' })).code).toBe(
      'validation_failed',
    );
    expect(thrown(() => promptFromFallback('a', [] as PromptMessage[])).code).toBe('validation_failed');
    expect(thrown(() => promptFromFallback('a', '{{#a}}')).code).toBe('template_invalid');
  });
});
