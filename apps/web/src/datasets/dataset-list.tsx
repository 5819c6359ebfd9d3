import type { DatasetBody } from '@flywheel/spec';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatCount } from '../format/format-number.js';
import { DatasetCreateForm } from './dataset-create-form.js';
import { formatDateTime } from './dataset-format.js';
import { datasetUrl } from './dataset-paths.js';

const columns: DataTableColumn<DatasetBody>[] = [
  {
    id: 'name',
    header: 'Name',
    cell: (dataset) => (
      <Link to={datasetUrl(dataset.name)} className="datasets-name-link">
        {dataset.name}
      </Link>
    ),
  },
  {
    id: 'description',
    header: 'Description',
    cell: (dataset) => dataset.description ?? <span className="muted">—</span>,
    wrap: true,
  },
  { id: 'items', header: 'Items', cell: (dataset) => formatCount(dataset.item_count), align: 'end' },
  { id: 'version', header: 'Version', cell: (dataset) => `v${dataset.version}`, align: 'end' },
  { id: 'updated', header: 'Updated', cell: (dataset) => formatDateTime(dataset.updated_at) },
];

/** Every dataset of the project, with a form to create one. */
export function DatasetList() {
  const datasets = useApiQuery(['datasets', 'list'], (client) => client.datasets.list());
  const [creating, setCreating] = useState(false);
  const formId = useId();
  const newButton = (
    <button
      type="button"
      className="button button-primary"
      aria-expanded={creating}
      aria-controls={formId}
      onClick={() => setCreating(!creating)}
    >
      New dataset
    </button>
  );
  return (
    <>
      <PageHeader
        title="Datasets"
        description="Test cases for experiments: inputs, what a good answer is, and metadata, versioned on every change."
        actions={newButton}
      />
      {creating ? <DatasetCreateForm id={formId} onCancel={() => setCreating(false)} /> : null}
      {datasets.isPending ? (
        <LoadingState label="Loading datasets…" />
      ) : datasets.isError ? (
        <ErrorMessage
          title="Could not load datasets"
          error={datasets.error}
          onRetry={() => void datasets.refetch()}
        />
      ) : datasets.data.length === 0 ? (
        <EmptyState title="No datasets yet">
          Create one with <strong>New dataset</strong> and import a CSV or JSONL file into it, or from a
          shell: <code>flywheel datasets import cases.csv --name support/golden --create</code>.
        </EmptyState>
      ) : (
        <section className="panel">
          <DataTable
            caption="Datasets"
            hideCaption
            columns={columns}
            rows={datasets.data}
            rowKey={(dataset) => dataset.id}
          />
        </section>
      )}
    </>
  );
}
