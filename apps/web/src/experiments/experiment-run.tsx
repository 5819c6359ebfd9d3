import type { ExperimentBody } from '@flywheel/spec';
import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount } from '../format/format-number.js';
import { RunStatusBadge } from './experiment-badges.js';
import { formatDateTime } from './experiment-format.js';
import { comparePath, listLimit } from './experiment-list.js';
import { ExperimentMatrix, type MatrixCell, rowName } from './experiment-matrix.js';
import { buildResultMatrix, rowHasProblem, rowId } from './experiment-matrix-model.js';
import { type LoadedResults, loadResults, resultCap } from './experiment-results.js';
import { summarizeResults, summaryRows } from './experiment-summary.js';
import { ResultDetail } from './result-detail.js';
import { TargetSummaryTable } from './target-summary-table.js';

/** Rows of the matrix shown at first, and added per "Show more". */
const rowsPerPage = 200;
/** A running experiment is re-read this often, so its results fill in. */
const runningRefreshMs = 5_000;

/** One run: its figures per prompt × model, then every case × target, each result one click away. */
export function ExperimentRun() {
  const { experimentId = '' } = useParams();
  const refetchInterval = (query: { state: { data?: ExperimentBody | undefined } }) =>
    query.state.data?.status === 'running' ? runningRefreshMs : false;
  const experiment = useApiQuery(
    ['experiments', 'get', experimentId],
    (client) => client.experiments.get(experimentId),
    {
      refetchInterval,
    },
  );
  const running = experiment.data?.status === 'running';
  const results = useApiQuery(
    ['experiments', 'results', experimentId],
    (client) => loadResults(client, experimentId),
    { enabled: experiment.isSuccess, refetchInterval: running ? runningRefreshMs : false },
  );

  if (experiment.isPending) {
    return (
      <>
        <PageHeader title="Experiment" />
        <LoadingState label="Loading the experiment…" />
      </>
    );
  }
  if (experiment.isError) {
    return (
      <>
        <PageHeader title="Experiment" description={<Link to="/experiments">All experiments</Link>} />
        <ErrorMessage
          title="Could not load the experiment"
          error={experiment.error}
          onRetry={() => void experiment.refetch()}
        />
      </>
    );
  }
  const run = experiment.data;
  return (
    <>
      <PageHeader
        title={run.name}
        description={
          <span className="exp-run-meta">
            <Link to="/experiments">All experiments</Link>
            <RunStatusBadge status={run.status} />
            <span>Created {formatDateTime(run.created_at)}</span>
            {run.datasets.length > 0 ? (
              <span>
                On {run.datasets.map((dataset) => `${dataset.name} v${dataset.version}`).join(', ')}
              </span>
            ) : null}
            <span>{formatCount(run.result_count)} results</span>
          </span>
        }
        actions={<CompareWith experiment={run} />}
      />
      {run.description ? <p className="exp-description">{run.description}</p> : null}
      {results.isPending ? (
        <LoadingState label="Loading results…" />
      ) : results.isError ? (
        <ErrorMessage
          title="Could not load results"
          error={results.error}
          onRetry={() => void results.refetch()}
        />
      ) : results.data.results.length === 0 ? (
        <EmptyState title="No results yet">
          {run.status === 'running'
            ? 'The run has not stored a result yet; this page refreshes while it runs.'
            : 'This run finished without storing any result.'}
        </EmptyState>
      ) : (
        <RunResults experiment={run} loaded={results.data} />
      )}
    </>
  );
}

