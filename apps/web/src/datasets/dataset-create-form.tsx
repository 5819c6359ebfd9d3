import { datasetNameSchema } from '@flywheel/spec';
import { type FormEvent, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useApiMutation } from '../api/use-api-query.js';
import { ErrorMessage } from '../components/error-message.js';
import { datasetImportUrl } from './dataset-paths.js';

/** Creates an empty dataset, then opens its import, the usual next step. */
export function DatasetCreateForm({ id, onCancel }: { id: string; onCancel: () => void }) {
  const fieldId = useId();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const create = useApiMutation(
    (client, input: { name: string; description: string }) =>
      client.datasets.create({
        name: input.name,
        ...(input.description.trim() === '' ? {} : { description: input.description.trim() }),
      }),
    { invalidates: [['datasets']], onSuccess: (dataset) => navigate(datasetImportUrl(dataset.name)) },
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = datasetNameSchema.safeParse(name.trim());
    if (!checked.success)
      return setProblem(`The name ${checked.error.issues[0]?.message ?? 'is not valid'}.`);
    setProblem(undefined);
    create.mutate({ name: checked.data, description });
  };
  return (
    <form id={id} className="panel datasets-form" aria-label="New dataset" onSubmit={submit} noValidate>
      <h2 className="panel-title">New dataset</h2>
      <div className="datasets-form-row">
        <label className="field" htmlFor={`${fieldId}-name`}>
          <span className="field-label">Name</span>
          <input
            id={`${fieldId}-name`}
            className="input"
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="support/golden"
            aria-invalid={problem !== undefined}
            aria-describedby={problem ? `${fieldId}-problem` : `${fieldId}-hint`}
          />
          <span id={`${fieldId}-hint`} className="field-hint">
            Letters, digits and _ . - ; folders with /
          </span>
        </label>
        <label className="field datasets-form-grow" htmlFor={`${fieldId}-description`}>
          <span className="field-label">Description (optional)</span>
          <input
            id={`${fieldId}-description`}
            className="input"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </label>
      </div>
      {problem ? (
        <p id={`${fieldId}-problem`} className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      {create.isError ? <ErrorMessage title="Could not create the dataset" error={create.error} /> : null}
      <div className="datasets-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create dataset'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
