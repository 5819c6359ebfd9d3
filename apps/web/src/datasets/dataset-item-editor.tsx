import type { DatasetItemBody, DatasetItemWriteBody } from '@flywheel/spec';
import { type FormEvent, useId, useState } from 'react';
import { Link } from 'react-router';
import { useApiMutation, useApiQuery } from '../api/use-api-query.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatDateTime } from './dataset-format.js';
import { datasetUrl } from './dataset-paths.js';
import { formatJsonField, type JsonFieldKind, parseJsonField } from './json-field.js';

/** One item of a dataset at its current version, edited as JSON and saved whole (a new version). */
export function DatasetItemEditor({ name, itemId }: { name: string; itemId: string }) {
  const item = useApiQuery(['datasets', 'item', name, itemId], (client) =>
    client.datasets.getItem(name, itemId),
  );
  const [saved, setSaved] = useState<DatasetItemWriteBody | undefined>(undefined);
  return (
    <>
      <PageHeader
        title={`Item ${itemId}`}
        description={
          <>
            In <Link to={datasetUrl(name)}>{name}</Link>. Saving replaces the item whole and makes a new
            version of the dataset.
          </>
        }
        actions={
          <Link to={datasetUrl(name)} className="button">
            Back to items
          </Link>
        }
      />
      {saved ? <SavedNotice write={saved} /> : null}
      {item.isPending ? (
        <LoadingState label="Loading the item…" />
      ) : item.isError ? (
        <ErrorMessage
          title="Could not load the item"
          error={item.error}
          onRetry={() => void item.refetch()}
        />
      ) : (
        <ItemForm
          // A saved item starts the form over from what the server stored.
          key={`${item.data.version}-${item.data.updated_at}`}
          name={name}
          item={item.data}
          onSaved={setSaved}
        />
      )}
    </>
  );
}

function SavedNotice({ write }: { write: DatasetItemWriteBody }) {
  return (
    <p className="datasets-notice" role="status">
      {write.updated + write.created > 0
        ? `Saved: the dataset is now at version v${write.version}.`
        : `Nothing changed: the item was already stored like this (version v${write.version}).`}
    </p>
  );
}

const fields: ReadonlyArray<{
  key: 'input' | 'expected' | 'metadata';
  label: string;
  kind: JsonFieldKind;
  hint: string;
}> = [
  {
    key: 'input',
    label: 'Input',
    kind: 'object',
    hint: 'A JSON object: the variables a prompt or task runs with.',
  },
  {
    key: 'expected',
    label: 'Expected output',
    kind: 'optional-value',
    hint: 'Any JSON value (a text in double quotes); leave empty for none.',
  },
  {
    key: 'metadata',
    label: 'Metadata',
    kind: 'optional-object',
    hint: 'A JSON object; leave empty for none.',
  },
];

function ItemForm({
  name,
  item,
  onSaved,
}: {
  name: string;
  item: DatasetItemBody;
  onSaved: (write: DatasetItemWriteBody) => void;
}) {
  const id = useId();
  const initial = {
    input: formatJsonField(item.input, 'object'),
    expected: formatJsonField(item.expected_output, 'optional-value'),
    metadata: formatJsonField(item.metadata, 'optional-object'),
  };
  const [texts, setTexts] = useState(initial);
  const [touched, setTouched] = useState({ input: false, expected: false, metadata: false });
  const [submitted, setSubmitted] = useState(false);
  const results = {
    input: parseJsonField(texts.input, 'object'),
    expected: parseJsonField(texts.expected, 'optional-value'),
    metadata: parseJsonField(texts.metadata, 'optional-object'),
  };
  const changed =
    texts.input !== initial.input ||
    texts.expected !== initial.expected ||
    texts.metadata !== initial.metadata;
  const save = useApiMutation(
    (client, content: { input: unknown; expected: unknown; metadata: unknown }) =>
      client.datasets.updateItem(name, item.id, {
        input: content.input as Record<string, unknown>,
        expected_output: content.expected,
        metadata: content.metadata as Record<string, unknown>,
        source_trace_id: item.source_trace_id,
        source_span_id: item.source_span_id,
      }),
    { invalidates: [['datasets']], onSuccess: (write) => onSaved(write) },
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!results.input.ok || !results.expected.ok || !results.metadata.ok) {
      const firstBad = fields.find((field) => !results[field.key].ok);
      if (firstBad) document.getElementById(`${id}-${firstBad.key}`)?.focus();
      return;
    }
    save.mutate({
      input: results.input.value,
      expected: results.expected.value,
      metadata: results.metadata.value,
    });
  };

  return (
    <form
      className="panel datasets-item-form"
      aria-label={`Edit item ${item.id}`}
      onSubmit={submit}
      noValidate
    >
      <p className="muted datasets-item-meta">
        This content is from version v{item.version} ({formatDateTime(item.updated_at)}); added{' '}
        {formatDateTime(item.created_at)}
        {item.source_trace_id ? `, from trace ${item.source_trace_id}` : ''}.
      </p>
      {fields.map((field) => {
        const result = results[field.key];
        const showProblem = !result.ok && (touched[field.key] || submitted);
        const fieldId = `${id}-${field.key}`;
        return (
          <div key={field.key} className="field">
            <label className="field-label" htmlFor={fieldId}>
              {field.label}
            </label>
            <textarea
              id={fieldId}
              className="input datasets-json-input"
              spellCheck={false}
              rows={field.key === 'input' ? 8 : 4}
              value={texts[field.key]}
              onChange={(event) => setTexts({ ...texts, [field.key]: event.target.value })}
              onBlur={() => setTouched({ ...touched, [field.key]: true })}
              aria-invalid={showProblem}
              aria-describedby={`${fieldId}-hint${showProblem ? ` ${fieldId}-problem` : ''}`}
            />
            <span id={`${fieldId}-hint`} className="field-hint">
              {field.hint}
            </span>
            {showProblem && !result.ok ? (
              <p id={`${fieldId}-problem`} className="field-error" role="alert">
                {field.label}: {result.message}
              </p>
            ) : null}
          </div>
        );
      })}
      {save.isError ? <ErrorMessage title="Could not save the item" error={save.error} /> : null}
      <div className="datasets-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save item'}
        </button>
        <button
          type="button"
          className="button"
          disabled={!changed || save.isPending}
          onClick={() => {
            setTexts(initial);
            setTouched({ input: false, expected: false, metadata: false });
            setSubmitted(false);
          }}
        >
          Discard changes
        </button>
      </div>
    </form>
  );
}
