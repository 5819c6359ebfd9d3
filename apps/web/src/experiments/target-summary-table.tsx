import { DataTable, type DataTableColumn } from '../components/data-table.js';
import {
  formatCost,
  formatCount,
  formatDuration,
  formatRatio,
  unknownFigure,
} from '../format/format-number.js';
import { formatScore } from './experiment-format.js';
import type { TargetSummary } from './experiment-summary.js';

const columns: DataTableColumn<TargetSummary>[] = [
  { id: 'target', header: 'Prompt × model', cell: (row) => row.label, wrap: true },
  { id: 'pass-rate', header: 'Pass rate', cell: (row) => formatRatio(row.passRate), align: 'end' },
  {
    id: 'outcomes',
    header: 'Pass / fail / error',
    cell: (row) => `${formatCount(row.passed)} / ${formatCount(row.failed)} / ${formatCount(row.errored)}`,
    align: 'end',
  },
  { id: 'score', header: 'Mean score', cell: (row) => formatScore(row.meanScore), align: 'end' },
  {
    id: 'tokens',
    header: 'Tokens in / out',
    cell: (row) => `${formatCount(row.inputTokens)} / ${formatCount(row.outputTokens)}`,
    align: 'end',
  },
  { id: 'cost', header: 'Cost', cell: costCell, align: 'end' },
  { id: 'p50', header: 'p50', cell: (row) => formatDuration(row.latencyP50Ms), align: 'end' },
  { id: 'p95', header: 'p95', cell: (row) => formatDuration(row.latencyP95Ms), align: 'end' },
];

/** A run's figures per prompt × model: pass rate, outcomes, score, tokens, cost, latency. */
export function TargetSummaryTable({ rows }: { rows: readonly TargetSummary[] }) {
  return (
    <DataTable
      caption="By prompt × model"
      hideCaption
      columns={columns}
      rows={rows}
      rowKey={(row) => row.key}
      emptyMessage="No prompt × model has results."
    />
  );
}

/** Known cost; a dash when nothing was priced; how many were left out when some were not. */
function costCell(row: TargetSummary): string {
  if (row.results > 0 && row.unknownCostCount >= row.results) return unknownFigure;
  const cost = formatCost(row.cost);
  return row.unknownCostCount > 0 ? `${cost} (${formatCount(row.unknownCostCount)} unpriced)` : cost;
}
