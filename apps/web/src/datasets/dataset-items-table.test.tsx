// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { renderApp } from '../testing-internal/render-app.js';
import { createDatasetsApi, fakeDataset, fakeItem } from './dataset-test-api.js';

function signedIn() {
  const storage = createMemoryStorage();
  storage.setItem('flywheel.apiKey', 'fw_sk_test');
  return storage;
}

const versions = [1, 2].map((version) => ({
  version,
  created: 1,
  updated: 0,
  deleted: 0,
  item_count: version,
  created_by: { key_id: 'key_1', key_name: 'admin' },
  created_at: '2026-11-21T10:00:00.000Z',
}));

describe('the items of a dataset', () => {
  afterEach(cleanup);

  it('pages with the cursor in the URL, goes back, and reads an older version without edit links', async () => {
    const api = createDatasetsApi({
      'GET /api/datasets/support/golden': () => ({ body: fakeDataset({ version: 2 }) }),
      'GET /api/datasets/support/golden/versions': () => ({ body: { data: [...versions].reverse() } }),
      'GET /api/datasets/support/golden/items': (request) => {
        const version = Number(request.search.get('version') ?? 2);
        const cursor = request.search.get('cursor');
        expect(request.search.get('limit')).toBe('50');
        const id = version === 1 ? 'old-item' : cursor === 'page-2' ? 'second-page' : 'first-page';
        return {
          body: {
            version,
            data: [fakeItem({ id })],
            next_cursor: version === 2 && !cursor ? 'page-2' : null,
          },
        };
      },
    });
    renderApp({ path: '/datasets/support/golden', fetch: api.fetch, storage: signedIn() });
    const location = () => screen.getByTestId('location').textContent;

    await screen.findByRole('link', { name: 'Edit item first-page' }, { timeout: 10_000 });
    expect((screen.getByRole('button', { name: 'Previous page' }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('link', { name: 'Edit item second-page' });
    expect(location()).toBe('/datasets/support/golden?cursor=page-2&back=');
    expect(screen.getByText('Items 51–51')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Next page' }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    await screen.findByRole('link', { name: 'Edit item first-page' });
    expect(location()).toBe('/datasets/support/golden');

    const versionSelect = screen.getByRole('combobox', { name: 'Version' });
    await waitFor(() => expect(within(versionSelect).getAllByRole('option').length).toBe(2));
    await userEvent.selectOptions(versionSelect, '1');
    await screen.findByRole('cell', { name: 'old-item' });
    expect(location()).toBe('/datasets/support/golden?version=1');
    expect(screen.queryByRole('link', { name: /^Edit item/ })).toBeNull();
    expect(screen.getByRole('status').textContent).toBe(
      'Showing version v1, as it was then. Items are edited at the current version.',
    );
  });
});
