// @vitest-environment jsdom
import type { ScoreViewBody } from '@flywheel/spec';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeApi, restError } from '../testing-internal/fake-api.js';
import { spanNode, traceDetail } from './trace-fixtures.js';
import { renderTraces } from './trace-test-render.js';

const hostile = '<script>window.__xss=1</script> Your refund is on its way.';

const trace = traceDetail({
  id: 'tr_1',
  name: 'support answer',
  start_time: '2026-11-21T10:00:00.000Z',
  end_time: '2026-11-21T10:00:01.000Z',
  latency_ms: 1000,
  span_count: 3,
  user_id: 'u_7',
  tags: ['e2e'],
  spans: [
    spanNode({
      id: 'sp_pipeline',
      name: 'pipeline',
      startMs: 0,
      endMs: 1000,
      children: [
        spanNode({
          id: 'sp_chat',
          parent_id: 'sp_pipeline',
          kind: 'generation',
          name: 'chat',
          startMs: 250,
          endMs: 750,
          model: 'gpt-4o-mini',
          usage: {
            input_tokens: 1200,
            output_tokens: 80,
            cached_input_tokens: null,
            reasoning_tokens: null,
            estimated: false,
          },
          cost: 0.000228,
          input: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Where is my refund?' },
          ],
          output: hostile,
        }),
        spanNode({
          id: 'sp_search',
          parent_id: 'sp_pipeline',
          kind: 'retrieval',
          name: 'search',
          startMs: 0,
          endMs: 250,
        }),
      ],
    }),
  ],
});

function fakeServer(options: { datasets?: unknown[] } = {}) {
  const scores: ScoreViewBody[] = [];
  let additions = 0;
  const datasetBodies: unknown[] = [];
  const api = createFakeApi({
    'GET /api/traces/tr_1': () => ({ body: { ...trace, scores } }),
    'POST /api/scores': () => ({ status: 201, body: scores.at(-1) }),
    'GET /api/datasets': () => ({
      body: {
        data: options.datasets ?? [
          {
            id: 'ds_1',
            name: 'support/golden',
            description: null,
            metadata: {},
            version: 1,
            item_count: 2,
            created_at: '2026-11-21T09:00:00.000Z',
            updated_at: '2026-11-21T09:00:00.000Z',
          },
        ],
      },
    }),
    'POST /api/datasets/support/golden/from-traces': () => {
      additions += 1;
      if (additions === 1)
        return {
          body: {
            version: 2,
            created: 1,
            exists: 0,
            failed: 0,
            items: [{ trace_id: 'tr_1', item_id: 'tr_1', status: 'created' }],
          },
        };
      if (additions === 2)
        return {
          body: {
            version: 2,
            created: 0,
            exists: 1,
            failed: 0,
            items: [{ trace_id: 'tr_1', item_id: 'tr_1', status: 'exists' }],
          },
        };
      return { status: 403, body: restError('insufficient_scope', "This key lacks the 'write' scope.") };
    },
  });
  // The server stores what it is sent; the fake keeps the score to answer with it.
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (request.method === 'POST' && new URL(request.url).pathname === '/api/scores') {
      const body = (await request.clone().json()) as Record<string, unknown>;
      scores.push({
        id: String(body.id),
        trace_id: String(body.trace_id),
        span_id: (body.span_id as string | undefined) ?? null,
        name: String(body.name),
        data_type:
          typeof body.value === 'number'
            ? 'numeric'
            : typeof body.value === 'boolean'
              ? 'boolean'
              : 'categorical',
        value: body.value as ScoreViewBody['value'],
        source: 'human',
        comment: (body.comment as string | undefined) ?? null,
        created_at: '2026-11-21T10:05:00.000Z',
      });
    }
    if (new URL(request.url).pathname.endsWith('/from-traces'))
      datasetBodies.push(await request.clone().json());
    return api.fetch(request);
  };
  return { ...api, fetch, scores, datasetBodies };
}

