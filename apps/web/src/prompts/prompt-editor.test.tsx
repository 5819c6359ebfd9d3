// @vitest-environment jsdom
import type { CreatePromptVersionRequest, PromptVersionBody } from '@flywheel/spec';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { createFakeApi, restError } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import { promptVersion, recordingBodies } from './prompts-fake-data.js';

// The first render loads the page's chunk and its data: allow for a busy machine.
const slow = { timeout: 5000 };

function signedIn() {
  const storage = createMemoryStorage();
  storage.setItem('flywheel.apiKey', 'fw_sk_test');
  return storage;
}

/** A fake API holding one prompt whose saves append versions, as the server does. */
function promptApi(options: { refuseSave?: boolean } = {}) {
  const versions: PromptVersionBody[] = [promptVersion({ version: 1, labels: ['latest', 'production'] })];
  const saves: CreatePromptVersionRequest[] = [];
  let lastBody: () => unknown = () => undefined;
  const api = createFakeApi({
    'GET /api/projects/current': () => ({
      body: { id: 'prj_1', name: 'default', created_at: '2026-11-21T00:00:00.000Z' },
    }),
    'GET /api/prompt-settings': () => ({ body: { protected_labels: [] } }),
    'GET /api/prompts/support/triage/versions': () => ({ body: { data: versions } }),
    'POST /api/prompts': () => {
      const body = lastBody() as CreatePromptVersionRequest;
      saves.push(body);
      if (options.refuseSave)
        return {
          status: 409,
          body: restError('prompt_version_conflict', 'support/triage has v2 now; reload and edit again.'),
        };
      const labels = ['latest', ...(body.labels ?? [])];
      for (const version of versions)
        version.labels = version.labels.filter((label) => !labels.includes(label));
      const saved = promptVersion({
        version: versions.length + 1,
        template: body.template,
        config: body.config ?? {},
        commit_message: body.commit_message ?? null,
        variables: ['ticket', 'customer'],
        labels,
      });
      versions.push(saved);
      return { status: 201, body: saved };
    },
  });
  const recorded = recordingBodies(api.fetch);
  lastBody = recorded.lastBody;
  return { fetch: recorded.fetch, saves, versions };
}

describe('the prompt editor', () => {
  afterEach(cleanup);

  it('finds the variables as the template is typed, and shows parse errors with line and column', async () => {
    const api = promptApi();
    renderApp({ path: '/prompts/support/triage', fetch: api.fetch, storage: signedIn() });
    const template = await screen.findByLabelText('Template', {}, slow);
    expect((template as HTMLTextAreaElement).value).toBe('Route this ticket: {{ticket}}');
    expect(screen.getByTestId('template-variables').textContent).toBe('ticket');

    fireEvent.change(template, { target: { value: 'Route this ticket: {{ticket}}\nfrom {{customer}}' } });
    expect(screen.getByTestId('template-variables').textContent).toBe('ticketcustomer');

    fireEvent.change(template, { target: { value: 'Route {{ticket}}\nfrom {{customer' } });
    expect(template.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/^Line 2, column 6: `\{\{` is never closed/)).toBeTruthy();
  });

  it('saves a new version on top of the newest, with the commit message and config, and opens it', async () => {
    const api = promptApi();
    renderApp({ path: '/prompts/support/triage', fetch: api.fetch, storage: signedIn() });
    const template = await screen.findByLabelText('Template', {}, slow);
    fireEvent.change(template, { target: { value: 'Route this ticket: {{ticket}} from {{customer}}' } });
    await userEvent.clear(screen.getByLabelText('Temperature'));
    await userEvent.type(screen.getByLabelText('Temperature'), '0.3');
    await userEvent.type(screen.getByLabelText('Commit message'), 'Name the customer');
    await userEvent.click(screen.getByRole('button', { name: 'Save v2' }));

    await screen.findByText('Saved as version 2.');
    expect(api.saves).toEqual([
      {
        name: 'support/triage',
        type: 'text',
        template: 'Route this ticket: {{ticket}} from {{customer}}',
        config: { model: 'chat-default', temperature: 0.3 },
        commit_message: 'Name the customer',
        base_version: 1,
      },
    ]);
    expect(screen.getByTestId('location').textContent).toBe('/prompts/support/triage?version=2');
  });

  it('asks before a save moves production, and saves only once confirmed', async () => {
    const api = promptApi();
    renderApp({ path: '/prompts/support/triage', fetch: api.fetch, storage: signedIn() });
    await userEvent.click(await screen.findByRole('checkbox', { name: /production/ }, slow));
    await userEvent.click(screen.getByRole('button', { name: 'Save v2' }));
    const dialog = screen.getByRole('dialog', { name: 'Save v2 and move production?' });
    expect(within(dialog).getByText(/production points at v1 now/)).toBeTruthy();
    expect(document.activeElement?.textContent).toBe('Cancel');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.saves).toHaveLength(0);

    await userEvent.click(screen.getByRole('button', { name: 'Save v2' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save and move' }));
    await screen.findByText('Saved as version 2.');
    expect(api.saves[0]?.labels).toEqual(['production']);
  });

  it("shows the server's refusal and keeps the edit", async () => {
    const api = promptApi({ refuseSave: true });
    renderApp({ path: '/prompts/support/triage', fetch: api.fetch, storage: signedIn() });
    const template = await screen.findByLabelText('Template', {}, slow);
    fireEvent.change(template, { target: { value: 'Changed {{ticket}}' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save v2' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('support/triage has v2 now; reload and edit again.');
    expect(alert.textContent).toContain('prompt_version_conflict');
    expect((screen.getByLabelText('Template') as HTMLTextAreaElement).value).toBe('Changed {{ticket}}');
  });

  it('refuses to save a template that does not parse or a config that is not valid, saying why', async () => {
    const api = promptApi();
    renderApp({ path: '/prompts/support/triage', fetch: api.fetch, storage: signedIn() });
    const template = await screen.findByLabelText('Template', {}, slow);
    fireEvent.change(template, { target: { value: '{{#open}} never closed' } });
    fireEvent.change(screen.getByLabelText('Max tokens'), { target: { value: 'lots' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save v2' }));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('The template does not parse');
    expect(alert.textContent).toContain('Max tokens must be a number.');
    expect(api.saves).toHaveLength(0);
  });

  it('edits a chat template message by message', async () => {
    const api = createFakeApi({
      'GET /api/prompt-settings': () => ({ body: { protected_labels: [] } }),
      'GET /api/prompts/support/chat/versions': () => ({
        body: {
          data: [
            promptVersion({
              name: 'support/chat',
              version: 1,
              type: 'chat',
              template: [
                { role: 'system', content: 'You help {{team}}.' },
                { role: 'user', content: '{{ticket}}' },
              ],
              variables: ['team', 'ticket'],
              labels: ['latest'],
            }),
          ],
        },
      }),
    });
    renderApp({ path: '/prompts/support/chat', fetch: api.fetch, storage: signedIn() });
    const second = await screen.findByLabelText('Content of message 2', {}, slow);
    fireEvent.change(second, { target: { value: '{{ticket}} for {{#customer}}' } });
    expect(screen.getByText(/^Message 2, line 1, column 16: /)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Add message' }));
    expect(screen.getByLabelText('Content of message 3')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Move message 1 down' }));
    expect((screen.getByLabelText('Content of message 2') as HTMLTextAreaElement).value).toBe(
      'You help {{team}}.',
    );
  });
});
