import type { ExperimentBody } from '@flywheel/spec';
import { keepPreviousData } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { ComparisonTarget, type TargetComparison } from './comparison-target.js';
import { VerdictBadge } from './experiment-badges.js';
import { formatDateTime, targetKey, targetLabel } from './experiment-format.js';
import { comparePath, runPath } from './experiment-list.js';

/** Changed cases the server lists per target when asked for all of them (its maximum). */
const allChanges = 1_000;

/**
 * Two runs side by side: per prompt × model, each metric with its paired test and verdict, and
 * the cases B broke and fixed, A's output beside B's. A is the baseline, B the candidate.
 */
export function ExperimentCompare() {
  const { a = '', b = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const maxChanges = search.get('changes') === 'all' ? allChanges : undefined;
  const comparison = useApiQuery(
    ['experiments', 'compare', a, b, maxChanges ?? 'default'],
    (client) => client.experiments.compare(a, b, maxChanges ? { maxChanges } : {}),
    { placeholderData: keepPreviousData },
  );
  const runA = useApiQuery(['experiments', 'get', a], (client) => client.experiments.get(a));
  const runB = useApiQuery(['experiments', 'get', b], (client) => client.experiments.get(b));
  const showAll = () => {
    const next = new URLSearchParams(search);
    next.set('changes', 'all');
    setSearch(next, { replace: true });
  };

  const header = (
    <PageHeader
      title="Compare experiments"
      description={
        <span className="exp-run-meta">
          <Link to="/experiments">All experiments</Link>
          <RunName side="A" id={a} run={runA.data} />
          <span aria-hidden="true">vs</span>
          <RunName side="B" id={b} run={runB.data} />
        </span>
      }
      actions={
        <Link className="button" to={comparePath(b, a)}>
          Swap A and B
        </Link>
      }
    />
  );

  if (comparison.isPending) {
    return (
      <>
        {header}
        <LoadingState label="Comparing the runs…" />
      </>
    );
  }
  if (comparison.isError) {
    return (
      <>
        {header}
        <ErrorMessage
          title="Could not compare the runs"
          error={comparison.error}
          onRetry={() => void comparison.refetch()}
        />
      </>
    );
  }
  const { targets, verdict } = comparison.data;
  return (
    <>
      {header}
      <section className="panel exp-overall" aria-label="Overall verdict" data-verdict={verdict}>
        <p className="exp-overall-line">
          <span className="exp-overall-label">Overall</span> <VerdictBadge verdict={verdict} />
        </p>
        <p className="muted">
          B is compared with A case by case. Regressed when any prompt × model regressed; improved when some
          improved and none regressed. Pass rate by McNemar's exact test (α = 0.05); score, latency and cost
          by a paired bootstrap 95% interval.
        </p>
      </section>
      {targets.length === 0 ? (
        <EmptyState title="Nothing to compare">
          The runs share no prompt × model (nor the same prompt with one model each, nor the same model with
          one prompt each), or one of them has no results.
        </EmptyState>
      ) : (
        <div className="exp-comparisons" aria-busy={comparison.isFetching}>
          {targets.map((target) => (
            <ComparisonTarget
              key={`${targetKey(target.a)}\u0001${targetKey(target.b)}`}
              target={target}
              label={comparisonLabel(target, runA.data, runB.data)}
              onShowAllChanges={maxChanges ? undefined : showAll}
            />
          ))}
        </div>
      )}
    </>
  );
}

function RunName({ side, id, run }: { side: 'A' | 'B'; id: string; run: ExperimentBody | undefined }) {
  return (
    <span className="exp-run-name">
      <strong>{side}</strong> <Link to={runPath(id)}>{run ? run.name : id}</Link>
      {run ? <span className="muted"> ({formatDateTime(run.created_at)})</span> : null}
    </span>
  );
}

/** The pair's name, from the runs' labels: one name when both sides are the same prompt × model. */
export function comparisonLabel(
  target: TargetComparison,
  runA: Pick<ExperimentBody, 'targets'> | undefined,
  runB: Pick<ExperimentBody, 'targets'> | undefined,
): string {
  const name = (side: TargetComparison['a'], run: Pick<ExperimentBody, 'targets'> | undefined) => {
    const declared = run?.targets.find((candidate) => targetKey(candidate) === targetKey(side));
    return targetLabel(declared ?? side);
  };
  const left = name(target.a, runA);
  const right = name(target.b, runB);
  return left === right ? left : `A: ${left} · B: ${right}`;
}