function RunResults({ experiment, loaded }: { experiment: ExperimentBody; loaded: LoadedResults }) {
  const matrix = useMemo(() => buildResultMatrix(experiment, loaded.results), [experiment, loaded.results]);
  const stored = summaryRows(experiment, matrix.columns);
  const summaries = stored ?? summarizeResults(loaded.results, matrix.columns);
  const [search, setSearch] = useSearchParams();
  const problemsOnly = search.get('problems') === '1';
  const [shown, setShown] = useState(rowsPerPage);
  const opener = useRef<HTMLButtonElement | null>(null);
  const filterId = useId();

  const filtered = problemsOnly ? matrix.rows.filter(rowHasProblem) : matrix.rows;
  const visible = filtered.slice(0, shown);
  const selectedCase = search.get('case');
  const selectedColumn = Number(search.get('target'));
  const selected: MatrixCell | undefined =
    selectedCase !== null && Number.isInteger(selectedColumn)
      ? { rowId: rowId(selectedCase, Number(search.get('repeat') ?? 0)), column: selectedColumn }
      : undefined;
  const selectedRow = selected ? matrix.rows.find((row) => row.id === selected.rowId) : undefined;
  const selectedResult = selected && selectedRow ? selectedRow.cells[selected.column] : undefined;

  const update = (change: (next: URLSearchParams) => void) => {
    const next = new URLSearchParams(search);
    change(next);
    setSearch(next, { replace: true });
  };
  const select = (cell: MatrixCell, button: HTMLButtonElement) => {
    opener.current = button;
    const row = matrix.rows.find((candidate) => candidate.id === cell.rowId);
    if (!row) return;
    update((next) => {
      next.set('case', row.caseKey);
      if (row.repeat > 0) next.set('repeat', String(row.repeat));
      else next.delete('repeat');
      next.set('target', String(cell.column));
    });
  };
  const close = () => {
    update((next) => {
      next.delete('case');
      next.delete('repeat');
      next.delete('target');
    });
    opener.current?.focus();
  };

  return (
    <>
      <section className="panel" aria-labelledby={`${filterId}-summary`}>
        <h2 id={`${filterId}-summary`} className="panel-title">
          By prompt × model
        </h2>
        <TargetSummaryTable rows={summaries} />
        <p className="muted exp-notice">
          {stored
            ? 'Figures from the summary the run stored when it finished.'
            : `Computed from the ${formatCount(loaded.results.length)} results loaded (the run stored no summary).`}
        </p>
      </section>

      <section className="exp-results" aria-labelledby={`${filterId}-results`}>
        <div className="exp-results-head">
          <h2 id={`${filterId}-results`}>Results</h2>
          <label className="exp-toggle" htmlFor={`${filterId}-problems`}>
            <input
              id={`${filterId}-problems`}
              type="checkbox"
              checked={problemsOnly}
              onChange={(event) =>
                update((next) => (event.target.checked ? next.set('problems', '1') : next.delete('problems')))
              }
            />
            Only cases with a failure or error
          </label>
        </div>
        {loaded.truncated ? (
          <p className="exp-warning" role="note">
            This run has {formatCount(experiment.result_count)} results; the first {formatCount(resultCap)}{' '}
            are shown.
          </p>
        ) : null}
        <div className={selectedResult ? 'exp-results-body exp-results-body-open' : 'exp-results-body'}>
          <div className="exp-matrix-column">
            {filtered.length === 0 ? (
              <EmptyState title="Every case passed">
                No result failed or errored under any prompt × model.
              </EmptyState>
            ) : (
              <ExperimentMatrix matrix={matrix} rows={visible} selected={selected} onSelect={select} />
            )}
            {filtered.length > visible.length ? (
              <div className="exp-more">
                <span className="muted">
                  Showing {formatCount(visible.length)} of {formatCount(filtered.length)} cases.
                </span>
                <button type="button" className="button" onClick={() => setShown(shown + rowsPerPage)}>
                  Show {formatCount(Math.min(rowsPerPage, filtered.length - visible.length))} more
                </button>
              </div>
            ) : null}
          </div>
          {selectedResult && selectedRow && selected ? (
            <ResultDetail
              result={selectedResult}
              caseName={rowName(selectedRow, matrix.repeated)}
              targetLabel={matrix.columns[selected.column]?.label ?? ''}
              onClose={close}
            />
          ) : null}
        </div>
      </section>
    </>
  );
}

/** Picks a baseline among the project's other runs and opens the comparison with this one as B. */
function CompareWith({ experiment }: { experiment: ExperimentBody }) {
  const id = useId();
  const navigate = useNavigate();
  const others = useApiQuery(['experiments', 'list', listLimit], (client) =>
    client.experiments.list({ limit: listLimit }),
  );
  const candidates = (others.data ?? []).filter((other) => other.id !== experiment.id);
  const [baseline, setBaseline] = useState('');
  const chosen = baseline || candidates[0]?.id || '';
  if (candidates.length === 0) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen) navigate(comparePath(chosen, experiment.id));
  };
  return (
    <form className="exp-compare-with" onSubmit={submit}>
      <label className="field-label" htmlFor={id}>
        Compare with baseline
      </label>
      <select id={id} className="select" value={chosen} onChange={(event) => setBaseline(event.target.value)}>
        {candidates.map((other) => (
          <option key={other.id} value={other.id}>
            {other.name} · {formatDateTime(other.created_at)}
          </option>
        ))}
      </select>
      <button type="submit" className="button">
        Compare
      </button>
    </form>
  );
}
