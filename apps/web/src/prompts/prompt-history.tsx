import { type LabelMoveBody, latestLabel, type PromptVersionBody } from '@flywheel/spec';
import { useId } from 'react';
import { Link } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { LabelChips } from './label-chips.js';
import { LabelManager } from './label-manager.js';
import { formatDateTime } from './prompt-list.js';
import { promptUrl } from './prompt-paths.js';

/** Every version of a prompt, newest first, where its labels point, and every label move. */
export function PromptHistory({ name, versions }: { name: string; versions: PromptVersionBody[] }) {
  const columns: DataTableColumn<PromptVersionBody>[] = [
    { id: 'version', header: 'Version', cell: (version) => `v${version.version}` },
    { id: 'labels', header: 'Labels', cell: (version) => <LabelChips labels={version.labels} />, wrap: true },
    {
      id: 'message',
      header: 'Commit message',
      cell: (version) => version.commit_message ?? <span className="muted">none</span>,
      wrap: true,
    },
    { id: 'by', header: 'Saved by', cell: (version) => version.created_by.key_name },
    { id: 'at', header: 'Saved', cell: (version) => formatDateTime(version.created_at) },
    {
      id: 'actions',
      header: 'Actions',
      cell: (version) => (
        <span className="prompts-row-actions">
          <Link to={promptUrl(name, 'editor', { version: version.version })}>
            Edit from v{version.version}
          </Link>
          {version.version > 1 ? (
            <Link to={promptUrl(name, 'diff', { from: version.version - 1, to: version.version })}>
              Diff v{version.version - 1}→v{version.version}
            </Link>
          ) : null}
          <Link to={promptUrl(name, 'playground', { version: version.version })}>Run v{version.version}</Link>
        </span>
      ),
    },
  ];
  return (
    <div className="prompts-history">
      <section className="panel" aria-label="Versions">
        <DataTable
          caption="Versions"
          columns={columns}
          rows={versions}
          rowKey={(version) => String(version.version)}
        />
      </section>
      <LabelManager name={name} versions={versions} />
      <LabelAudit name={name} />
    </div>
  );
}

function LabelAudit({ name }: { name: string }) {
  const headingId = useId();
  const audit = useApiQuery(['prompts', 'audit', name], (client) => client.prompts.audit(name));
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        Label moves
      </h2>
      {audit.isPending ? (
        <LoadingState label="Loading label moves…" />
      ) : audit.isError ? (
        <ErrorMessage
          title="Could not load label moves"
          error={audit.error}
          onRetry={() => void audit.refetch()}
        />
      ) : audit.data.filter((move) => move.label !== latestLabel).length === 0 ? (
        <p className="muted">No label was moved by hand yet.</p>
      ) : (
        <ol className="prompts-audit">
          {[...audit.data]
            .filter((move) => move.label !== latestLabel)
            .sort((a, b) => (a.moved_at < b.moved_at ? 1 : a.moved_at > b.moved_at ? -1 : 0))
            .map((move) => (
              <li key={`${move.moved_at}:${move.label}:${move.from_version}:${move.to_version}`}>
                <strong>{move.label}</strong> {describeMove(move)}{' '}
                <span className="muted">
                  by {move.moved_by.key_name}, {formatDateTime(move.moved_at)}
                </span>
              </li>
            ))}
        </ol>
      )}
    </section>
  );
}

function describeMove(move: LabelMoveBody): string {
  if (move.to_version === null) return `removed (was v${move.from_version})`;
  if (move.from_version === null) return `set to v${move.to_version}`;
  return `moved v${move.from_version} → v${move.to_version}`;
}
