// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeApi, restError } from '../testing-internal/fake-api.js';
import { traceSummary } from './trace-fixtures.js';
import { renderTraces } from './trace-test-render.js';

const search = () => new URLSearchParams(screen.getByTestId('location').textContent!.split('?')[1] ?? '');
const listRequests = (api: ReturnType<typeof createFakeApi>) =>
  api.requests.filter((request) => request.path === '/api/traces');

describe('the trace list', () => {
  afterEach(cleanup);

  it('reads its filters from the URL into the form and the request', async () => {
    const api = createFakeApi({
      'GET /api/traces': () => ({
        body: { data: [traceSummary({ id: 'tr_1', user_id: 'u_7' })], next_cursor: null },
      }),
    });
    renderTraces('/traces?range=7d&user_id=u_7&status=error&tags=a,b&min_latency_ms=500&q=refund', api.fetch);

    await screen.findByRole('link', { name: 'support answer' });
    expect((screen.getByLabelText('User') as HTMLInputElement).value).toBe('u_7');
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('error');
    expect((screen.getByLabelText('Tags') as HTMLInputElement).value).toBe('a,b');
    expect((screen.getByLabelText('Latency from (ms)') as HTMLInputElement).value).toBe('500');
    expect((screen.getByLabelText('Search') as HTMLInputElement).value).toBe('refund');
    expect(screen.getByText('5 filters applied')).toBeTruthy();

    const sent = listRequests(api)[0]!.search;
    expect(sent.get('user_id')).toBe('u_7');
    expect(sent.get('status')).toBe('error');
    expect(sent.get('tags')).toBe('a,b');
    expect(sent.get('min_latency_ms')).toBe('500');
    expect(sent.get('q')).toBe('refund');
    expect(sent.get('limit')).toBe('50');
    // The time range of the URL: seven days, ending about now.
    const span = Date.parse(sent.get('to')!) - Date.parse(sent.get('from')!);
    expect(span).toBe(7 * 86_400_000);
  });

  it('writes applied filters to the URL, keeping the range and starting paging over', async () => {
    const api = createFakeApi({
      'GET /api/traces': () => ({ body: { data: [traceSummary({ id: 'tr_1' })], next_cursor: null } }),
    });
    renderTraces('/traces?range=1h&cursor=abc', api.fetch);
    await screen.findByRole('link', { name: 'support answer' });

    await userEvent.type(screen.getByLabelText('Model'), 'gpt-4o-mini');
    await userEvent.type(screen.getByLabelText('Session'), ' s_1 ');
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'ok');
    await userEvent.type(screen.getByLabelText('Search'), 'refund policy{Enter}');

    await waitFor(() => expect(search().get('model')).toBe('gpt-4o-mini'));
    expect(search().get('session_id')).toBe('s_1');
    expect(search().get('status')).toBe('ok');
    expect(search().get('q')).toBe('refund policy');
    expect(search().get('range')).toBe('1h');
    expect(search().has('cursor')).toBe(false);
    await waitFor(() => expect(listRequests(api).at(-1)!.search.get('model')).toBe('gpt-4o-mini'));
    expect(listRequests(api).at(-1)!.search.has('cursor')).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(search().has('model')).toBe(false));
    expect([...search().keys()]).toEqual(['range']);
    expect((screen.getByLabelText('Model') as HTMLInputElement).value).toBe('');
  });

  it('refuses numbers it cannot send and says why, next to the field', async () => {
    const api = createFakeApi({ 'GET /api/traces': () => ({ body: { data: [], next_cursor: null } }) });
    renderTraces('/traces', api.fetch);
    await screen.findByRole('heading', { name: 'No traces in this time range' });

    await userEvent.type(screen.getByLabelText('Cost from (USD)'), '2');
    await userEvent.type(screen.getByLabelText('Cost to (USD)'), '1');
    await userEvent.type(screen.getByLabelText('Latency to (ms)'), 'fast');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByText('Must be at least the minimum.')).toBeTruthy();
    expect(screen.getByText('Enter a number.')).toBeTruthy();
    expect(screen.getByLabelText('Latency to (ms)').getAttribute('aria-invalid')).toBe('true');
    expect(search().has('min_cost')).toBe(false);
  });

  it('pages forward and back with the cursors kept in the URL', async () => {
    const api = createFakeApi({
      'GET /api/traces': (request) => {
        const cursor = request.search.get('cursor');
        if (cursor === null)
          return { body: { data: [traceSummary({ id: 'tr_new', name: 'newest' })], next_cursor: 'c1' } };
        if (cursor === 'c1')
          return { body: { data: [traceSummary({ id: 'tr_mid', name: 'middle' })], next_cursor: 'c2' } };
        return { body: { data: [traceSummary({ id: 'tr_old', name: 'oldest' })], next_cursor: null } };
      },
    });
    renderTraces('/traces?limit=10', api.fetch);
    await screen.findByRole('link', { name: 'newest' });
    expect((screen.getByRole('button', { name: 'Previous page' }) as HTMLButtonElement).disabled).toBe(true);

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('link', { name: 'middle' });
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('link', { name: 'oldest' });
    expect(search().getAll('cursor')).toEqual(['c1', 'c2']);
    expect(search().get('limit')).toBe('10');
    expect(screen.getByText(/^Page 3/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Next page' }) as HTMLButtonElement).disabled).toBe(true);
    expect(listRequests(api).at(-1)!.search.get('limit')).toBe('10');

    await userEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    await screen.findByRole('link', { name: 'middle' });
    expect(search().getAll('cursor')).toEqual(['c1']);
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('link', { name: 'oldest' });
    await userEvent.click(screen.getByRole('button', { name: 'Newest' }));
    await screen.findByRole('link', { name: 'newest' });
    expect(search().has('cursor')).toBe(false);
  });

  it('shows each trace as text, linking to its page with the list to come back to', async () => {
    const hostile = '<img src=x onerror="window.__xss=1">';
    const api = createFakeApi({
      'GET /api/traces': () => ({
        body: {
          data: [
            traceSummary({
              id: 'tr:1',
              name: hostile,
              status: 'error',
              tags: ['e2e', 'beta'],
              models: [hostile],
              cost: null,
              unknown_cost_count: 1,
            }),
          ],
          next_cursor: null,
        },
      }),
    });
    const { container } = renderTraces('/traces?status=error', api.fetch);
    const link = await screen.findByRole('link', { name: hostile });
    expect(container.querySelector('img')).toBeNull();
    const row = link.closest('tr')!;
    expect(within(row).getByText('Error')).toBeTruthy();
    expect(within(row).getByText('beta')).toBeTruthy();
    // No price for the model: no cost rather than a zero.
    expect(within(row).getAllByRole('cell')[7]!.textContent).toBe('—');
    expect(link.getAttribute('href')).toBe('/traces/tr%3A1');
  });

  it("shows the server's message when the list fails, and an empty state for filters that match nothing", async () => {
    let fail = true;
    const api = createFakeApi({
      'GET /api/traces': () =>
        fail
          ? { status: 400, body: restError('invalid_cursor', 'The cursor is not one this server gave out.') }
          : { body: { data: [], next_cursor: null } },
    });
    renderTraces('/traces?cursor=bogus&model=none', api.fetch);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load traces');
    expect(alert.textContent).toContain('The cursor is not one this server gave out.');
    expect(alert.textContent).toContain('invalid_cursor');

    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await screen.findByRole('heading', { name: 'No traces match these filters' });
    const empty = screen.getByRole('region', { name: 'No traces match these filters' });
    await userEvent.click(within(empty).getByRole('button', { name: 'Clear filters' }));
    await screen.findByRole('heading', { name: 'No traces in this time range' });
  });
});
