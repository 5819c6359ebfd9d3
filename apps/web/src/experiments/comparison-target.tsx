import type { ExperimentComparisonBody, MetricComparisonBody } from '@flywheel/spec';
import { useId } from 'react';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { formatCount } from '../format/format-number.js';
import { ResultStatusBadge, VerdictBadge } from './experiment-badges.js';
import {
  formatMetricDelta,
  formatMetricValue,
  formatPValue,
  formatScore,
  metricName,
} from './experiment-format.js';
import { describeVars } from './experiment-matrix-model.js';

/** One prompt × model pair of a comparison. */
export type TargetComparison = ExperimentComparisonBody['targets'][number];
type CaseChange = TargetComparison['broke'][number];

/** How a metric's significance was judged: McNemar's p-value, or the bootstrap interval of the change. */
export function describeSignificance(metric: MetricComparisonBody): string {
  if (metric.n === 0) return 'No pairs to compare';
  if (metric.p_value !== undefined) return `${formatPValue(metric.p_value)} (McNemar)`;
  if (metric.low !== undefined && metric.high !== undefined) {
    return `95% CI ${formatMetricDelta(metric.metric, metric.low)} to ${formatMetricDelta(metric.metric, metric.high)}`;
  }
  return 'Not tested';
}

const metricColumns: DataTableColumn<MetricComparisonBody>[] = [
  { id: 'metric', header: 'Metric', cell: (metric) => metricName(metric.metric) },
  { id: 'a', header: 'A', cell: (metric) => formatMetricValue(metric.metric, metric.a), align: 'end' },
  { id: 'b', header: 'B', cell: (metric) => formatMetricValue(metric.metric, metric.b), align: 'end' },
  {
    id: 'delta',
    header: 'Change (B − A)',
    cell: (metric) => formatMetricDelta(metric.metric, metric.n === 0 ? null : metric.delta),
    align: 'end',
  },
  { id: 'significance', header: 'Significance', cell: describeSignificance },
  { id: 'n', header: 'Pairs', cell: (metric) => formatCount(metric.n), align: 'end' },
  { id: 'verdict', header: 'Verdict', cell: (metric) => <VerdictBadge verdict={metric.verdict} /> },
];

/** The metrics of one prompt × model, A against B, each with its verdict. */
export function ComparisonMetricsTable({
  caption,
  metrics,
}: {
  caption: string;
  metrics: MetricComparisonBody[];
}) {
  return (
    <DataTable
      caption={caption}
      hideCaption
      columns={metricColumns}
      rows={metrics}
      rowKey={(metric) => metric.metric}
      emptyMessage="No metric was compared."
    />
  );
}

/**
 * One prompt × model of the comparison: its verdict and metrics, then the cases B broke (passed
 * in A, not in B) and fixed, each with A's output beside B's.
 */
export function ComparisonTarget({
  target,
  label,
  onShowAllChanges,
}: {
  target: TargetComparison;
  /** "support/triage × chat-default", or both sides' names when they differ. */
  label: string;
  /** Asks the server for every changed case, when it listed fewer than there are. */
  onShowAllChanges: (() => void) | undefined;
}) {
  const headingId = useId();
  const { unpaired } = target;
  return (
    <section
      className="panel exp-comparison"
      aria-labelledby={headingId}
      data-target-verdict={target.verdict}
    >
      <div className="exp-comparison-head">
        <h2 id={headingId}>{label}</h2>
        <VerdictBadge verdict={target.verdict} />
      </div>
      <p className="muted exp-notice">
        {formatCount(target.pairs)} cases paired by case key and repeat.
        {unpaired.a > 0 || unpaired.b > 0
          ? ` Left out, without a partner: ${formatCount(unpaired.a)} in A, ${formatCount(unpaired.b)} in B.`
          : ''}{' '}
        The verdict follows the pass rate when its change is significant, else the mean score.
      </p>
      <ComparisonMetricsTable caption={`Metrics of ${label}`} metrics={target.metrics} />
      <CaseChanges
        kind="broke"
        title={`Broke: passed in A, not in B (${formatCount(target.broke_count)})`}
        none="No case that passed in A fails in B."
        changes={target.broke}
        total={target.broke_count}
        onShowAll={onShowAllChanges}
      />
      <CaseChanges
        kind="fixed"
        title={`Fixed: not passed in A, passed in B (${formatCount(target.fixed_count)})`}
        none="No case that failed in A passes in B."
        changes={target.fixed}
        total={target.fixed_count}
        onShowAll={onShowAllChanges}
      />
    </section>
  );
}

function CaseChanges({
  kind,
  title,
  none,
  changes,
  total,
  onShowAll,
}: {
  kind: 'broke' | 'fixed';
  title: string;
  none: string;
  changes: CaseChange[];
  total: number;
  onShowAll: (() => void) | undefined;
}) {
  const headingId = useId();
  return (
    <section className="exp-changes" aria-labelledby={headingId} data-changes={kind}>
      <h3 id={headingId}>{title}</h3>
      {changes.length === 0 ? (
        <p className="muted">{none}</p>
      ) : (
        <ul className="exp-change-list">
          {changes.map((change) => (
            <li key={`${change.case_key}\u0000${change.repeat}`}>
              <CaseChangeView change={change} kind={kind} />
            </li>
          ))}
        </ul>
      )}
      {total > changes.length ? (
        <p className="exp-more">
          <span className="muted">
            Showing {formatCount(changes.length)} of {formatCount(total)}.
          </span>
          {onShowAll ? (
            <button type="button" className="button" onClick={onShowAll}>
              Show up to 1,000
            </button>
          ) : null}
        </p>
      ) : null}
    </section>
  );
}

function CaseChangeView({ change, kind }: { change: CaseChange; kind: 'broke' | 'fixed' }) {
  const vars = describeVars(change.vars);
  return (
    <article
      className="exp-change"
      data-change={kind}
      aria-label={`${kind === 'broke' ? 'Broke' : 'Fixed'}: ${change.case_key}`}
    >
      <header className="exp-change-head">
        <span className="exp-change-mark" aria-hidden="true">
          {kind === 'broke' ? '▼' : '▲'}
        </span>
        <span className="exp-case-key">
          {change.case_key}
          {change.repeat > 0 ? ` (repeat ${change.repeat + 1})` : ''}
        </span>
        {vars ? <span className="exp-case-vars">{vars}</span> : null}
      </header>
      <div className="exp-change-sides">
        <ChangeSide side="A" outcome={change.a} />
        <ChangeSide side="B" outcome={change.b} />
      </div>
    </article>
  );
}

function ChangeSide({ side, outcome }: { side: 'A' | 'B'; outcome: CaseChange['a'] }) {
  return (
    <div className="exp-change-side" data-side={side} data-status={outcome.status}>
      <p className="exp-change-side-head">
        <strong>{side}</strong> <ResultStatusBadge status={outcome.status} />{' '}
        <span className="muted">score {formatScore(outcome.score)}</span>
      </p>
      {outcome.output === null ? (
        <p className="muted">No output.</p>
      ) : (
        <pre className="exp-output">{outcome.output}</pre>
      )}
    </div>
  );
}
