import { describe, expect, it } from 'vitest';
import { configFromDraft, draftFromConfig } from './prompt-config-draft.js';
import { isInFolder, promptFolders } from './prompt-folders.js';
import { parseVersion, parseView, promptUrl } from './prompt-paths.js';
import { checkTemplateSource, describeProblem } from './template-check.js';

describe('template checking as the author types', () => {
  it('lists the variables of a text template in order of first use', () => {
    expect(checkTemplateSource('Hi {{customer.name}}, about {{ticket}} and {{customer.tier}}')).toEqual({
      ok: true,
      variables: ['customer', 'ticket'],
    });
  });

  it('collects the variables across chat messages', () => {
    expect(
      checkTemplateSource([
        { role: 'system', content: 'You help {{team}}.' },
        { role: 'user', content: '{{ticket}} ({{team}})' },
      ]),
    ).toEqual({ ok: true, variables: ['team', 'ticket'] });
  });

  it('reports every problem with its line and column, and its message in a chat template', () => {
    const check = checkTemplateSource([
      { role: 'system', content: 'fine {{a}}' },
      { role: 'user', content: 'line one\n  {{#items}} x {{/other}}' },
    ]);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems[0]).toMatchObject({ messageIndex: 1, line: 2, column: 16 });
    expect(describeProblem(check.problems[0]!)).toMatch(
      /^Message 2, line 2, column 16: `\{\{\/other\}\}` closes/,
    );
    expect(describeProblem({ ...check.problems[0]!, messageIndex: undefined })).toMatch(
      /^Line 2, column 16: /,
    );
  });
});

describe('the model config fields', () => {
  it('round-trips a config through the fields, other settings as JSON', () => {
    const config = { model: 'chat-default', temperature: 0.2, max_tokens: 300, seed: 7, stop: ['END'] };
    const draft = draftFromConfig(config);
    expect(draft).toMatchObject({ model: 'chat-default', temperature: '0.2', maxTokens: '300', topP: '' });
    expect(JSON.parse(draft.more)).toEqual({ seed: 7, stop: ['END'] });
    expect(configFromDraft(draft)).toEqual({ ok: true, config });
  });

  it('names what is wrong: a number that is not one, a value out of range, bad JSON, an unknown field', () => {
    const empty = { model: '', temperature: '', maxTokens: '', topP: '', more: '' };
    expect(configFromDraft({ ...empty, temperature: 'warm' })).toEqual({
      ok: false,
      problems: ['Temperature must be a number.'],
    });
    const outOfRange = configFromDraft({ ...empty, temperature: '3' });
    expect(outOfRange.ok === false && outOfRange.problems[0]).toMatch(/^temperature: /);
    const badJson = configFromDraft({ ...empty, more: '{seed: 7}' });
    expect(badJson.ok === false && badJson.problems[0]).toMatch(/^More settings is not JSON/);
    const unknown = configFromDraft({ ...empty, more: '{"colour": "blue"}' });
    expect(unknown.ok === false && unknown.problems[0]).toMatch(/colour/);
    expect(configFromDraft({ ...empty, more: '{"model": "x"}' })).toMatchObject({ ok: false });
  });
});

describe('folders and URLs', () => {
  it('makes a folder of every name prefix, parents included, counting the prompts below', () => {
    expect(
      promptFolders(['support/triage', 'support/billing/refund', 'summarise', 'support/billing/dispute']),
    ).toEqual([
      { path: 'support', count: 3 },
      { path: 'support/billing', count: 2 },
    ]);
    expect(isInFolder('support/billing/refund', 'support')).toBe(true);
    expect(isInFolder('supportive/x', 'support')).toBe(false);
  });

  it('keeps folder slashes in prompt URLs and puts the view in the search params', () => {
    expect(promptUrl('support/triage')).toBe('/prompts/support/triage');
    expect(promptUrl('support/triage', 'diff', { from: 1, to: 2 })).toBe(
      '/prompts/support/triage?view=diff&from=1&to=2',
    );
    expect(parseView('playground')).toBe('playground');
    expect(parseView('nonsense')).toBe('editor');
    expect(parseVersion('3')).toBe(3);
    expect(parseVersion('0')).toBeUndefined();
    expect(parseVersion('2x')).toBeUndefined();
  });
});
