import { latestLabel, type PromptVersionBody, promptLabelSchema } from '@flywheel/spec';
import { type FormEvent, useId, useState } from 'react';
import { useApiMutation } from '../api/use-api-query.js';
import { ErrorMessage } from '../components/error-message.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { labelMap } from './prompt-labels.js';
import { useLabelRules } from './use-label-rules.js';

/** A label change the user asked for. */
type LabelChange = { kind: 'move'; label: string; version: number } | { kind: 'remove'; label: string };

/**
 * Where each label points, with controls to move it to another version, remove it, or add a new
 * one. Moving or removing `production` (or a protected label) asks first, in a dialog.
 */
export function LabelManager({ name, versions }: { name: string; versions: PromptVersionBody[] }) {
  const headingId = useId();
  const rules = useLabelRules();
  const labels = labelMap(versions);
  const movable = Object.keys(labels)
    .filter((label) => label !== latestLabel)
    .sort((a, b) => (a === 'production' ? -1 : b === 'production' ? 1 : a < b ? -1 : 1));
  const [asking, setAsking] = useState<LabelChange | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);

  const change = useApiMutation(
    async (client, input: LabelChange) => {
      if (input.kind === 'move') await client.prompts.moveLabel(name, input.label, input.version);
      else await client.prompts.removeLabel(name, input.label);
      return input;
    },
    {
      invalidates: [['prompts']],
      onSuccess: (input) => {
        setAsking(undefined);
        setDone(
          input.kind === 'move'
            ? `${input.label} now points at v${input.version}.`
            : `${input.label} was removed.`,
        );
      },
    },
  );
  const request = (input: LabelChange) => {
    setDone(undefined);
    change.reset();
    if (rules.needsConfirmation(input.label)) setAsking(input);
    else change.mutate(input);
  };

  return (
    <section className="panel prompts-labels" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        Labels
      </h2>
      <p className="muted">
        Applications ask for a label (production by default). <strong>latest</strong> always points at the
        newest version (v{labels[latestLabel] ?? versions[0]?.version}).
      </p>
      {movable.length === 0 ? <p className="muted">No labels besides latest yet.</p> : null}
      <ul className="prompts-label-rows">
        {movable.map((label) => (
          <LabelRow
            key={label}
            label={label}
            current={labels[label]!}
            versions={versions}
            isProtected={rules.protectedLabels.includes(label)}
            busy={change.isPending}
            onMove={(version) => request({ kind: 'move', label, version })}
            onRemove={() => request({ kind: 'remove', label })}
          />
        ))}
      </ul>
      <AddLabel
        versions={versions}
        existing={movable}
        onAdd={(label, version) => request({ kind: 'move', label, version })}
      />
      <div aria-live="polite">
        {done ? (
          <p className="prompts-notice" role="status">
            {done}
          </p>
        ) : null}
      </div>
      {change.isError && !asking ? (
        <ErrorMessage title="The label was not changed" error={change.error} />
      ) : null}
      {asking ? (
        <ConfirmDialog
          title={
            asking.kind === 'move'
              ? `Move ${asking.label} to v${asking.version}?`
              : `Remove ${asking.label} from ${name}?`
          }
          confirmLabel={asking.kind === 'move' ? `Move ${asking.label}` : `Remove ${asking.label}`}
          busy={change.isPending}
          error={change.isError ? change.error : undefined}
          onCancel={() => {
            setAsking(undefined);
            change.reset();
          }}
          onConfirm={() => change.mutate(asking)}
        >
          {asking.kind === 'move' ? (
            <p>
              {asking.label} points at{' '}
              {labels[asking.label] === undefined ? 'no version' : `v${labels[asking.label]}`} now.
              Applications reading {asking.label} get v{asking.version} as soon as it moves (within their
              cache time).
            </p>
          ) : (
            <p>
              Applications reading {asking.label} will get an error (or their fallback) until it is set again.
            </p>
          )}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function LabelRow({
  label,
  current,
  versions,
  isProtected,
  busy,
  onMove,
  onRemove,
}: {
  label: string;
  current: number;
  versions: PromptVersionBody[];
  isProtected: boolean;
  busy: boolean;
  onMove: (version: number) => void;
  onRemove: () => void;
}) {
  const selectId = useId();
  const others = versions.filter((version) => version.version !== current);
  const [target, setTarget] = useState<number | undefined>(others[0]?.version);
  const chosen = others.some((version) => version.version === target) ? target : others[0]?.version;
  return (
    <li className="prompts-label-row" data-label={label}>
      <span className="prompts-label-name">
        <strong>{label}</strong> → v{current}
        {isProtected ? <span className="muted"> (protected: admin keys only)</span> : null}
      </span>
      {chosen !== undefined ? (
        <span className="prompts-label-controls">
          <label htmlFor={selectId} className="visually-hidden">
            Move {label} to
          </label>
          <select
            id={selectId}
            className="select"
            value={chosen}
            onChange={(event) => setTarget(Number(event.target.value))}
          >
            {others.map((version) => (
              <option key={version.version} value={version.version}>
                v{version.version}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button"
            aria-disabled={busy}
            onClick={() => !busy && onMove(chosen)}
          >
            Move {label}
          </button>
        </span>
      ) : null}
      <button type="button" className="button" aria-disabled={busy} onClick={() => !busy && onRemove()}>
        Remove {label}
      </button>
    </li>
  );
}

function AddLabel({
  versions,
  existing,
  onAdd,
}: {
  versions: PromptVersionBody[];
  existing: string[];
  onAdd: (label: string, version: number) => void;
}) {
  const labelId = useId();
  const versionId = useId();
  const [label, setLabel] = useState('');
  const [version, setVersion] = useState(versions[0]?.version ?? 1);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = label.trim();
    if (trimmed === latestLabel) setProblem('latest always points at the newest version; it cannot be set.');
    else if (existing.includes(trimmed)) setProblem(`${trimmed} exists: move it above.`);
    else if (!promptLabelSchema.safeParse(trimmed).success)
      setProblem('A label is 1–50 lower-case letters, digits or _ . - starting with a letter or digit.');
    else {
      setProblem(undefined);
      setLabel('');
      onAdd(trimmed, version);
    }
  };
  return (
    <form className="prompts-add-label" onSubmit={onSubmit} aria-label="Add a label" noValidate>
      <div className="field">
        <label htmlFor={labelId} className="field-label">
          New label
        </label>
        <input
          id={labelId}
          className="input"
          value={label}
          placeholder="staging"
          autoComplete="off"
          onChange={(event) => setLabel(event.target.value)}
          aria-invalid={problem !== undefined}
        />
      </div>
      <div className="field">
        <label htmlFor={versionId} className="field-label">
          At version
        </label>
        <select
          id={versionId}
          className="select"
          value={version}
          onChange={(event) => setVersion(Number(event.target.value))}
        >
          {versions.map((candidate) => (
            <option key={candidate.version} value={candidate.version}>
              v{candidate.version}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button">
        Add label
      </button>
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
