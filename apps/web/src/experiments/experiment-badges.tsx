import type { ExperimentBody, ExperimentResultBody, MetricComparisonBody } from '@flywheel/spec';

/** A comparison's verdict. */
export type Verdict = MetricComparisonBody['verdict'];

const verdicts: Record<Verdict, { icon: string; label: string }> = {
  improved: { icon: '▲', label: 'Improved' },
  regressed: { icon: '▼', label: 'Regressed' },
  no_significant_change: { icon: '●', label: 'No significant change' },
};

/** A verdict in words with a shape and a colour (never the colour alone): improved, regressed, or neither. */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  const { icon, label } = verdicts[verdict] ?? { icon: '?', label: String(verdict) };
  return (
    <span className="exp-badge" data-verdict={verdict}>
      <span aria-hidden="true">{icon}</span> {label}
    </span>
  );
}

const resultStatuses: Record<string, { icon: string; label: string }> = {
  passed: { icon: '✓', label: 'Pass' },
  failed: { icon: '✗', label: 'Fail' },
  errored: { icon: '!', label: 'Error' },
};

/** A result's outcome: pass, fail or error, in words and colour. */
export function ResultStatusBadge({ status }: { status: ExperimentResultBody['status'] | (string & {}) }) {
  const { icon, label } = resultStatuses[status] ?? { icon: '?', label: status };
  return (
    <span className="exp-badge" data-status={status}>
      <span aria-hidden="true">{icon}</span> {label}
    </span>
  );
}

const runStatuses: Record<ExperimentBody['status'], string> = {
  running: 'Running',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** Where a run is: running, completed, cancelled or failed. */
export function RunStatusBadge({ status }: { status: ExperimentBody['status'] }) {
  return (
    <span className="exp-badge" data-run-status={status}>
      {runStatuses[status] ?? status}
    </span>
  );
}
