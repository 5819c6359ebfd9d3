import {
  type CreatePromptVersionRequest,
  latestLabel,
  type PromptTemplate,
  type PromptType,
  type PromptVersionBody,
  promptLabelSchema,
  promptNameSchema,
} from '@flywheel/spec';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useApiMutation } from '../api/use-api-query.js';
import { ErrorMessage } from '../components/error-message.js';
import { ConfigFields } from './config-fields.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { type ConfigDraft, configFromDraft, draftFromConfig } from './prompt-config-draft.js';
import { labelMap } from './prompt-labels.js';
import { promptUrl } from './prompt-paths.js';
import { checkTemplateSource } from './template-check.js';
import { ChatMessagesField, type DraftMessage, TextTemplateField } from './template-fields.js';
import { useLabelRules } from './use-label-rules.js';

/** What the page says after a save brought the reader to the new version. */
interface SavedState {
  savedVersion?: number;
}

/**
 * The editor of a prompt: its template (text, or chat messages) checked as it is typed, its model
 * config, and a save that makes a new version with a commit message and optional labels. Given
 * no `base`, it creates a prompt (name and type asked first).
 */
export function PromptEditor({
  name: givenName,
  base,
  versions = [],
}: {
  /** The prompt's name; undefined for a new prompt. */
  name?: string;
  /** The version the edit starts from. */
  base?: PromptVersionBody;
  /** Every version of the prompt, newest first. */
  versions?: PromptVersionBody[];
}) {
  const isNew = givenName === undefined;
  const navigate = useNavigate();
  const location = useLocation();
  const rules = useLabelRules();
  const nextKey = useRef(0);
  const newKey = () => `m${nextKey.current++}`;

  const [name, setName] = useState(givenName ?? '');
  const [type, setType] = useState<PromptType>(base?.type ?? 'text');
  const [text, setText] = useState(typeof base?.template === 'string' ? base.template : '');
  const [messages, setMessages] = useState<DraftMessage[]>(() =>
    Array.isArray(base?.template)
      ? base.template.map((message) => ({ ...message, key: newKey() }))
      : [
          { key: newKey(), role: 'system', content: '' },
          { key: newKey(), role: 'user', content: '' },
        ],
  );
  const [config, setConfig] = useState<ConfigDraft>(() => draftFromConfig(base?.config ?? {}));
  const [commitMessage, setCommitMessage] = useState('');
  const [chosenLabels, setChosenLabels] = useState<string[]>([]);
  const [otherLabels, setOtherLabels] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [confirming, setConfirming] = useState<CreatePromptVersionRequest | undefined>(undefined);

  const template: PromptTemplate =
    type === 'text' ? text : messages.map(({ role, content }) => ({ role, content }));
  const check = checkTemplateSource(template);
  const labelsNow = labelMap(versions);
  const knownLabels = [...new Set(['production', ...Object.keys(labelsNow)])]
    .filter((label) => label !== latestLabel)
    .sort();
  const latest = versions[0];

  const save = useApiMutation((client, input: CreatePromptVersionRequest) => client.prompts.create(input), {
    invalidates: [['prompts']],
    onSuccess: (saved) => {
      setConfirming(undefined);
      const state: SavedState = { savedVersion: saved.version };
      navigate(promptUrl(saved.name, 'editor', { version: saved.version }), { state });
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found: string[] = [];
    if (isNew) {
      const parsedName = promptNameSchema.safeParse(name.trim());
      if (!parsedName.success) found.push(`Name ${parsedName.error.issues[0]?.message ?? 'is invalid'}.`);
    }
    if (!check.ok) found.push('The template does not parse (see under it).');
    const parsedConfig = configFromDraft(config);
    if (!parsedConfig.ok) found.push(...parsedConfig.problems);
    const extra = otherLabels
      .split(/[\s,]+/)
      .map((label) => label.trim())
      .filter(Boolean);
    for (const label of extra) {
      if (label === latestLabel)
        found.push(`“${latestLabel}” always moves to the newest version; leave it out.`);
      else if (!promptLabelSchema.safeParse(label).success)
        found.push(`Label “${label}” must be 1–50 lower-case letters, digits or _ . - (e.g. staging).`);
    }
    setProblems(found);
    if (found.length > 0 || !parsedConfig.ok) return;
    const labels = [...new Set([...chosenLabels, ...extra])];
    const request: CreatePromptVersionRequest = {
      name: isNew ? name.trim() : givenName,
      type,
      template,
      config: parsedConfig.config,
      ...(commitMessage.trim() ? { commit_message: commitMessage.trim() } : {}),
      ...(labels.length > 0 ? { labels } : {}),
      // Refused if someone saved meanwhile, instead of silently burying their version.
      base_version: latest?.version ?? null,
    };
    if (labels.some(rules.needsConfirmation)) setConfirming(request);
    else save.mutate(request);
  };

  const savedVersion = (location.state as SavedState | null)?.savedVersion;
  const nameId = useId();
  const commitId = useId();
  const otherLabelsId = useId();
  const nextVersion = (latest?.version ?? 0) + 1;

  return (
    <form className="prompts-editor" onSubmit={onSubmit} noValidate aria-label="Prompt editor">
      <section className="panel prompts-editor-template">
        {base && !isNew ? (
          <p className="muted prompts-editor-base">
            Editing from v{base.version}
            {base.version !== latest?.version ? ` (the newest is v${latest?.version})` : ''}. Saving makes v
            {nextVersion}; v{base.version} stays as it is.
          </p>
        ) : null}
        {savedVersion !== undefined && savedVersion === base?.version ? (
          <p className="prompts-notice" role="status">
            Saved as version {savedVersion}.
          </p>
        ) : null}
        {isNew ? (
          <div className="prompts-new-fields">
            <div className="field">
              <label htmlFor={nameId} className="field-label">
                Name
              </label>
              <input
                id={nameId}
                className="input"
                value={name}
                placeholder="support/triage"
                autoComplete="off"
                spellCheck={false}
                onChange={(event) => setName(event.target.value)}
              />
              <p className="field-hint">Use “/” for folders.</p>
            </div>
            <fieldset className="field prompts-type">
              <legend className="field-label">Type</legend>
              <div className="segmented">
                {(['text', 'chat'] as const).map((option) => (
                  <button
                    key={option}
                    type="button"
                    aria-pressed={type === option}
                    onClick={() => switchType(option)}
                  >
                    {option === 'text' ? 'Text' : 'Chat messages'}
                  </button>
                ))}
              </div>
            </fieldset>
          </div>
        ) : null}
        {type === 'text' ? (
          <TextTemplateField value={text} onChange={setText} check={check} />
        ) : (
          <ChatMessagesField messages={messages} onChange={setMessages} check={check} newKey={newKey} />
        )}
      </section>
      <div className="prompts-editor-side">
        <ConfigFields draft={config} onChange={setConfig} />
        <section className="panel prompts-save" aria-label="Save">
          <h2 className="panel-title">Save as v{nextVersion}</h2>
          <div className="field">
            <label htmlFor={commitId} className="field-label">
              Commit message
            </label>
            <input
              id={commitId}
              className="input"
              value={commitMessage}
              placeholder="What changed, and why"
              onChange={(event) => setCommitMessage(event.target.value)}
            />
          </div>
          <fieldset className="field prompts-save-labels">
            <legend className="field-label">Point labels at the new version</legend>
            {knownLabels.map((label) => (
              <label key={label} className="prompts-check">
                <input
                  type="checkbox"
                  checked={chosenLabels.includes(label)}
                  onChange={(event) =>
                    setChosenLabels(
                      event.target.checked
                        ? [...chosenLabels, label]
                        : chosenLabels.filter((chosen) => chosen !== label),
                    )
                  }
                />
                {label}
                {labelsNow[label] !== undefined ? (
                  <span className="muted"> (now v{labelsNow[label]})</span>
                ) : null}
              </label>
            ))}
            <label htmlFor={otherLabelsId} className="field-hint">
              Other labels (comma-separated)
            </label>
            <input
              id={otherLabelsId}
              className="input"
              value={otherLabels}
              placeholder="staging"
              autoComplete="off"
              onChange={(event) => setOtherLabels(event.target.value)}
            />
            <p className="field-hint">“latest” always moves to the new version.</p>
          </fieldset>
          {problems.length > 0 ? (
            <div className="state state-error" role="alert">
              <p className="state-error-title">Fix these before saving</p>
              <ul>
                {problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </div>
          ) : null}
          {save.isError && !confirming ? <ErrorMessage title="Could not save" error={save.error} /> : null}
          <div>
            <button type="submit" className="button button-primary" aria-disabled={save.isPending}>
              {save.isPending ? 'Saving…' : isNew ? 'Create prompt' : `Save v${nextVersion}`}
            </button>
          </div>
        </section>
      </div>
      {confirming ? (
        <ConfirmDialog
          title={`Save v${nextVersion} and move ${describeLabels(confirming.labels ?? [], rules.needsConfirmation)}?`}
          confirmLabel="Save and move"
          busy={save.isPending}
          error={save.isError ? save.error : undefined}
          onCancel={() => {
            setConfirming(undefined);
            save.reset();
          }}
          onConfirm={() => save.mutate(confirming)}
        >
          <p>
            Applications that read {describeLabels(confirming.labels ?? [], rules.needsConfirmation)} get the
            new version as soon as it is saved.
            {labelsNow.production !== undefined && confirming.labels?.includes('production')
              ? ` production points at v${labelsNow.production} now.`
              : ''}
          </p>
        </ConfirmDialog>
      ) : null}
    </form>
  );

  function switchType(next: PromptType) {
    if (next === type) return;
    if (next === 'chat') {
      setMessages([{ key: newKey(), role: 'user', content: text }]);
    } else {
      setText(messages.map((message) => message.content).join('\n\n'));
    }
    setType(next);
  }
}

function describeLabels(labels: readonly string[], needsConfirmation: (label: string) => boolean): string {
  return labels.filter(needsConfirmation).join(' and ');
}
