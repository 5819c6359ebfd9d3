// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../api/session-store.js';
import { restError } from '../testing-internal/fake-api.js';
import { renderApp } from '../testing-internal/render-app.js';
import { createDatasetsApi, fakeItem } from './dataset-test-api.js';

const itemPath = '/api/datasets/support/golden/items/charged-twice';

function signedIn() {
  const storage = createMemoryStorage();
  storage.setItem('flywheel.apiKey', 'fw_sk_test');
  return storage;
}

describe('editing a dataset item', () => {
  afterEach(cleanup);

  it('shows what is wrong with each JSON field and sends nothing until all are valid', async () => {
    let stored = fakeItem();
    const api = createDatasetsApi({
      [`GET ${itemPath}`]: () => ({ body: stored }),
      [`PUT ${itemPath}`]: (_request, body) => {
        const content = body as {
          input: Record<string, unknown>;
          expected_output: unknown;
          metadata: Record<string, unknown>;
        };
        stored = fakeItem({ ...content, version: 2, updated_at: '2026-11-21T11:00:00.000Z' });
        return {
          body: {
            version: 2,
            created: 0,
            updated: 1,
            unchanged: 0,
            deleted: 0,
            items: [{ id: stored.id, status: 'updated' }],
            item: stored,
          },
        };
      },
    });
    renderApp({
      path: '/datasets/support/golden/items/charged-twice',
      fetch: api.fetch,
      storage: signedIn(),
    });

    const input = (await screen.findByLabelText('Input', {}, { timeout: 10_000 })) as HTMLTextAreaElement;
    expect(input.value).toBe('{\n  "ticket": "I was charged twice"\n}');
    const expected = screen.getByLabelText('Expected output') as HTMLTextAreaElement;
    expect(expected.value).toBe('"billing"');
    const metadata = screen.getByLabelText('Metadata') as HTMLTextAreaElement;
    expect(metadata.value).toBe('');

    fireEvent.change(input, { target: { value: '["not", "an object"]' } });
    fireEvent.change(expected, { target: { value: 'billing' } });
    fireEvent.change(metadata, { target: { value: '{"source": "e2e",}' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save item' }));
    const alerts = screen.getAllByRole('alert').map((alert) => alert.textContent);
    expect(alerts[0]).toBe('Input: Must be a JSON object ({ … }), not an array.');
    expect(alerts[1]).toMatch(/^Expected output: Not valid JSON: /);
    expect(alerts[2]).toMatch(/^Metadata: Not valid JSON: .+\(line 1, column 18\)\.$/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(input);
    expect(api.writes).toEqual([]);

    fireEvent.change(input, { target: { value: '{"ticket": "<script>alert(1)</script> charged twice"}' } });
    fireEvent.change(expected, { target: { value: '{"queue": "billing"}' } });
    fireEvent.change(metadata, { target: { value: '{"source": "e2e"}' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save item' }));
    await screen.findByText('Saved: the dataset is now at version v2.');
    expect(api.writes).toEqual([
      {
        method: 'PUT',
        path: itemPath,
        body: {
          input: { ticket: '<script>alert(1)</script> charged twice' },
          expected_output: { queue: 'billing' },
          metadata: { source: 'e2e' },
          source_trace_id: null,
          source_span_id: null,
        },
      },
    ]);
    // The form starts over from what the server stored.
    await waitFor(() => expect(screen.getByText(/This content is from version v2/)).toBeTruthy());
    expect((screen.getByLabelText('Expected output') as HTMLTextAreaElement).value).toBe(
      '{\n  "queue": "billing"\n}',
    );
    expect(document.querySelector('script')).toBeNull();
  });

  it("shows the server's message when it refuses the item", async () => {
    const api = createDatasetsApi({
      [`GET ${itemPath}`]: () => ({ body: fakeItem() }),
      [`PUT ${itemPath}`]: () => ({
        status: 400,
        body: restError('validation_failed', 'body.input: is nested deeper than 32 levels'),
      }),
    });
    renderApp({
      path: '/datasets/support/golden/items/charged-twice',
      fetch: api.fetch,
      storage: signedIn(),
    });
    await screen.findByLabelText('Input', {}, { timeout: 10_000 });
    await userEvent.click(screen.getByRole('button', { name: 'Save item' }));
    const alert = await screen.findByText('body.input: is nested deeper than 32 levels');
    expect(alert.closest('[role="alert"]')?.textContent).toContain('Could not save the item');
    expect(alert.closest('[role="alert"]')?.textContent).toContain('validation_failed');
  });
});
