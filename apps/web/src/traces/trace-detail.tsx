import type { TraceDetailBody } from '@flywheel/spec';
import { type ReactNode, useMemo } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount, formatDuration } from '../format/format-number.js';
import { AddToDataset } from './add-to-dataset.js';
import { ScorePanel } from './score-panel.js';
import { Facts, SpanDetail, TraceOverview } from './span-detail.js';
import { SpanTreeView } from './span-tree-view.js';
import { formatTraceCost, formatTraceTime } from './trace-format.js';
import type { TraceLinkState } from './trace-list.js';
import { StatusBadge } from './trace-parts.js';
import { allSpans } from './trace-tree.js';

/**
 * One trace (`/traces/:traceId`): its figures, the span tree as a timing waterfall, the chosen
 * span (`?span=<id>`, or `?span=` for the trace itself) with its conversation and JSON, the
 * scores, and actions: add a score, add the trace to a dataset.
 */
export function TraceDetail() {
  const { traceId = '' } = useParams();
  const location = useLocation();
  const listSearch = (location.state as TraceLinkState | null)?.listSearch ?? '';
  const trace = useApiQuery(['traces', 'detail', traceId], (client) => client.traces.get(traceId));
  const back = (
    <Link className="button" to={`/traces${listSearch}`}>
      ← Back to traces
    </Link>
  );

  if (trace.isPending) {
    return (
      <>
        <PageHeader title="Trace" description={<code>{traceId}</code>} actions={back} />
        <LoadingState label="Loading the trace…" />
      </>
    );
  }
  if (trace.isError) {
    return (
      <>
        <PageHeader title="Trace" description={<code>{traceId}</code>} actions={back} />
        <ErrorMessage
          title="Could not load the trace"
          error={trace.error}
          onRetry={() => void trace.refetch()}
        />
      </>
    );
  }
  return <TraceView trace={trace.data} back={back} />;
}

function TraceView({ trace, back }: { trace: TraceDetailBody; back: ReactNode }) {
  const [params, setParams] = useSearchParams();
  const spans = useMemo(() => allSpans(trace.spans), [trace.spans]);
  const chosen = params.get('span');
  const selected =
    chosen === null
      ? defaultSelection(trace, spans)
      : chosen === ''
        ? null
        : (spans.find((span) => span.id === chosen) ?? null);
  const select = (spanId: string | null) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        next.set('span', spanId ?? '');
        return next;
      },
      { replace: true, preventScrollReset: true },
    );

  const facts: Array<[string, ReactNode]> = [
    ['Status', <StatusBadge key="status" status={trace.status} />],
    ['Started', formatTraceTime(trace.start_time)],
    ['Latency', formatDuration(trace.latency_ms)],
    [
      'Spans',
      `${formatCount(trace.span_count)}${trace.error_count > 0 ? ` (${formatCount(trace.error_count)} failed)` : ''}`,
    ],
    ['Tokens in → out', `${formatCount(trace.input_tokens)} → ${formatCount(trace.output_tokens)}`],
    ['Cost', formatTraceCost(trace)],
    ['Models', trace.models.join(', ') || '—'],
    ['User', trace.user_id ?? '—'],
    ['Session', trace.session_id ?? '—'],
    ['Environment', trace.environment ?? '—'],
    ['Release', trace.release ?? '—'],
    ['Tags', trace.tags.join(', ') || '—'],
  ];

  return (
    <>
      <PageHeader
        title={trace.name || 'Trace'}
        description={
          <>
            Trace <code>{trace.id}</code>
          </>
        }
        actions={back}
      />
      <section className="panel" aria-label="Summary">
        <Facts label="Summary" items={facts} />
      </section>
      {chosen !== null && chosen !== '' && selected === null ? (
        <ErrorMessage
          title="No such span"
          error={`This trace has no span with id '${chosen}'; the trace itself is shown instead.`}
        />
      ) : null}
      <section className="panel" aria-labelledby="trace-spans-title">
        <h2 id="trace-spans-title" className="panel-title">
          Spans and timing
        </h2>
        <SpanTreeView trace={trace} selectedSpanId={selected?.id ?? null} onSelect={select} />
      </section>
      <div className="trace-columns">
        <div className="trace-column">
          {selected ? (
            <SpanDetail key={selected.id} span={selected} traceStart={trace.start_time} />
          ) : (
            <TraceOverview trace={trace} />
          )}
        </div>
        <div className="trace-column">
          <ScorePanel trace={trace} />
          <AddToDataset traceId={trace.id} />
        </div>
      </div>
    </>
  );
}

/** What the trace page opens on: the trace when it has its own input or output, else its first generation. */
function defaultSelection(trace: TraceDetailBody, spans: TraceDetailBody['spans']) {
  if (trace.input !== null || trace.output !== null) return null;
  return spans.find((span) => span.kind === 'generation') ?? spans[0] ?? null;
}
