import type { ConfigChangeBody, PromptDiffBody, PromptVersionBody } from '@flywheel/spec';
import { keepPreviousData } from '@tanstack/react-query';
import { useId } from 'react';
import { useSearchParams } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { sideBySideRows } from './diff-rows.js';
import { parseVersion } from './prompt-paths.js';

/** Two versions of a prompt (`?from=&to=`, default the newest and the one before), side by side. */
export function PromptDiffView({ name, versions }: { name: string; versions: PromptVersionBody[] }) {
  const [params, setParams] = useSearchParams();
  const fromId = useId();
  const toId = useId();
  const numbers = versions.map((version) => version.version);
  const pick = (value: string | null, fallback: number) => {
    const parsed = parseVersion(value);
    return parsed !== undefined && numbers.includes(parsed) ? parsed : fallback;
  };
  const to = pick(params.get('to'), numbers[0]!);
  const from = pick(params.get('from'), numbers.find((number) => number < to) ?? numbers[1] ?? to);
  const diff = useApiQuery(
    ['prompts', 'diff', name, from, to],
    (client) => client.prompts.diff(name, String(from), String(to)),
    { enabled: versions.length > 1, placeholderData: keepPreviousData },
  );
  const choose = (side: 'from' | 'to', value: string) => {
    const next = new URLSearchParams(params);
    next.set('from', String(side === 'from' ? value : from));
    next.set('to', String(side === 'to' ? value : to));
    setParams(next, { replace: true });
  };

  if (versions.length < 2) {
    return (
      <EmptyState title="Only one version so far">
        Save a change in the editor to get a second version, then compare them here.
      </EmptyState>
    );
  }
  const option = (version: PromptVersionBody) => (
    <option key={version.version} value={version.version}>
      v{version.version}
      {version.labels.length > 0 ? ` (${version.labels.join(', ')})` : ''}
    </option>
  );
  return (
    <section className="panel prompts-diff" aria-label="Compare versions">
      <div className="prompts-diff-pickers">
        <div className="field">
          <label htmlFor={fromId} className="field-label">
            From
          </label>
          <select
            id={fromId}
            className="select"
            value={from}
            onChange={(event) => choose('from', event.target.value)}
          >
            {versions.map(option)}
          </select>
        </div>
        <span aria-hidden="true" className="prompts-diff-arrow">
          →
        </span>
        <div className="field">
          <label htmlFor={toId} className="field-label">
            To
          </label>
          <select
            id={toId}
            className="select"
            value={to}
            onChange={(event) => choose('to', event.target.value)}
          >
            {versions.map(option)}
          </select>
        </div>
      </div>
      {diff.isPending ? (
        <LoadingState label="Comparing…" />
      ) : diff.isError ? (
        <ErrorMessage
          title="Could not compare the versions"
          error={diff.error}
          onRetry={() => void diff.refetch()}
        />
      ) : (
        <DiffBody diff={diff.data} />
      )}
    </section>
  );
}

function DiffBody({ diff }: { diff: PromptDiffBody }) {
  const from = `v${diff.from.version}`;
  const to = `v${diff.to.version}`;
  return (
    <>
      <p className="prompts-diff-summary" data-testid="diff-summary">
        {diff.template.added === 0 && diff.template.removed === 0 ? (
          <span>The templates are the same.</span>
        ) : (
          <>
            <span className="prompts-diff-added">
              {diff.template.added} {diff.template.added === 1 ? 'line' : 'lines'} added
            </span>
            {', '}
            <span className="prompts-diff-removed">
              {diff.template.removed} {diff.template.removed === 1 ? 'line' : 'lines'} removed
            </span>
          </>
        )}
        {diff.config.length > 0
          ? `; ${diff.config.length} config ${diff.config.length === 1 ? 'change' : 'changes'}`
          : '; same config'}
        .
      </p>
      <SideBySideDiff diff={diff} />
      {diff.config.length > 0 ? (
        <section aria-label="Config changes" className="prompts-config-changes">
          <h3>Config changes</h3>
          <ul>
            {diff.config.map((change) => (
              <li key={change.path} data-change={change.change}>
                <code>{change.path}</code> {describeConfigChange(change, from, to)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

/**
 * The template diff as a table: the older version's lines on the left, the newer's on the right,
 * each with its line number; removed and added lines face each other within a changed region.
 */
export function SideBySideDiff({ diff }: { diff: PromptDiffBody }) {
  const rows = sideBySideRows(diff.template.lines);
  const from = `v${diff.from.version}`;
  const to = `v${diff.to.version}`;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it
    <section className="prompts-diff-scroll" aria-label={`Template diff ${from} to ${to}`} tabIndex={0}>
      <table className="prompts-diff-table">
        <caption className="visually-hidden">
          Template of {from} (left) and {to} (right)
        </caption>
        <colgroup>
          <col className="prompts-diff-number" />
          <col />
          <col className="prompts-diff-number" />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="col" colSpan={2}>
              {from}
            </th>
            <th scope="col" colSpan={2}>
              {to}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.left?.line ?? '-'}:${row.right?.line ?? '-'}`} data-kind={row.kind}>
              <td className="prompts-diff-line">{row.left?.line ?? ''}</td>
              <td
                className="prompts-diff-text"
                data-side="left"
                data-op={row.left ? (row.kind === 'equal' ? 'equal' : 'remove') : 'empty'}
              >
                {row.left && row.kind === 'change' ? (
                  <span className="visually-hidden">Removed: </span>
                ) : null}
                {row.left?.text ?? ''}
              </td>
              <td className="prompts-diff-line">{row.right?.line ?? ''}</td>
              <td
                className="prompts-diff-text"
                data-side="right"
                data-op={row.right ? (row.kind === 'equal' ? 'equal' : 'add') : 'empty'}
              >
                {row.right && row.kind === 'change' ? <span className="visually-hidden">Added: </span> : null}
                {row.right?.text ?? ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function describeConfigChange(change: ConfigChangeBody, from: string, to: string): string {
  const show = (value: unknown) => JSON.stringify(value) ?? 'nothing';
  if (change.change === 'added') return `added in ${to}: ${show(change.to)}`;
  if (change.change === 'removed') return `removed in ${to} (was ${show(change.from)} in ${from})`;
  return `changed: ${show(change.from)} → ${show(change.to)}`;
}
