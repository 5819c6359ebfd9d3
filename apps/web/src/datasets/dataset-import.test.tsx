// @vitest-environment jsdom
import type { DatasetItemInput } from '@flywheel/spec';
import { cleanup, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { restError } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import { createDatasetsApi, fakeDataset } from './dataset-test-api.js';

const itemsPath = '/api/datasets/support/golden/items';

function signedIn() {
  const storage = createMemoryStorage();
  storage.setItem('flywheel.apiKey', 'fw_sk_test');
  return storage;
}

function csvFile(lines: string[], name = 'cases.csv') {
  return new File([lines.join('\n')], name, { type: 'text/csv' });
}

describe('importing a file into a dataset', () => {
  afterEach(cleanup);

  it('maps the chosen columns into the items it previews and sends, in batches of 1,000 with progress', async () => {
    let version = 1;
    const api = createDatasetsApi({
      'GET /api/datasets/support/golden': () => ({ body: fakeDataset({ version }) }),
      [`POST ${itemsPath}`]: (_request, body) => {
        const { items } = body as { items: DatasetItemInput[] };
        version += 1;
        return {
          body: {
            version,
            created: items.length,
            updated: 0,
            unchanged: 0,
            deleted: 0,
            items: items.map((item) => ({ id: item.id, status: 'created' })),
          },
        };
      },
    });
    renderApp({ path: '/datasets/support/golden?view=import', fetch: api.fetch, storage: signedIn() });
    const picker = await screen.findByLabelText(
      'Choose a CSV or JSONL file, or drop it here',
      {},
      { timeout: 10_000 },
    );
    const rows = Array.from(
      { length: 2500 },
      (_, index) => `case-${index},Question ${index},billing,email,${index}`,
    );
    await userEvent.upload(picker, csvFile(['id,question,answer,source,note', ...rows]));

    // Suggested: `id` is the id, the rest input variables; the user maps the others.
    await screen.findByRole('combobox', { name: 'id' });
    const role = (column: string) => screen.getByRole('combobox', { name: column });
    expect((role('id') as HTMLSelectElement).value).toBe('id');
    expect((role('question') as HTMLSelectElement).value).toBe('input');
    await userEvent.selectOptions(role('answer'), 'expected');
    await userEvent.selectOptions(role('source'), 'metadata');
    await userEvent.selectOptions(role('note'), 'ignore');

    const preview = screen.getByRole('table', { name: 'The first 5 items' });
    const first = within(preview).getAllByRole('row')[1]!;
    expect(
      within(first)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['2', 'case-0', '{"question":"Question 0"}', 'billing', '{"source":"email"}']);

    await userEvent.click(screen.getByRole('button', { name: 'Import 2,500 items' }));
    await screen.findByRole('heading', { name: 'Imported 2,500 items' });
    expect(api.writes.map((write) => (write.body as { items: unknown[] }).items.length)).toEqual([
      1000, 1000, 500,
    ]);
    expect((api.writes[0]!.body as { items: DatasetItemInput[] }).items[0]).toEqual({
      id: 'case-0',
      input: { question: 'Question 0' },
      expected_output: 'billing',
      metadata: { source: 'email' },
    });
    const outcome = (name: string) => document.querySelector(`[data-outcome="${name}"]`)?.textContent;
    expect(outcome('created')).toBe('2,500');
    expect(outcome('unchanged')).toBe('0');
    expect(outcome('version')).toBe('v4');
  });

  it('lists the lines that cannot be imported, and offers no import until they are fixed', async () => {
    const api = createDatasetsApi({ 'GET /api/datasets/support/golden': () => ({ body: fakeDataset() }) });
    renderApp({ path: '/datasets/support/golden?view=import', fetch: api.fetch, storage: signedIn() });
    const picker = await screen.findByLabelText(
      'Choose a CSV or JSONL file, or drop it here',
      {},
      { timeout: 10_000 },
    );
    await userEvent.upload(picker, csvFile(['id,question', 'a,one', 'a,two']));
    expect((await screen.findByRole('alert', { name: 'Problems' })).textContent).toContain(
      "Line 3: the id 'a' was already used on line 2; every item needs its own id.",
    );
    expect((screen.getByRole('button', { name: 'Import 0 items' }) as HTMLButtonElement).disabled).toBe(true);

    // Giving the id column another role fixes it: the ids are then made from the content.
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'id' }), 'metadata');
    expect(screen.queryByRole('alert', { name: 'Problems' })).toBeNull();
    expect((screen.getByRole('button', { name: 'Import 2 items' }) as HTMLButtonElement).disabled).toBe(
      false,
    );

    await userEvent.upload(picker, csvFile(['a,b', '1,2,3']));
    await screen.findByText('Could not read cases.csv');
    expect(screen.getByRole('alert').textContent).toContain('Could not read cases.csv');
    expect(screen.getByRole('alert').textContent).toContain('Line 2: 3 fields, but the header has 2 columns');
  });

  it("says where an import stopped and shows the server's message", async () => {
    let calls = 0;
    const api = createDatasetsApi({
      'GET /api/datasets/support/golden': () => ({ body: fakeDataset() }),
      [`POST ${itemsPath}`]: () => {
        calls += 1;
        return calls === 1
          ? { body: { version: 2, created: 1000, updated: 0, unchanged: 0, deleted: 0, items: [] } }
          : { status: 404, body: restError('dataset_not_found', 'No dataset support/golden.') };
      },
    });
    renderApp({ path: '/datasets/support/golden?view=import', fetch: api.fetch, storage: signedIn() });
    const picker = await screen.findByLabelText(
      'Choose a CSV or JSONL file, or drop it here',
      {},
      { timeout: 10_000 },
    );
    await userEvent.upload(
      picker,
      csvFile(['q', ...Array.from({ length: 1200 }, (_, index) => `q${index}`)]),
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Import 1,200 items' }));
    const alert = await screen.findByText(/No dataset support\/golden\./);
    expect(alert.textContent).toBe(
      'No dataset support/golden. Stopped after 1000 of 1200 items; those are stored. Import the same file again to add the rest: items already stored are left unchanged.',
    );
    expect(screen.getByText('Imported 1,000 of 1,200 items')).toBeTruthy();
  });
});
