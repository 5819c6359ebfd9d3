import type { TraceSummaryBody } from '@flywheel/spec';
import { keepPreviousData, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { useApi } from '../api/api-context.js';
import { useApiQuery } from '../api/use-api-query.js';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { TimeRangePicker } from '../components/time-range-picker.js';
import { formatCount, formatDuration } from '../format/format-number.js';
import { describeTimeRange, writeTimeRange } from '../time/time-range.js';
import { useTimeRange } from '../time/use-time-range.js';
import { TraceFilterForm } from './trace-filter-form.js';
import {
  countTraceFilters,
  emptyTraceFilters,
  pageSizes,
  readCursors,
  readPageSize,
  readTraceFilters,
  toTraceListQuery,
  writeCursors,
  writeTraceFilters,
} from './trace-filters.js';
import { formatTraceCost, formatTraceTime, formatTraceTimeShort, tracePath } from './trace-format.js';
import { StatusBadge } from './trace-parts.js';

/** What the trace page's "Back to traces" link returns to: the list as it was left. */
export interface TraceLinkState {
  listSearch: string;
}

/** The trace list: filters and time range from the URL, newest first, paged by the server's cursors. */
export function TraceList() {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const time = useTimeRange();
  const { scope } = useApi();
  const queryClient = useQueryClient();
  const sizeId = useId();

  const filters = useMemo(() => readTraceFilters(params), [params]);
  const cursors = useMemo(() => readCursors(params), [params]);
  const limit = readPageSize(params);
  const query = toTraceListQuery(filters, time.range, { limit, cursor: cursors.at(-1) });
  const traces = useApiQuery(['traces', 'list', query], (client) => client.traces.list(query), {
    // Keep the rows on screen while the next page or filter loads, instead of a spinner.
    placeholderData: keepPreviousData,
  });

  const linkState: TraceLinkState = { listSearch: location.search };
  const pageNumber = cursors.length + 1;
  const filtered = countTraceFilters(filters) > 0;

  const refresh = () => {
    time.refresh();
    void queryClient.invalidateQueries({ queryKey: ['api', scope, 'traces', 'list'] });
  };
  const goToPage = (next: string[]) => setParams((previous) => writeCursors(previous, next));

  const columns: DataTableColumn<TraceSummaryBody>[] = [
    {
      id: 'time',
      header: 'Time',
      cell: (trace) => (
        <time dateTime={trace.start_time} title={formatTraceTime(trace.start_time)}>
          {formatTraceTimeShort(trace.start_time)}
        </time>
      ),
    },
    {
      id: 'name',
      header: 'Name',
      wrap: true,
      cell: (trace) => (
        <Link to={tracePath(trace.id)} state={linkState} className="trace-link">
          {trace.name || trace.id}
        </Link>
      ),
    },
    { id: 'status', header: 'Status', cell: (trace) => <StatusBadge status={trace.status} /> },
    { id: 'user', header: 'User', cell: (trace) => trace.user_id ?? '—' },
    { id: 'session', header: 'Session', cell: (trace) => trace.session_id ?? '—' },
    { id: 'models', header: 'Model', wrap: true, cell: (trace) => trace.models.join(', ') || '—' },
    { id: 'latency', header: 'Latency', align: 'end', cell: (trace) => formatDuration(trace.latency_ms) },
    { id: 'cost', header: 'Cost', align: 'end', cell: formatTraceCost },
    {
      id: 'tags',
      header: 'Tags',
      cell: (trace) =>
        trace.tags.length === 0 ? (
          '—'
        ) : (
          <ul className="tag-list">
            {trace.tags.map((tag) => (
              <li key={tag} className="tag">
                {tag}
              </li>
            ))}
          </ul>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Traces"
        description="Every gateway call and ingested pipeline run, newest first."
        actions={
          <>
            <TimeRangePicker
              value={time.selection}
              onChange={(selection) => {
                time.refresh();
                setParams((previous) => writeCursors(writeTimeRange(previous, selection), []));
              }}
            />
            <button type="button" className="button" onClick={refresh} aria-busy={traces.isFetching}>
              {traces.isFetching ? 'Updating…' : 'Refresh'}
            </button>
          </>
        }
      />
      <TraceFilterForm
        value={filters}
        onApply={(next) => setParams((previous) => writeTraceFilters(previous, next))}
      />
      <section className="trace-results" aria-label="Traces found" aria-busy={traces.isFetching}>
        {traces.isPending ? (
          <LoadingState label="Loading traces…" />
        ) : traces.isError ? (
          <ErrorMessage
            title="Could not load traces"
            error={traces.error}
            onRetry={() => void traces.refetch()}
          />
        ) : traces.data.data.length === 0 && pageNumber === 1 ? (
          filtered ? (
            <EmptyState
              title="No traces match these filters"
              action={
                <button
                  type="button"
                  className="button"
                  onClick={() => setParams((previous) => writeTraceFilters(previous, emptyTraceFilters))}
                >
                  Clear filters
                </button>
              }
            >
              Nothing in {describeTimeRange(time.selection).toLowerCase()} has all of them. Loosen a filter or
              pick a longer time range.
            </EmptyState>
          ) : (
            <EmptyState title="No traces in this time range">
              Calls through the gateway (<code>/v1/chat/completions</code>) and traces sent to{' '}
              <code>/api/ingest</code>, OTLP or the SDK's tracer show here. Pick a longer range, or send some.
            </EmptyState>
          )
        ) : (
          <>
            <DataTable
              caption={`Traces, page ${pageNumber}`}
              hideCaption
              columns={columns}
              rows={traces.data.data}
              rowKey={(trace) => trace.id}
              emptyMessage="No more traces: this page is past the last one."
            />
            <nav className="trace-paging" aria-label="Pages of traces">
              <span className="muted">
                Page {pageNumber} · {formatCount(traces.data.data.length)}{' '}
                {traces.data.data.length === 1 ? 'trace' : 'traces'}
                {traces.data.next_cursor ? ', more after these' : ''}
              </span>
              <div className="trace-paging-buttons">
                <label className="trace-page-size" htmlFor={sizeId}>
                  <span>Per page</span>
                  <select
                    id={sizeId}
                    className="select"
                    value={limit}
                    onChange={(event) =>
                      setParams((previous) => {
                        const next = writeCursors(previous, []);
                        next.set('limit', event.target.value);
                        return next;
                      })
                    }
                  >
                    {pageSizes.map((size) => (
                      <option key={size} value={size}>
                        {size}
                      </option>
                    ))}
                  </select>
                </label>
                {pageNumber > 2 ? (
                  <button type="button" className="button" onClick={() => goToPage([])}>
                    Newest
                  </button>
                ) : null}
                <button
                  type="button"
                  className="button"
                  disabled={pageNumber === 1}
                  onClick={() => goToPage(cursors.slice(0, -1))}
                >
                  Previous page
                </button>
                <button
                  type="button"
                  className="button"
                  disabled={!traces.data.next_cursor || traces.isPlaceholderData}
                  onClick={() => goToPage([...cursors, traces.data.next_cursor!])}
                >
                  Next page
                </button>
              </div>
            </nav>
          </>
        )}
      </section>
    </>
  );
}
