// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeApi } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import { createMemoryStorage } from './session-store.js';
import { useApiMutation, useApiQuery } from './use-api-query.js';

function Datasets() {
  const datasets = useApiQuery(['datasets'], (client) => client.datasets.list());
  const create = useApiMutation((client, name: string) => client.datasets.create({ name }), {
    invalidates: [['datasets']],
  });
  return (
    <>
      <p data-testid="names">{datasets.data?.map((dataset) => dataset.name).join(',') ?? 'loading'}</p>
      <button type="button" onClick={() => create.mutate('second')}>
        Create
      </button>
    </>
  );
}

describe('useApiQuery and useApiMutation', () => {
  afterEach(cleanup);

  it('reads through the SDK and refetches what a change invalidates', async () => {
    const names = ['first'];
    const dataset = (name: string) => ({
      id: `ds_${name}`,
      name,
      description: null,
      metadata: {},
      version: 0,
      item_count: 0,
      created_at: '2026-11-21T00:00:00.000Z',
      updated_at: '2026-11-21T00:00:00.000Z',
    });
    const api = createFakeApi({
      'GET /api/datasets': () => ({ body: { data: names.map(dataset) } }),
      'POST /api/datasets': () => {
        names.push('second');
        return { status: 201, body: dataset('second') };
      },
    });
    const storage = createMemoryStorage();
    storage.setItem('flywheel.apiKey', 'fw_sk_test');
    renderApp({ fetch: api.fetch, storage, children: <Datasets /> });
    await waitFor(() => expect(screen.getByTestId('names').textContent).toBe('first'));
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(screen.getByTestId('names').textContent).toBe('first,second'));
    expect(api.requests.filter((request) => request.path === '/api/datasets').length).toBe(3);
  });
});
