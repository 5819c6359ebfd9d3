import type { DatasetFromTracesBody } from '@flywheel/spec';
import { type FormEvent, useId, useState } from 'react';
import { useApiMutation, useApiQuery } from '../api/use-api-query.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { formatCount } from '../format/format-number.js';

/**
 * Adds the trace to a dataset as one item (its id the trace's): the trace's input becomes the
 * item's input, and its output the expected output unless the user says not to.
 */
export function AddToDataset({ traceId }: { traceId: string }) {
  const headingId = useId();
  const datasets = useApiQuery(['datasets', 'list'], (client) => client.datasets.list());
  return (
    <section className="panel trace-dataset" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        Add to a dataset
      </h2>
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
          Create a dataset first (<code>flywheel datasets create &lt;name&gt;</code> or the SDK's{' '}
          <code>datasets.create</code>), then add this trace to it here.
        </EmptyState>
      ) : (
        <DatasetForm
          traceId={traceId}
          datasets={datasets.data.map((dataset) => ({ name: dataset.name, items: dataset.item_count }))}
        />
      )}
    </section>
  );
}

function DatasetForm({
  traceId,
  datasets,
}: {
  traceId: string;
  datasets: Array<{ name: string; items: number }>;
}) {
  const id = useId();
  const [name, setName] = useState(datasets[0]!.name);
  const [withExpected, setWithExpected] = useState(true);
  const add = useApiMutation(
    (client, input: { name: string; withExpected: boolean }) =>
      client.datasets.fromTraces(input.name, {
        trace_ids: [traceId],
        expected_from: input.withExpected ? 'trace_output' : 'none',
      }),
    { invalidates: [['datasets']] },
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ name, withExpected });
  };

  return (
    <form className="dataset-form" aria-label="Add to a dataset" onSubmit={submit}>
      <label className="field" htmlFor={`${id}-dataset`}>
        <span className="field-label">Dataset</span>
        <select
          id={`${id}-dataset`}
          className="select"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            add.reset();
          }}
        >
          {datasets.map((dataset) => (
            <option key={dataset.name} value={dataset.name}>
              {dataset.name} ({formatCount(dataset.items)} {dataset.items === 1 ? 'item' : 'items'})
            </option>
          ))}
        </select>
      </label>
      <label className="checkbox" htmlFor={`${id}-expected`}>
        <input
          id={`${id}-expected`}
          type="checkbox"
          checked={withExpected}
          onChange={(event) => setWithExpected(event.target.checked)}
        />
        <span>Use the trace's output as the expected output</span>
      </label>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add to dataset'}
        </button>
      </div>
      {add.isError ? <ErrorMessage title="Could not add the trace" error={add.error} /> : null}
      {add.isSuccess ? <Outcome result={add.data} dataset={add.variables.name} /> : null}
    </form>
  );
}

/** What became of the trace: a new item, one already there, or why none was made. */
function Outcome({ result, dataset }: { result: DatasetFromTracesBody; dataset: string }) {
  const item = result.items[0];
  if (!item || item.status === 'trace_not_found' || item.status === 'no_input') {
    return (
      <ErrorMessage
        title="The trace was not added"
        error={item?.message ?? 'The server made no item from this trace.'}
      />
    );
  }
  return (
    <p className="dataset-outcome" role="status">
      {item.status === 'created'
        ? `Added to ${dataset} as item ${item.item_id} (version ${result.version}).`
        : `Already in ${dataset} as item ${item.item_id}; nothing changed.`}
    </p>
  );
}
