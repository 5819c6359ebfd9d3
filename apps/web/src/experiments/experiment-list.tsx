import type { ExperimentBody } from '@flywheel/spec';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount, formatRatio, unknownFigure } from '../format/format-number.js';
import { RunStatusBadge } from './experiment-badges.js';
import { formatDateTime, targetLabel } from './experiment-format.js';
import { summaryPassRate } from './experiment-summary.js';

/** Runs the list asks for: the newest, which is what people compare. */
export const listLimit = 200;

/** The path of a run's page. */
export const runPath = (id: string) => `/experiments/${encodeURIComponent(id)}`;
/** The path of the comparison of run `a` (baseline) with run `b`. */
export const comparePath = (a: string, b: string) =>
  `/experiments/compare/${encodeURIComponent(a)}/${encodeURIComponent(b)}`;

/** Every run of the project, newest first; pick two to compare. */
export function ExperimentList() {
  const experiments = useApiQuery(['experiments', 'list', listLimit], (client) =>
    client.experiments.list({ limit: listLimit }),
  );
  const [selected, setSelected] = useState<string[]>([]);
  const navigate = useNavigate();
  const rows = experiments.data ?? [];
  const chosen = rows.filter((experiment) => selected.includes(experiment.id));

  const compare = () => {
    // The older run is the baseline (A); the newer one is the candidate (B).
    const [a, b] = [...chosen].sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at));
    if (a && b) navigate(comparePath(a.id, b.id));
  };
  const toggle = (id: string, on: boolean) =>
    setSelected((current) =>
      on
        ? [...current.filter((other) => other !== id), id].slice(-2)
        : current.filter((other) => other !== id),
    );

  const columns: DataTableColumn<ExperimentBody>[] = [
    {
      id: 'select',
      header: 'Compare',
      cell: (experiment) => (
        <input
          type="checkbox"
          className="exp-checkbox"
          checked={selected.includes(experiment.id)}
          onChange={(event) => toggle(experiment.id, event.target.checked)}
          aria-label={`Select ${experiment.name} (${formatDateTime(experiment.created_at)}) to compare`}
        />
      ),
    },
    {
      id: 'name',
      header: 'Name',
      wrap: true,
      cell: (experiment) => (
        <>
          <Link to={runPath(experiment.id)} className="exp-run-link">
            {experiment.name}
          </Link>
          {experiment.description ? <span className="exp-subtle">{experiment.description}</span> : null}
        </>
      ),
    },
    { id: 'status', header: 'Status', cell: (experiment) => <RunStatusBadge status={experiment.status} /> },
    { id: 'targets', header: 'Prompt × model', wrap: true, cell: targetsCell },
    { id: 'pass-rate', header: 'Pass rate', align: 'end', cell: passRateCell },
    {
      id: 'results',
      header: 'Results',
      align: 'end',
      cell: (experiment) => formatCount(experiment.result_count),
    },
    { id: 'created', header: 'Created', cell: (experiment) => formatDateTime(experiment.created_at) },
  ];

  return (
    <>
      <PageHeader
        title="Experiments"
        description="Evaluation runs: every case under every prompt × model, scored. Select two runs to compare them."
        actions={
          rows.length > 1 ? (
            <>
              <span className="muted exp-selection-note" aria-live="polite">
                {chosen.length === 2 ? 'Older run is the baseline (A)' : `${chosen.length} of 2 selected`}
              </span>
              <button
                type="button"
                className="button button-primary"
                onClick={compare}
                disabled={chosen.length !== 2}
                aria-disabled={chosen.length !== 2}
              >
                Compare selected
              </button>
            </>
          ) : null
        }
      />
      {experiments.isPending ? (
        <LoadingState label="Loading experiments…" />
      ) : experiments.isError ? (
        <ErrorMessage
          title="Could not load experiments"
          error={experiments.error}
          onRetry={() => void experiments.refetch()}
        />
      ) : rows.length === 0 ? (
        <EmptyState title="No experiments yet">
          Run an evaluation suite with <code>flywheel eval suite.yaml --server &lt;url&gt;</code>, or record
          one with the SDK (<code>client.experiments.create</code>, <code>appendResults</code>,{' '}
          <code>finish</code>).
        </EmptyState>
      ) : (
        <section className="panel">
          <DataTable
            caption="Experiments, newest first"
            hideCaption
            columns={columns}
            rows={rows}
            rowKey={(experiment) => experiment.id}
          />
          {rows.length >= listLimit ? (
            <p className="muted exp-notice">Showing the newest {formatCount(listLimit)} runs.</p>
          ) : null}
        </section>
      )}
    </>
  );
}

function targetsCell(experiment: ExperimentBody) {
  const shown = experiment.targets.slice(0, 3);
  const more = experiment.targets.length - shown.length;
  return (
    <ul className="exp-target-list">
      {shown.map((target) => (
        <li key={`${target.prompt_id}\u0000${target.provider_id}`}>{targetLabel(target)}</li>
      ))}
      {more > 0 ? <li className="muted">and {formatCount(more)} more</li> : null}
    </ul>
  );
}

function passRateCell(experiment: ExperimentBody) {
  const rate = summaryPassRate(experiment);
  if (!rate || rate.results === 0) {
    return (
      <span title={experiment.status === 'running' ? 'Still running' : 'No summary stored'}>
        {unknownFigure}
      </span>
    );
  }
  return `${formatRatio(rate.passed / rate.results)} (${formatCount(rate.passed)}/${formatCount(rate.results)})`;
}
