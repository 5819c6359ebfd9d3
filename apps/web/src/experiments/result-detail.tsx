import type { ExperimentResultBody } from '@flywheel/spec';
import { useEffect, useId, useRef } from 'react';
import { Link } from 'react-router';
import { JsonView } from '../components/json-view.js';
import { formatCost, formatCount, formatDuration, unknownFigure } from '../format/format-number.js';
import { ResultStatusBadge } from './experiment-badges.js';
import { formatScore } from './experiment-format.js';

type Assertion = ExperimentResultBody['assertions'][number];

/**
 * One result in full: the output (as text), each assertion's outcome and reason, tokens, cost,
 * latency, the variables and a link to its trace. Takes the keyboard focus when it opens; Escape
 * or "Close" hands it back.
 */
export function ResultDetail({
  result,
  caseName,
  targetLabel,
  onClose,
}: {
  result: ExperimentResultBody;
  caseName: string;
  targetLabel: string;
  onClose: () => void;
}) {
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a newly chosen result is the trigger
  useEffect(() => heading.current?.focus(), [result]);

  return (
    <section
      className="panel exp-detail"
      aria-labelledby={headingId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="exp-detail-head">
        <h2 id={headingId} ref={heading} tabIndex={-1} className="exp-detail-title">
          <span className="exp-case-key">{caseName}</span>
          <span className="exp-subtle">{targetLabel}</span>
        </h2>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="exp-detail-outcome">
        <ResultStatusBadge status={result.status} /> <span>Score {formatScore(result.score)}</span>
        {result.cached ? <span className="exp-badge">Cached</span> : null}
      </p>

      {result.error ? (
        <div className="exp-detail-error" role="note">
          <p className="state-error-title">The call failed</p>
          <p>{result.error.message}</p>
          <p className="state-error-code">
            Error code: <code>{result.error.code}</code>
          </p>
        </div>
      ) : null}

      <h3>Output</h3>
      {result.output === null ? (
        <p className="muted">No output.</p>
      ) : (
        <pre className="exp-output" data-testid="result-output">
          {result.output}
        </pre>
      )}

      <h3>Assertions</h3>
      {result.assertions.length === 0 ? (
        <p className="muted">This result has no assertions.</p>
      ) : (
        <ul className="exp-assertions">
          {result.assertions.map((assertion, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: assertions keep their order and have no id
            <AssertionItem key={index} assertion={assertion} />
          ))}
        </ul>
      )}

      <dl className="exp-facts">
        <div>
          <dt>Tokens in / out</dt>
          <dd>
            {count(result.input_tokens)} / {count(result.output_tokens)}
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{result.cost === null ? unknownFigure : formatCost(result.cost)}</dd>
        </div>
        <div>
          <dt>Latency</dt>
          <dd>{formatDuration(result.latency_ms)}</dd>
        </div>
        <div>
          <dt>Trace</dt>
          <dd>
            {result.trace_id ? (
              <Link to={`/traces/${encodeURIComponent(result.trace_id)}`}>{result.trace_id}</Link>
            ) : (
              <span className="muted">Not traced</span>
            )}
          </dd>
        </div>
      </dl>

      {Object.keys(result.vars).length > 0 ? (
        <>
          <h3>Variables</h3>
          <JsonView value={result.vars} label="Variables" collapseDepth={2} />
        </>
      ) : null}
    </section>
  );
}

function AssertionItem({ assertion }: { assertion: Assertion }) {
  const name = assertion.metric ? `${assertion.type} (${assertion.metric})` : assertion.type;
  const { result } = assertion;
  return (
    <li className="exp-assertion" data-outcome={outcome(assertion)}>
      <div className="exp-assertion-head">
        <code>{name}</code>
        {result.status === 'scored' ? (
          <>
            <ResultStatusBadge status={result.pass ? 'passed' : 'failed'} />
            <span className="muted">score {formatScore(result.score)}</span>
          </>
        ) : result.status === 'skipped' ? (
          <span className="exp-badge" data-status="skipped">
            Skipped
          </span>
        ) : (
          <ResultStatusBadge status="errored" />
        )}
      </div>
      <p className="exp-assertion-reason">
        {result.status === 'errored'
          ? `${result.error.message} (${result.error.code})`
          : result.reason || 'No reason given.'}
      </p>
    </li>
  );
}

function outcome(assertion: Assertion): string {
  const { result } = assertion;
  if (result.status === 'scored') return result.pass ? 'passed' : 'failed';
  return result.status;
}

function count(value: number | null): string {
  return value === null ? unknownFigure : formatCount(value);
}
