import type { DatasetBody, DatasetVersionBody } from '@flywheel/spec';
import { Link } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount } from '../format/format-number.js';
import { formatDateTime } from './dataset-format.js';
import { DatasetItemsTable } from './dataset-items-table.js';
import { datasetImportUrl } from './dataset-paths.js';
import type { VersionsQuery } from './dataset-versions-query.js';

/** One dataset: what it is, its items at a chosen version, and its versions. */
export function DatasetDetail({ name }: { name: string }) {
  const dataset = useApiQuery(['datasets', 'one', name], (client) => client.datasets.get(name));
  const versions = useApiQuery(['datasets', 'versions', name], (client) => client.datasets.versions(name));
  return (
    <>
      <PageHeader
        title={name}
        description={dataset.data?.description ?? undefined}
        actions={
          <>
            <Link to="/datasets" className="button">
              All datasets
            </Link>
            <Link to={datasetImportUrl(name)} className="button button-primary">
              Import items
            </Link>
          </>
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
      ) : (
        <>
          <DatasetSummary dataset={dataset.data} />
          <DatasetItemsTable dataset={dataset.data} versions={versions} />
          <VersionsPanel versions={versions} />
        </>
      )}
    </>
  );
}

function DatasetSummary({ dataset }: { dataset: DatasetBody }) {
  return (
    <dl className="datasets-summary" aria-label="Dataset">
      <div>
        <dt>Current version</dt>
        <dd>v{dataset.version}</dd>
      </div>
      <div>
        <dt>Items</dt>
        <dd>{formatCount(dataset.item_count)}</dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>{formatDateTime(dataset.created_at)}</dd>
      </div>
      <div>
        <dt>Updated</dt>
        <dd>{formatDateTime(dataset.updated_at)}</dd>
      </div>
    </dl>
  );
}

const versionColumns: DataTableColumn<DatasetVersionBody>[] = [
  { id: 'version', header: 'Version', cell: (version) => `v${version.version}` },
  { id: 'created', header: 'Added', cell: (version) => formatCount(version.created), align: 'end' },
  { id: 'updated', header: 'Changed', cell: (version) => formatCount(version.updated), align: 'end' },
  { id: 'deleted', header: 'Deleted', cell: (version) => formatCount(version.deleted), align: 'end' },
  { id: 'items', header: 'Items', cell: (version) => formatCount(version.item_count), align: 'end' },
  { id: 'by', header: 'By', cell: (version) => version.created_by.key_name, wrap: true },
  { id: 'at', header: 'When', cell: (version) => formatDateTime(version.created_at) },
];

function VersionsPanel({ versions }: { versions: VersionsQuery }) {
  return (
    <section className="panel" aria-labelledby="dataset-versions-title">
      <h2 id="dataset-versions-title" className="panel-title">
        Versions
      </h2>
      {versions.isPending ? (
        <LoadingState label="Loading versions…" />
      ) : versions.isError ? (
        <ErrorMessage
          title="Could not load versions"
          error={versions.error}
          onRetry={() => void versions.refetch()}
        />
      ) : (
        <DataTable
          caption="Versions"
          hideCaption
          columns={versionColumns}
          rows={versions.data}
          rowKey={(version) => String(version.version)}
          emptyMessage="No versions yet: every write of items makes one."
        />
      )}
    </section>
  );
}
