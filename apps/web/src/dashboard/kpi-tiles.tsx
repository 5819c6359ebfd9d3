import type { MetricsRowBody } from '@flywheel/spec';
import { errorRate, formatCost, formatCount, formatDuration, formatRatio } from '../format/format-number.js';

/** The headline figures of a time range: one tile each, label above value. */
export function KpiTiles({ total }: { total: MetricsRowBody }) {
  const tiles: Array<{ id: string; label: string; value: string; note?: string }> = [
    { id: 'requests', label: 'Requests', value: formatCount(total.requests) },
    {
      id: 'error-rate',
      label: 'Error rate',
      value: formatRatio(errorRate(total)),
      note: `${formatCount(total.errors)} ${total.errors === 1 ? 'error' : 'errors'}`,
    },
    { id: 'input-tokens', label: 'Tokens in', value: formatCount(total.input_tokens) },
    { id: 'output-tokens', label: 'Tokens out', value: formatCount(total.output_tokens) },
    {
      id: 'cost',
      label: 'Cost',
      value: formatCost(total.cost),
      ...(total.unknown_cost_count > 0
        ? {
            note: `${formatCount(total.unknown_cost_count)} ${total.unknown_cost_count === 1 ? 'call' : 'calls'} without a price left out`,
          }
        : {}),
    },
    { id: 'latency-p50', label: 'Latency p50', value: formatDuration(total.latency_ms.p50) },
    { id: 'latency-p95', label: 'Latency p95', value: formatDuration(total.latency_ms.p95) },
  ];
  return (
    <dl className="kpi-grid" aria-label="Totals">
      {tiles.map((tile) => (
        <div key={tile.id} className="panel kpi" data-kpi={tile.id}>
          <dt className="kpi-label">{tile.label}</dt>
          <dd className="kpi-value">{tile.value}</dd>
          {tile.note ? <dd className="kpi-note">{tile.note}</dd> : null}
        </div>
      ))}
    </dl>
  );
}
