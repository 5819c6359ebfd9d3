import type { DatasetBody, DatasetItemBody } from '@flywheel/spec';
import { keepPreviousData } from '@tanstack/react-query';
import { useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { formatCount } from '../format/format-number.js';
import { formatDateTime, summarizeJson } from './dataset-format.js';
import { datasetImportUrl, datasetItemUrl } from './dataset-paths.js';
import type { VersionsQuery } from './dataset-versions-query.js';

/** Items per page of the table. */
export const itemsPageSize = 50;

/**
 * The items of a dataset at a version (the current one unless `?version=` says), a page at a
 * time. The page's cursor is in the URL (`?cursor=`), with the cursors of the pages before it
 * (`?back=`), so a reload or a link shows the same page and "Previous" still works.
 */
export function DatasetItemsTable({ dataset, versions }: { dataset: DatasetBody; versions: VersionsQuery }) {
  const [search, setSearch] = useSearchParams();
  const selectId = useId();
  const headingId = useId();
  const versionParam = search.get('version');
  const version = versionParam !== null && /^\d+$/.test(versionParam) ? Number(versionParam) : undefined;
  const cursor = search.get('cursor') ?? undefined;
  const back = search.getAll('back');
  const items = useApiQuery(
    ['datasets', 'items', dataset.name, version ?? 'current', cursor ?? 'first'],
    (client) =>
      client.datasets.listItems(dataset.name, {
        limit: itemsPageSize,
        ...(version === undefined ? {} : { version }),
        ...(cursor === undefined ? {} : { cursor }),
      }),
    { placeholderData: keepPreviousData },
  );
  const viewingOld = version !== undefined && version !== dataset.version;

  const goTo = (next: { version?: number | undefined; cursor?: string | undefined; back?: string[] }) => {
    const params = new URLSearchParams();
    if (next.version !== undefined) params.set('version', String(next.version));
    if (next.cursor !== undefined) params.set('cursor', next.cursor);
    for (const earlier of next.back ?? []) params.append('back', earlier);
    setSearch(params);
  };

  const columns: DataTableColumn<DatasetItemBody>[] = [
    {
      id: 'id',
      header: 'Id',
      cell: (item) =>
        viewingOld ? (
          item.id
        ) : (
          <Link to={datasetItemUrl(dataset.name, item.id)} aria-label={`Edit item ${item.id}`}>
            {item.id}
          </Link>
        ),
    },
    { id: 'input', header: 'Input', cell: (item) => <JsonCell value={item.input} />, wrap: true },
    {
      id: 'expected',
      header: 'Expected output',
      cell: (item) =>
        item.expected_output === null || item.expected_output === undefined ? (
          <span className="muted">none</span>
        ) : (
          <JsonCell value={item.expected_output} />
        ),
      wrap: true,
    },
    {
      id: 'metadata',
      header: 'Metadata',
      cell: (item) =>
        Object.keys(item.metadata).length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <JsonCell value={item.metadata} />
        ),
      wrap: true,
    },
    { id: 'stored', header: 'Since', cell: (item) => `v${item.version}`, align: 'end' },
    { id: 'updated', header: 'Changed', cell: (item) => formatDateTime(item.updated_at) },
  ];

  const firstIndex = back.length * itemsPageSize + 1;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <div className="datasets-panel-head">
        <h2 id={headingId} className="panel-title">
          Items
        </h2>
        <div className="datasets-inline-field">
          <label className="field-label" htmlFor={selectId}>
            Version
          </label>
          <select
            id={selectId}
            className="select"
            value={version === undefined ? '' : String(version)}
            onChange={(event) =>
              goTo({ version: event.target.value === '' ? undefined : Number(event.target.value) })
            }
          >
            <option value="">Current (v{dataset.version})</option>
            {(versions.data ?? [])
              .filter((entry) => entry.version !== dataset.version)
              .map((entry) => (
                <option key={entry.version} value={entry.version}>
                  v{entry.version} — {formatCount(entry.item_count)} items, {formatDateTime(entry.created_at)}
                </option>
              ))}
            {version !== undefined && !(versions.data ?? []).some((entry) => entry.version === version) ? (
              <option value={version}>v{version}</option>
            ) : null}
          </select>
        </div>
      </div>
      {viewingOld ? (
        <p className="datasets-note" role="status">
          Showing version v{version}, as it was then. Items are edited at the current version.
        </p>
      ) : null}
      {items.isPending ? (
        <LoadingState label="Loading items…" />
      ) : items.isError ? (
        <ErrorMessage title="Could not load items" error={items.error} onRetry={() => void items.refetch()} />
      ) : items.data.data.length === 0 && back.length === 0 ? (
        <EmptyState
          title={viewingOld ? `No items at v${version}` : 'No items yet'}
          action={
            <Link to={datasetImportUrl(dataset.name)} className="button button-primary">
              Import items
            </Link>
          }
        >
          Import a CSV or JSONL file, or add items with the SDK (<code>client.datasets.addItems</code>).
        </EmptyState>
      ) : (
        <div aria-busy={items.isFetching}>
          <DataTable
            caption={`Items at v${items.data.version}`}
            hideCaption
            columns={columns}
            rows={items.data.data}
            rowKey={(item) => item.id}
            emptyMessage="No more items."
          />
          <nav className="datasets-pager" aria-label="Pages of items">
            <span className="muted" aria-live="polite">
              {items.data.data.length === 0
                ? 'No more items'
                : `Items ${formatCount(firstIndex)}–${formatCount(firstIndex + items.data.data.length - 1)}`}
            </span>
            <button
              type="button"
              className="button"
              disabled={back.length === 0}
              onClick={() => {
                const previous = back.at(-1);
                goTo({ version, cursor: previous === '' ? undefined : previous, back: back.slice(0, -1) });
              }}
            >
              Previous page
            </button>
            <button
              type="button"
              className="button"
              disabled={items.data.next_cursor === null}
              onClick={() =>
                goTo({ version, cursor: items.data.next_cursor ?? undefined, back: [...back, cursor ?? ''] })
              }
            >
              Next page
            </button>
          </nav>
        </div>
      )}
    </section>
  );
}

/** A JSON value in a table cell, cut short; the whole value is in the item's page. */
function JsonCell({ value }: { value: unknown }) {
  return <span className="datasets-json-cell">{summarizeJson(value)}</span>;
}
