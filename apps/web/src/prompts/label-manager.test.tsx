// @vitest-environment jsdom
import type { PromptVersionBody } from '@flywheel/spec';
import { cleanup, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { createFakeApi, restError } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import { promptVersion, recordingBodies } from './prompts-fake-data.js';

// The first render loads the page's chunk and its data: allow for a busy machine.
const slow = { timeout: 5000 };

function history(options: { refuse?: boolean; protectedLabels?: string[] } = {}) {
  const versions: PromptVersionBody[] = [
    promptVersion({ version: 2, labels: ['latest', 'staging'], commit_message: 'Name the <b>customer</b>' }),
    promptVersion({ version: 1, labels: ['production'] }),
  ];
  const move = (label: string, to: number) => {
    for (const version of versions) version.labels = version.labels.filter((other) => other !== label);
    versions.find((version) => version.version === to)?.labels.push(label);
  };
  let lastBody: () => unknown = () => undefined;
  const api = createFakeApi({
    'GET /api/prompt-settings': () => ({ body: { protected_labels: options.protectedLabels ?? [] } }),
    'GET /api/prompts/support/triage/versions': () => ({ body: { data: versions } }),
    'GET /api/prompts/support/triage/audit': () => ({
      body: {
        data: [
          {
            label: 'production',
            from_version: null,
            to_version: 1,
            moved_by: { key_id: 'key_1', key_name: 'admin' },
            moved_at: '2026-11-21T10:00:00.000Z',
          },
        ],
      },
    }),
    'PUT /api/prompts/support/triage/labels/production': () => {
      if (options.refuse)
        return {
          status: 403,
          body: restError('label_protected', 'production is protected: use an admin key.'),
        };
      const { version } = lastBody() as { version: number };
      move('production', version);
      return { body: { moved: true, label: 'production', version } };
    },
    'PUT /api/prompts/support/triage/labels/staging': () => {
      const { version } = lastBody() as { version: number };
      move('staging', version);
      return { body: { moved: true, label: 'staging', version } };
    },
  });
  const recorded = recordingBodies(api.fetch);
  lastBody = recorded.lastBody;
  const storage = createMemoryStorage();
  storage.setItem('flywheel.apiKey', 'fw_sk_test');
  renderApp({ path: '/prompts/support/triage?view=history', fetch: recorded.fetch, storage });
  return { sent: recorded.sent };
}

const labelPuts = (sent: ReturnType<typeof history>['sent']) => sent.filter((body) => body.method === 'PUT');

describe('label moves', () => {
  afterEach(cleanup);

  it('lists the versions with their labels and commit messages as text', async () => {
    history();
    const table = await screen.findByRole('table', { name: 'Versions' }, slow);
    expect(within(table).getByRole('cell', { name: 'Name the <b>customer</b>' })).toBeTruthy();
    expect(table.querySelector('tbody b')).toBeNull();
    expect(await screen.findByText(/set to v1/)).toBeTruthy();
  });

  it('asks in a dialog before moving production, and moves it once confirmed', async () => {
    const { sent } = history();
    await userEvent.click(await screen.findByRole('button', { name: 'Move production' }, slow));
    const dialog = screen.getByRole('dialog', { name: 'Move production to v2?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(within(dialog).getByText(/production points at v1 now/)).toBeTruthy();
    expect(labelPuts(sent)).toHaveLength(0);

    // The keyboard stays in the dialog: from Cancel, Tab reaches the confirm button, then wraps.
    expect(document.activeElement?.textContent).toBe('Cancel');
    await userEvent.tab();
    expect(document.activeElement?.textContent).toBe('Move production');
    await userEvent.tab();
    expect(document.activeElement?.textContent).toBe('Cancel');
    await userEvent.tab({ shift: true });
    await userEvent.keyboard('{Enter}');

    await screen.findByText('production now points at v2.');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(labelPuts(sent)).toEqual([
      { method: 'PUT', path: '/api/prompts/support/triage/labels/production', body: { version: 2 } },
    ]);
  });

  it('cancels with Escape and gives the focus back to the button', async () => {
    const { sent } = history();
    const button = await screen.findByRole('button', { name: 'Move production' }, slow);
    await userEvent.click(button);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(labelPuts(sent)).toHaveLength(0);
  });

  it("shows the server's refusal inside the dialog", async () => {
    history({ refuse: true });
    await userEvent.click(await screen.findByRole('button', { name: 'Move production' }, slow));
    await userEvent.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Move production' }),
    );
    const alert = await within(screen.getByRole('dialog')).findByRole('alert');
    expect(alert.textContent).toContain('production is protected: use an admin key.');
    expect(alert.textContent).toContain('label_protected');
  });

  it('moves other labels at once, and asks for protected ones', async () => {
    const { sent } = history();
    await userEvent.click(await screen.findByRole('button', { name: 'Move staging' }, slow));
    await screen.findByText('staging now points at v1.');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(labelPuts(sent)).toHaveLength(1);
    cleanup();

    history({ protectedLabels: ['staging'] });
    await screen.findByText(/protected: admin keys only/);
    await userEvent.click(screen.getByRole('button', { name: 'Move staging' }));
    expect(screen.getByRole('dialog', { name: 'Move staging to v1?' })).toBeTruthy();
  });
});
