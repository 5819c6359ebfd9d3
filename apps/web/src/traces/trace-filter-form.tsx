import { type FormEvent, useId, useState } from 'react';
import {
  applyTraceFilterDraft,
  editTraceFilterDraft,
  startTraceFilterDraft,
  syncTraceFilterDraft,
} from './trace-filter-draft.js';
import {
  checkTraceFilters,
  countTraceFilters,
  emptyTraceFilters,
  type TraceFilterName,
  type TraceFilters,
} from './trace-filters.js';

interface FieldSpec {
  name: Exclude<TraceFilterName, 'q' | 'status'>;
  label: string;
  placeholder?: string;
  numeric?: boolean;
}

const textFields: FieldSpec[] = [
  { name: 'name', label: 'Name' },
  { name: 'user_id', label: 'User' },
  { name: 'session_id', label: 'Session' },
  { name: 'model', label: 'Model' },
  { name: 'environment', label: 'Environment' },
  { name: 'tags', label: 'Tags', placeholder: 'all of: a, b' },
];

const rangeFields: FieldSpec[] = [
  { name: 'min_latency_ms', label: 'Latency from (ms)', numeric: true },
  { name: 'max_latency_ms', label: 'Latency to (ms)', numeric: true },
  { name: 'min_cost', label: 'Cost from (USD)', numeric: true },
  { name: 'max_cost', label: 'Cost to (USD)', numeric: true },
];

/**
 * The trace list's filters. Typing changes nothing until the form is applied (Enter or the
 * button), so the URL and the list change once per search. Follows `value` (the URL's filters)
 * without remounting: when the URL changes (going back in history, Clear filters elsewhere on the
 * page) the fields follow it, except ones typed and not applied yet, and the focus stays put.
 */
export function TraceFilterForm({
  value,
  onApply,
}: {
  value: TraceFilters;
  onApply: (filters: TraceFilters) => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState(() => startTraceFilterDraft(value));
  const [problems, setProblems] = useState<Partial<Record<TraceFilterName, string>>>({});
  const applied = countTraceFilters(value);

  // Follows the URL during render rather than in an effect, so no frame shows the old filters.
  const synced = syncTraceFilterDraft(draft, value);
  if (synced !== draft) {
    setDraft((previous) => syncTraceFilterDraft(previous, value));
    setProblems((previous) => keepProblemsOf(previous, draft.edited));
  }
  const fields = synced.fields;

  const set = (name: TraceFilterName, next: string) =>
    setDraft((previous) => editTraceFilterDraft(previous, name, next));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = checkTraceFilters(fields);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setDraft((previous) => applyTraceFilterDraft(previous, fields));
    onApply(fields);
  };
  const clear = () => {
    setDraft((previous) => applyTraceFilterDraft(previous, emptyTraceFilters));
    setProblems({});
    onApply(emptyTraceFilters);
  };

  const field = (spec: FieldSpec) => {
    const problem = problems[spec.name];
    const inputId = `${id}-${spec.name}`;
    return (
      // The problem sits outside the label, so the field's name stays its label alone.
      <div key={spec.name} className="field">
        <label className="field-label" htmlFor={inputId}>
          {spec.label}
        </label>
        <input
          id={inputId}
          className="input"
          type="text"
          inputMode={spec.numeric ? 'decimal' : undefined}
          autoComplete="off"
          spellCheck={false}
          placeholder={spec.placeholder}
          value={fields[spec.name]}
          onChange={(event) => set(spec.name, event.target.value)}
          aria-invalid={problem !== undefined}
          aria-describedby={problem ? `${inputId}-problem` : undefined}
        />
        {problem ? (
          <span id={`${inputId}-problem`} className="field-error">
            {problem}
          </span>
        ) : null}
      </div>
    );
  };

  return (
    <form className="panel trace-filters" aria-label="Filter traces" onSubmit={submit} noValidate>
      <div className="trace-filters-search">
        <label className="field" htmlFor={`${id}-q`}>
          <span className="field-label">Search</span>
          <input
            id={`${id}-q`}
            className="input"
            type="search"
            placeholder="Words in an input or output"
            value={fields.q}
            onChange={(event) => set('q', event.target.value)}
          />
        </label>
        <label className="field" htmlFor={`${id}-status`}>
          <span className="field-label">Status</span>
          <select
            id={`${id}-status`}
            className="select"
            value={fields.status}
            onChange={(event) => set('status', event.target.value)}
          >
            <option value="">Any</option>
            <option value="ok">OK</option>
            <option value="error">Error</option>
          </select>
        </label>
      </div>
      <div className="trace-filters-grid">
        {textFields.map(field)}
        {rangeFields.map(field)}
      </div>
      <div className="trace-filters-actions">
        <button type="submit" className="button button-primary">
          Apply filters
        </button>
        {applied > 0 ? (
          <button type="button" className="button" onClick={clear}>
            Clear filters
          </button>
        ) : null}
        <span className="muted" aria-live="polite">
          {applied === 0
            ? 'No filters applied'
            : `${applied} ${applied === 1 ? 'filter' : 'filters'} applied`}
        </span>
      </div>
    </form>
  );
}

/** The problems of the fields still as typed; the others now show the URL's value. */
function keepProblemsOf(
  problems: Partial<Record<TraceFilterName, string>>,
  edited: ReadonlySet<TraceFilterName>,
): Partial<Record<TraceFilterName, string>> {
  return Object.fromEntries(Object.entries(problems).filter(([name]) => edited.has(name as TraceFilterName)));
}