describe('the trace page', () => {
  afterEach(cleanup);

  it('shows the span tree nested in start order, with bars placed on the trace axis', async () => {
    const api = fakeServer();
    const { container } = renderTraces('/traces/tr_1', api.fetch);
    const tree = await screen.findByRole('list', { name: 'Spans of the trace, over 1.00 s' });
    const rows = within(tree).getAllByRole('listitem');
    expect(rows.map((row) => [row.getAttribute('data-span-id'), row.getAttribute('data-depth')])).toEqual([
      [null, null],
      ['sp_pipeline', '0'],
      ['sp_search', '1'],
      ['sp_chat', '1'],
    ]);
    const bar = (spanId: string) => container.querySelector(`[data-span-id="${spanId}"] rect`)!;
    expect([bar('sp_chat').getAttribute('x'), bar('sp_chat').getAttribute('width')]).toEqual(['25', '50']);
    expect([bar('sp_search').getAttribute('x'), bar('sp_search').getAttribute('width')]).toEqual(['0', '25']);
    expect(within(rows[3]!).getByRole('button').textContent).toContain('500 ms, starting at +250 ms');
    expect(container.querySelector('[data-span-id="sp_chat"] .span-depth-2')).toBeTruthy();
  });

  it('opens on the first generation: its conversation as text, usage and cost', async () => {
    const api = fakeServer();
    const { container } = renderTraces('/traces/tr_1', api.fetch);
    const conversation = await screen.findByRole('list', { name: 'Conversation' });
    const turns = within(conversation).getAllByRole('listitem');
    expect(turns.map((turn) => turn.getAttribute('data-role'))).toEqual(['system', 'user', 'assistant']);
    expect(turns[2]!.textContent).toContain(hostile);
    expect(turns[2]!.textContent).toContain('Output');
    expect(container.querySelector('script')).toBeNull();
    expect(screen.getByRole('button', { name: /chat/, pressed: true })).toBeTruthy();
    const facts = screen.getByLabelText('About this span');
    expect(facts.textContent).toContain('gpt-4o-mini');
    expect(facts.textContent).toContain('1,200');
    expect(facts.textContent).toContain('$0.000228');
    // The raw JSON too, foldable.
    expect(screen.getByRole('button', { name: 'Fold Input (2 items)' })).toBeTruthy();
  });

  it('shows another span, or the trace itself, when chosen, and keeps the choice in the URL', async () => {
    const api = fakeServer();
    renderTraces('/traces/tr_1', api.fetch);
    await userEvent.click(await screen.findByRole('button', { name: /search/ }));
    expect(screen.getByRole('heading', { name: 'search', level: 2 })).toBeTruthy();
    expect(screen.getByTestId('location').textContent).toBe('/traces/tr_1?span=sp_search');
    await userEvent.click(screen.getByRole('button', { name: /^trace/ }));
    expect(screen.getByRole('heading', { name: 'The whole trace' })).toBeTruthy();
    expect(screen.getByTestId('location').textContent).toBe('/traces/tr_1?span=');
  });

  it('adds a score from the form and shows it in the table', async () => {
    const api = fakeServer();
    renderTraces('/traces/tr_1', api.fetch);
    const form = await screen.findByRole('form', { name: 'Add a score' });
    await userEvent.click(within(form).getByRole('button', { name: 'Add score' }));
    expect(within(form).getByRole('alert').textContent).toBe('Name the score, e.g. helpful.');

    await userEvent.type(within(form).getByLabelText('Name'), 'helpful');
    await userEvent.type(within(form).getByLabelText('Value'), 'much');
    await userEvent.click(within(form).getByRole('button', { name: 'Add score' }));
    expect(within(form).getByRole('alert').textContent).toBe('Enter a number, e.g. 1 or 0.5.');

    await userEvent.clear(within(form).getByLabelText('Value'));
    await userEvent.type(within(form).getByLabelText('Value'), '0.5');
    await userEvent.selectOptions(within(form).getByLabelText('On'), 'sp_chat');
    await userEvent.type(within(form).getByLabelText('Comment (optional)'), 'Right, but <b>slow</b>');
    await userEvent.click(within(form).getByRole('button', { name: 'Add score' }));

    const table = await screen.findByRole('table', { name: 'Scores' });
    await within(table).findByRole('cell', { name: 'helpful' });
    expect(within(table).getByRole('cell', { name: '0.5' })).toBeTruthy();
    expect(within(table).getByRole('cell', { name: 'chat' })).toBeTruthy();
    expect(within(table).getByRole('cell', { name: 'Right, but <b>slow</b>' })).toBeTruthy();
    expect(within(form).getByRole('status').textContent).toBe('Added helpful: 0.5.');
    const posted = api.requests.find(
      (request) => request.method === 'POST' && request.path === '/api/scores',
    );
    expect(posted).toBeTruthy();
    expect(api.scores[0]).toMatchObject({
      trace_id: 'tr_1',
      span_id: 'sp_chat',
      name: 'helpful',
      value: 0.5,
    });
  });

  it("adds the trace to a dataset and says which item it became; shows the server's refusal", async () => {
    const api = fakeServer();
    renderTraces('/traces/tr_1', api.fetch);
    const form = await screen.findByRole('form', { name: 'Add to a dataset' });
    expect((within(form).getByLabelText('Dataset') as HTMLSelectElement).value).toBe('support/golden');
    await userEvent.click(within(form).getByLabelText("Use the trace's output as the expected output"));
    await userEvent.click(within(form).getByRole('button', { name: 'Add to dataset' }));
    expect((await within(form).findByRole('status')).textContent).toBe(
      'Added to support/golden as item tr_1 (version 2).',
    );
    expect(api.datasetBodies[0]).toEqual({ trace_ids: ['tr_1'], expected_from: 'none' });

    await userEvent.click(within(form).getByRole('button', { name: 'Add to dataset' }));
    await waitFor(() =>
      expect(within(form).getByRole('status').textContent).toBe(
        'Already in support/golden as item tr_1; nothing changed.',
      ),
    );
    await userEvent.click(within(form).getByRole('button', { name: 'Add to dataset' }));
    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toContain('Could not add the trace');
    expect(alert.textContent).toContain("This key lacks the 'write' scope.");
  });

  it('says when there is no dataset to add to', async () => {
    const api = fakeServer({ datasets: [] });
    renderTraces('/traces/tr_1', api.fetch);
    expect(await screen.findByRole('heading', { name: 'No datasets yet' })).toBeTruthy();
  });

  it("shows the server's message for a trace that does not exist", async () => {
    const api = createFakeApi({
      'GET /api/traces/tr_gone': () => ({
        status: 404,
        body: restError('trace_not_found', "No trace with id 'tr_gone' in this project."),
      }),
    });
    renderTraces('/traces/tr_gone', api.fetch);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("No trace with id 'tr_gone' in this project.");
    expect(alert.textContent).toContain('trace_not_found');
    expect(screen.getByRole('link', { name: '← Back to traces' }).getAttribute('href')).toBe('/traces');
  });
});
