// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { createFakeApi } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import { promptVersion, recordingBodies } from './prompts-fake-data.js';

describe('a new prompt', () => {
  afterEach(cleanup);

  it('checks the name, then creates a chat prompt as version 1 only if none exists yet', async () => {
    const api = createFakeApi({
      'GET /api/prompt-settings': () => ({ body: { protected_labels: [] } }),
      'POST /api/prompts': () => ({
        status: 201,
        body: promptVersion({ name: 'sales/intro', version: 1, type: 'chat' }),
      }),
      'GET /api/prompts/sales/intro/versions': () => ({ body: { data: [] } }),
    });
    const recorded = recordingBodies(api.fetch);
    const storage = createMemoryStorage();
    storage.setItem('flywheel.apiKey', 'fw_sk_test');
    renderApp({ path: '/prompts/-/new', fetch: recorded.fetch, storage });

    await userEvent.type(await screen.findByLabelText('Name', {}, { timeout: 5000 }), 'sales/ intro');
    await userEvent.click(screen.getByRole('button', { name: 'Chat messages' }));
    fireEvent.change(screen.getByLabelText('Content of message 1'), { target: { value: 'Greet {{lead}}.' } });
    await userEvent.click(screen.getByRole('button', { name: 'Create prompt' }));
    expect(screen.getByRole('alert').textContent).toMatch(/Name must be segments/);
    expect(recorded.sent.filter((body) => body.method === 'POST')).toHaveLength(0);

    await userEvent.clear(screen.getByLabelText('Name'));
    await userEvent.type(screen.getByLabelText('Name'), 'sales/intro');
    await userEvent.click(screen.getByRole('button', { name: 'Create prompt' }));
    await screen.findByText(/^\/prompts\/sales\/intro\?version=1$/);
    expect(recorded.sent.find((body) => body.method === 'POST')?.body).toEqual({
      name: 'sales/intro',
      type: 'chat',
      template: [{ role: 'user', content: 'Greet {{lead}}.' }],
      config: {},
      base_version: null,
    });
  });
});
