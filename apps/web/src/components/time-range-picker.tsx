import { type FormEvent, useId, useState } from 'react';
import {
  fromLocalInputValue,
  type TimeRangeSelection,
  timeRangePresets,
  toLocalInputValue,
} from '../time/time-range.js';

/**
 * Picks a time range: the last hour, 24 hours, 7 or 30 days, or a custom span between two local
 * date-times. Controlled; pair it with `useTimeRange()`, which keeps the choice in the URL.
 *
 * @example
 * const time = useTimeRange();
 * <TimeRangePicker value={time.selection} onChange={time.setSelection} />
 */
export function TimeRangePicker({
  value,
  onChange,
}: {
  value: TimeRangeSelection;
  onChange: (selection: TimeRangeSelection) => void;
}) {
  const [editing, setEditing] = useState(false);
  const customShown = editing || value.kind === 'custom';
  return (
    <div className="time-range">
      <fieldset className="segmented">
        <legend className="visually-hidden">Time range</legend>
        {timeRangePresets.map((preset) => (
          <button
            key={preset.id}
            type="button"
            aria-pressed={value.kind === 'preset' && value.preset === preset.id}
            title={preset.label}
            onClick={() => {
              setEditing(false);
              onChange({ kind: 'preset', preset: preset.id });
            }}
          >
            <span aria-hidden="true">{preset.short}</span>
            <span className="visually-hidden">{preset.label}</span>
          </button>
        ))}
        <button type="button" aria-pressed={customShown} onClick={() => setEditing(true)}>
          Custom
        </button>
      </fieldset>
      {customShown ? (
        <CustomRange
          // A new custom range from the URL starts the inputs over.
          key={value.kind === 'custom' ? `${value.from.getTime()}-${value.to.getTime()}` : 'new'}
          initial={value}
          onApply={(selection) => {
            setEditing(false);
            onChange(selection);
          }}
        />
      ) : null}
    </div>
  );
}

function CustomRange({
  initial,
  onApply,
}: {
  initial: TimeRangeSelection;
  onApply: (selection: TimeRangeSelection) => void;
}) {
  const id = useId();
  const start =
    initial.kind === 'custom'
      ? { from: initial.from, to: initial.to }
      : { from: new Date(Date.now() - 86_400_000), to: new Date() };
  const [from, setFrom] = useState(toLocalInputValue(start.from));
  const [to, setTo] = useState(toLocalInputValue(start.to));
  const [problem, setProblem] = useState<string | undefined>(undefined);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const fromDate = fromLocalInputValue(from);
    const toDate = fromLocalInputValue(to);
    if (!fromDate || !toDate) return setProblem('Enter both a start and an end.');
    if (fromDate >= toDate) return setProblem('The start must be before the end.');
    setProblem(undefined);
    onApply({ kind: 'custom', from: fromDate, to: toDate });
  };

  return (
    <form className="custom-range" onSubmit={apply} aria-label="Custom time range" noValidate>
      <label className="field" htmlFor={`${id}-from`}>
        <span className="field-label">From</span>
        <input
          id={`${id}-from`}
          className="input"
          type="datetime-local"
          value={from}
          onChange={(event) => setFrom(event.target.value)}
          aria-invalid={problem !== undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
        />
      </label>
      <label className="field" htmlFor={`${id}-to`}>
        <span className="field-label">To</span>
        <input
          id={`${id}-to`}
          className="input"
          type="datetime-local"
          value={to}
          onChange={(event) => setTo(event.target.value)}
          aria-invalid={problem !== undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
        />
      </label>
      <button type="submit" className="button">
        Apply
      </button>
      {problem ? (
        <p id={`${id}-problem`} className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
