import { useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../api/api-context.js';
import { useApiQuery } from '../api/use-api-query.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount } from '../format/format-number.js';
import { datasetUrl } from './dataset-paths.js';
import { type ColumnRoles, type ImportSource, mapImportRows, suggestRoles } from './import-file.js';
import { ImportFilePicker } from './import-file-picker.js';
import { ImportMapping } from './import-mapping.js';
import { type ImportOutcome, maxImportBatchSize, sendImportRows } from './import-sender.js';

type Sending =
  | { phase: 'idle' }
  | { phase: 'sending'; done: number; total: number }
  | { phase: 'failed'; error: unknown; done: number; total: number }
  | { phase: 'done'; outcome: ImportOutcome };

/**
 * Imports a CSV or JSONL file into a dataset: the file is read here, its columns mapped to the
 * items' input variables, expected output, metadata and id (as `flywheel datasets import` maps
 * them), every row checked, then sent in batches of up to 1,000 with progress.
 */
export function DatasetImport({ name }: { name: string }) {
  const { client, scope } = useApi();
  const queryClient = useQueryClient();
  const dataset = useApiQuery(['datasets', 'one', name], (api) => api.datasets.get(name));
  const [source, setSource] = useState<ImportSource | undefined>(undefined);
  const [roles, setRoles] = useState<ColumnRoles>({});
  const [sending, setSending] = useState<Sending>({ phase: 'idle' });
  const mapped = useMemo(() => (source ? mapImportRows(source, roles) : undefined), [source, roles]);
  const progressId = useId();

  const choose = (next: ImportSource | undefined) => {
    setSource(next);
    setRoles(next ? suggestRoles(next.columns) : {});
    setSending({ phase: 'idle' });
  };

  const start = async () => {
    if (!mapped || mapped.rows.length === 0) return;
    const total = mapped.rows.length;
    setSending({ phase: 'sending', done: 0, total });
    let done = 0;
    try {
      const outcome = await sendImportRows(client, name, mapped.rows, (count) => {
        done = count;
        setSending({ phase: 'sending', done: count, total });
      });
      setSending({ phase: 'done', outcome });
    } catch (error) {
      setSending({ phase: 'failed', error, done, total });
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['api', scope, 'datasets'] });
    }
  };

  const busy = sending.phase === 'sending';
  return (
    <>
      <PageHeader
        title={`Import into ${name}`}
        description="A CSV file (the first line names the columns) or JSON Lines (one object per line). Nothing is sent until you import."
        actions={
          <Link to={datasetUrl(name)} className="button">
            Back to items
          </Link>
        }
      />
      {dataset.isPending ? (
        <LoadingState label="Loading the dataset…" />
      ) : dataset.isError ? (
        <ErrorMessage
          title="Could not load the dataset"
          error={dataset.error}
          onRetry={() => void dataset.refetch()}
        />
      ) : sending.phase === 'done' ? (
        <ImportDone name={name} outcome={sending.outcome} onAgain={() => choose(undefined)} />
      ) : (
        <>
          <ImportFilePicker disabled={busy} fileName={source?.fileName} onRead={choose} />
          {source && mapped ? (
            <>
              <ImportMapping
                source={source}
                roles={roles}
                onChange={setRoles}
                mapped={mapped}
                disabled={busy}
              />
              <section className="panel datasets-import-send" aria-label="Import">
                {mapped.problems.length === 0 ? (
                  <p>
                    {formatCount(mapped.rows.length)} {mapped.rows.length === 1 ? 'item' : 'items'} to import
                    into <strong>{name}</strong> (now v{dataset.data.version}), in{' '}
                    {formatCount(Math.ceil(mapped.rows.length / maxImportBatchSize))}{' '}
                    {mapped.rows.length > maxImportBatchSize ? 'batches' : 'batch'}: each batch makes a new
                    version. Items whose id exists are replaced; the same content again is left unchanged.
                  </p>
                ) : (
                  <p className="field-error">
                    Fix the problems above (in the file, or in the mapping) to import.
                  </p>
                )}
                {sending.phase === 'sending' || sending.phase === 'failed' ? (
                  <div className="datasets-progress">
                    <progress id={progressId} max={sending.total} value={sending.done} />
                    <label htmlFor={progressId} aria-live="polite">
                      Imported {formatCount(sending.done)} of {formatCount(sending.total)} items
                    </label>
                  </div>
                ) : null}
                {sending.phase === 'failed' ? (
                  <ErrorMessage title="Import stopped" error={sending.error} />
                ) : null}
                <div className="datasets-actions">
                  <button
                    type="button"
                    className="button button-primary"
                    disabled={busy || mapped.rows.length === 0}
                    onClick={() => void start()}
                  >
                    {busy
                      ? 'Importing…'
                      : `Import ${formatCount(mapped.rows.length)} ${mapped.rows.length === 1 ? 'item' : 'items'}`}
                  </button>
                </div>
              </section>
            </>
          ) : null}
        </>
      )}
    </>
  );
}

function ImportDone({
  name,
  outcome,
  onAgain,
}: {
  name: string;
  outcome: ImportOutcome;
  onAgain: () => void;
}) {
  return (
    <section className="panel datasets-import-done" aria-label="Import finished">
      <h2 className="panel-title">Imported {formatCount(outcome.items)} items</h2>
      <dl className="datasets-summary" aria-label="Outcome">
        <div>
          <dt>Created</dt>
          <dd data-outcome="created">{formatCount(outcome.created)}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd data-outcome="updated">{formatCount(outcome.updated)}</dd>
        </div>
        <div>
          <dt>Unchanged</dt>
          <dd data-outcome="unchanged">{formatCount(outcome.unchanged)}</dd>
        </div>
        <div>
          <dt>Dataset version</dt>
          <dd data-outcome="version">v{outcome.version}</dd>
        </div>
      </dl>
      <div className="datasets-actions">
        <Link to={datasetUrl(name)} className="button button-primary">
          View items
        </Link>
        <button type="button" className="button" onClick={onAgain}>
          Import another file
        </button>
      </div>
    </section>
  );
}
