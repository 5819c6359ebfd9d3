import type { ScoreViewBody, TraceDetailBody } from '@flywheel/spec';
import { type FormEvent, useId, useState } from 'react';
import { useApiMutation } from '../api/use-api-query.js';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { ErrorMessage } from '../components/error-message.js';
import { formatTraceTime } from './trace-format.js';
import { allSpans } from './trace-tree.js';

type ScoreKind = 'numeric' | 'boolean' | 'categorical';

/** The trace's scores, and a form to add one (a human's judgement, on the trace or one span). */
export function ScorePanel({ trace }: { trace: TraceDetailBody }) {
  const headingId = useId();
  const spans = allSpans(trace.spans);
  const spanNames = new Map(spans.map((span) => [span.id, span.name || span.id]));
  const columns: DataTableColumn<ScoreViewBody>[] = [
    { id: 'name', header: 'Name', cell: (score) => score.name },
    { id: 'value', header: 'Value', cell: (score) => formatScoreValue(score.value) },
    { id: 'comment', header: 'Comment', cell: (score) => score.comment ?? '—', wrap: true },
    {
      id: 'on',
      header: 'On',
      cell: (score) => (score.span_id === null ? 'Trace' : (spanNames.get(score.span_id) ?? score.span_id)),
    },
    { id: 'source', header: 'Source', cell: (score) => score.source },
    { id: 'when', header: 'Added', cell: (score) => formatTraceTime(score.created_at) },
  ];
  return (
    <section className="panel trace-scores" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        Scores
      </h2>
      <DataTable
        caption="Scores"
        hideCaption
        columns={columns}
        rows={trace.scores}
        rowKey={(score) => score.id}
        emptyMessage="No scores yet: add the first below."
      />
      <ScoreForm trace={trace} spans={spans.map((span) => ({ id: span.id, name: span.name || span.id }))} />
    </section>
  );
}

/** A score's value as text: numbers as given, booleans as yes or no. */
export function formatScoreValue(value: ScoreViewBody['value']): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

function ScoreForm({ trace, spans }: { trace: TraceDetailBody; spans: Array<{ id: string; name: string }> }) {
  const id = useId();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ScoreKind>('numeric');
  const [value, setValue] = useState('');
  const [target, setTarget] = useState('');
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<{ field: 'name' | 'value'; message: string } | undefined>();
  const [added, setAdded] = useState<string | undefined>();
  const create = useApiMutation(
    (client, input: Parameters<typeof client.scores.create>[0]) => client.scores.create(input),
    { invalidates: [['traces', 'detail', trace.id]] },
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(undefined);
    if (name.trim() === '') return setProblem({ field: 'name', message: 'Name the score, e.g. helpful.' });
    const parsed = parseValue(kind, value);
    if (parsed === undefined)
      return setProblem({
        field: 'value',
        message: kind === 'numeric' ? 'Enter a number, e.g. 1 or 0.5.' : 'Enter a category, e.g. billing.',
      });
    setProblem(undefined);
    create.mutate(
      {
        trace_id: trace.id,
        ...(target ? { span_id: target } : {}),
        name: name.trim(),
        value: parsed,
        source: 'human',
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      },
      {
        onSuccess: (score) => {
          setAdded(`Added ${score.name}: ${formatScoreValue(score.value)}.`);
          setValue('');
          setComment('');
        },
      },
    );
  };

  const invalid = (field: 'name' | 'value') => problem?.field === field;
  const describedBy = (field: 'name' | 'value') => (invalid(field) ? `${id}-problem` : undefined);
  return (
    <form className="score-form" aria-label="Add a score" onSubmit={submit} noValidate>
      <h3>Add a score</h3>
      <div className="score-form-grid">
        <label className="field" htmlFor={`${id}-name`}>
          <span className="field-label">Name</span>
          <input
            id={`${id}-name`}
            className="input"
            maxLength={200}
            placeholder="helpful"
            value={name}
            onChange={(event) => setName(event.target.value)}
            aria-invalid={invalid('name')}
            aria-describedby={describedBy('name')}
          />
        </label>
        <label className="field" htmlFor={`${id}-kind`}>
          <span className="field-label">Kind</span>
          <select
            id={`${id}-kind`}
            className="select"
            value={kind}
            onChange={(event) => {
              setKind(event.target.value as ScoreKind);
              setValue(event.target.value === 'boolean' ? 'true' : '');
            }}
          >
            <option value="numeric">Number</option>
            <option value="boolean">Yes or no</option>
            <option value="categorical">Category</option>
          </select>
        </label>
        <label className="field" htmlFor={`${id}-value`}>
          <span className="field-label">Value</span>
          {kind === 'boolean' ? (
            <select
              id={`${id}-value`}
              className="select"
              value={value}
              onChange={(event) => setValue(event.target.value)}
            >
              <option value="true">Yes</option>
              <option value="false">No</option>
            </select>
          ) : (
            <input
              id={`${id}-value`}
              className="input"
              inputMode={kind === 'numeric' ? 'decimal' : undefined}
              maxLength={500}
              placeholder={kind === 'numeric' ? '1' : 'billing'}
              value={value}
              onChange={(event) => setValue(event.target.value)}
              aria-invalid={invalid('value')}
              aria-describedby={describedBy('value')}
            />
          )}
        </label>
        <label className="field" htmlFor={`${id}-target`}>
          <span className="field-label">On</span>
          <select
            id={`${id}-target`}
            className="select"
            value={target}
            onChange={(event) => setTarget(event.target.value)}
          >
            <option value="">The whole trace</option>
            {spans.map((span) => (
              <option key={span.id} value={span.id}>
                Span: {span.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="field" htmlFor={`${id}-comment`}>
        <span className="field-label">Comment (optional)</span>
        <textarea
          id={`${id}-comment`}
          className="input score-comment"
          rows={2}
          maxLength={10_000}
          value={comment}
          onChange={(event) => setComment(event.target.value)}
        />
      </label>
      {problem ? (
        <p id={`${id}-problem`} className="field-error" role="alert">
          {problem.message}
        </p>
      ) : null}
      {create.isError ? <ErrorMessage title="Could not add the score" error={create.error} /> : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add score'}
        </button>
        <span className="muted" role="status">
          {added ?? ''}
        </span>
      </div>
    </form>
  );
}

function parseValue(kind: ScoreKind, text: string): number | boolean | string | undefined {
  const value = text.trim();
  if (kind === 'boolean') return value === 'true';
  if (value === '') return undefined;
  if (kind === 'categorical') return value;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
