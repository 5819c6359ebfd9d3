import type { MetricsBody, MetricsRowBody } from '@flywheel/spec';
import type { UseQueryResult } from '@tanstack/react-query';
import { useId } from 'react';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import {
  errorRate,
  formatCost,
  formatCount,
  formatDuration,
  formatRatio,
  unknownFigure,
} from '../format/format-number.js';

/** The figures of a time range per model or per prompt version, busiest first. */
export function MetricsGroupTable({
  title,
  keyHeader,
  noKey,
  query,
}: {
  title: string;
  /** Header of the first column ("Model"). */
  keyHeader: string;
  /** What a row without a key means ("(no prompt)"). */
  noKey: string;
  query: UseQueryResult<MetricsBody, Error>;
}) {
  const headingId = useId();
  const columns: DataTableColumn<MetricsRowBody>[] = [
    { id: 'key', header: keyHeader, cell: (row) => row.key ?? noKey, wrap: true },
    { id: 'requests', header: 'Requests', cell: (row) => formatCount(row.requests), align: 'end' },
    { id: 'error-rate', header: 'Error rate', cell: (row) => formatRatio(errorRate(row)), align: 'end' },
    { id: 'input', header: 'Tokens in', cell: (row) => formatCount(row.input_tokens), align: 'end' },
    { id: 'output', header: 'Tokens out', cell: (row) => formatCount(row.output_tokens), align: 'end' },
    { id: 'cost', header: 'Cost', cell: costCell, align: 'end' },
    { id: 'p50', header: 'p50', cell: (row) => formatDuration(row.latency_ms.p50), align: 'end' },
    { id: 'p95', header: 'p95', cell: (row) => formatDuration(row.latency_ms.p95), align: 'end' },
  ];
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        {title}
      </h2>
      {query.isPending ? (
        <LoadingState label={`Loading ${title.toLowerCase()}…`} />
      ) : query.isError ? (
        <ErrorMessage
          title={`Could not load ${title.toLowerCase()}`}
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : (
        <DataTable
          caption={title}
          hideCaption
          columns={columns}
          rows={query.data.data}
          rowKey={(row) => row.key ?? '\u0000none'}
          emptyMessage="No requests in this time range."
        />
      )}
    </section>
  );
}

/** Known cost; a dash when no call of the row had a price, and how many were left out when some had none. */
function costCell(row: MetricsRowBody): string {
  if (row.requests > 0 && row.unknown_cost_count >= row.requests) return unknownFigure;
  const cost = formatCost(row.cost);
  return row.unknown_cost_count > 0 ? `${cost} (${formatCount(row.unknown_cost_count)} unpriced)` : cost;
}
