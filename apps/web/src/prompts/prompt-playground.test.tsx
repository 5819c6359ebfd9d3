// @vitest-environment jsdom
import { FlywheelError } from '@flywheel/sdk';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { formatCost, formatCount } from '../format/format-number.js';
import { createFakeApi } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import type { PromptRun, PromptRunResult } from './gateway-chat.js';
import { PromptPlayground } from './prompt-playground.js';
import { promptVersion } from './prompts-fake-data.js';

const versions = [
  promptVersion({
    version: 2,
    labels: ['latest'],
    template: 'Route {{ticket}} for {{#customers}}[{{name}}]{{/customers}}',
    variables: ['ticket', 'customers'],
  }),
  promptVersion({ version: 1, labels: ['production'] }),
];

function answer(content: string, costUsd: number | null): PromptRunResult {
  return {
    completion: {
      id: 'chatcmpl_1',
      object: 'chat.completion',
      created: 0,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1200, completion_tokens: 5, total_tokens: 1205 },
    },
    costUsd,
    latencyMs: 412,
    traceId: 'tr_abc',
  };
}

function renderPlayground(path: string, runner: (run: PromptRun) => Promise<PromptRunResult>) {
  const storage = createMemoryStorage();
  storage.setItem('flywheel.apiKey', 'fw_sk_test');
  renderApp({
    path,
    fetch: createFakeApi({}).fetch,
    storage,
    children: <PromptPlayground name="support/triage" versions={versions} runner={runner} />,
  });
}

describe('the playground', () => {
  afterEach(cleanup);

  it('starts on the production version and renders it with the variables as they are typed', async () => {
    renderPlayground('/prompts/support/triage?view=playground', () => Promise.reject(new Error('not run')));
    expect((screen.getByLabelText('Version') as HTMLSelectElement).value).toBe('1');
    const preview = screen.getByRole('region', { name: 'Rendered prompt' });
    expect(preview.textContent).toContain('Missing variables: ticket');
    await userEvent.type(screen.getByLabelText('ticket'), 'I was charged twice');
    expect(preview.textContent).toContain('Route this ticket: I was charged twice');
  });

  it('runs the chosen version with its variables, JSON ones parsed, and shows output, tokens, cost and latency', async () => {
    const runs: PromptRun[] = [];
    renderPlayground('/prompts/support/triage?view=playground&version=2', async (run) => {
      runs.push(run);
      return answer('<script>alert(1)</script> Billing team', 0.0048);
    });
    await userEvent.type(screen.getByLabelText('ticket'), 'Refund');
    fireEvent.change(screen.getByLabelText('customers'), { target: { value: '[{"name": "Ada"}]' } });
    await userEvent.click(screen.getAllByRole('checkbox', { name: /Read as JSON/ })[1]!);
    expect(screen.getByRole('region', { name: 'Rendered prompt' }).textContent).toContain(
      'Route Refund for [Ada]',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Run v2' }));

    const output = await screen.findByTestId('playground-output');
    expect(output.textContent).toBe('<script>alert(1)</script> Billing team');
    expect(output.querySelector('script')).toBeNull();
    expect(runs).toEqual([
      {
        name: 'support/triage',
        version: 2,
        variables: { ticket: 'Refund', customers: [{ name: 'Ada' }] },
        model: undefined,
      },
    ]);
    const usage = document.querySelector('dl[aria-label="Usage"]')!;
    const figure = (id: string) => usage.querySelector(`[data-figure="${id}"] dd`)?.textContent;
    expect(figure('input-tokens')).toBe(formatCount(1200));
    expect(figure('output-tokens')).toBe('5');
    expect(figure('total-tokens')).toBe(formatCount(1205));
    expect(figure('cost')).toBe(formatCost(0.0048));
    expect(figure('latency')).toBe('412 ms');
    expect(screen.getByText('tr_abc')).toBeTruthy();
  });

  it('says there is no cost when the model has no price, and sends the model typed', async () => {
    const runs: PromptRun[] = [];
    renderPlayground('/prompts/support/triage?view=playground', async (run) => {
      runs.push(run);
      return answer('ok', null);
    });
    await userEvent.type(screen.getByLabelText('ticket'), 'x');
    await userEvent.type(screen.getByLabelText('Model'), 'chat-small');
    await userEvent.click(screen.getByRole('button', { name: 'Run v1' }));
    await screen.findByText('No price is known for this model, so no cost.');
    expect(runs[0]?.model).toBe('chat-small');
  });

  it("shows the gateway's refusal with its message and code", async () => {
    renderPlayground('/prompts/support/triage?view=playground', () =>
      Promise.reject(new FlywheelError('insufficient_scope', 'This key lacks the gateway scope.')),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Run v1' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('This key lacks the gateway scope.')).toBeTruthy();
    expect(alert.textContent).toContain('insufficient_scope');
  });

  it('does not run while a JSON variable does not parse', async () => {
    const runs: PromptRun[] = [];
    renderPlayground('/prompts/support/triage?view=playground&version=2', async (run) => {
      runs.push(run);
      return answer('ok', null);
    });
    fireEvent.change(screen.getByLabelText('customers'), { target: { value: '[oops' } });
    await userEvent.click(screen.getAllByRole('checkbox', { name: /Read as JSON/ })[1]!);
    expect(screen.getByText(/^Not JSON: /)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Run v2' }));
    expect(runs).toHaveLength(0);
  });
});
