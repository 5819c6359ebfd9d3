import { useId } from 'react';
import { type ConfigDraft, configFromDraft } from './prompt-config-draft.js';

/** The model config: model alias, temperature, max tokens, top p, and any other setting as JSON. */
export function ConfigFields({
  draft,
  onChange,
}: {
  draft: ConfigDraft;
  onChange: (draft: ConfigDraft) => void;
}) {
  const ids = { model: useId(), temperature: useId(), maxTokens: useId(), topP: useId(), more: useId() };
  const statusId = useId();
  const checked = configFromDraft(draft);
  const set = (change: Partial<ConfigDraft>) => onChange({ ...draft, ...change });
  return (
    <section className="panel prompts-config" aria-label="Model config">
      <h2 className="panel-title">Model config</h2>
      <div className="field">
        <label htmlFor={ids.model} className="field-label">
          Model
        </label>
        <input
          id={ids.model}
          className="input"
          value={draft.model}
          placeholder="chat-default"
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => set({ model: event.target.value })}
        />
        <p className="field-hint">A model alias of the gateway; a request naming its own model wins.</p>
      </div>
      <div className="prompts-config-numbers">
        <NumberField
          id={ids.temperature}
          label="Temperature"
          value={draft.temperature}
          placeholder="0–2"
          onChange={(temperature) => set({ temperature })}
        />
        <NumberField
          id={ids.maxTokens}
          label="Max tokens"
          value={draft.maxTokens}
          placeholder="e.g. 512"
          onChange={(maxTokens) => set({ maxTokens })}
        />
        <NumberField
          id={ids.topP}
          label="Top p"
          value={draft.topP}
          placeholder="0–1"
          onChange={(topP) => set({ topP })}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.more} className="field-label">
          More settings (JSON)
        </label>
        <textarea
          id={ids.more}
          className="input prompts-code"
          rows={4}
          spellCheck={false}
          value={draft.more}
          placeholder={'{"seed": 7, "stop": ["\\n\\n"], "response_format": {"type": "json_object"}}'}
          aria-invalid={!checked.ok}
          aria-describedby={statusId}
          onChange={(event) => set({ more: event.target.value })}
        />
        <p className="field-hint">
          stop, seed, presence_penalty, frequency_penalty, response_format, tools, tool_choice.
        </p>
      </div>
      <div id={statusId} aria-live="polite">
        {checked.ok ? null : (
          <ul className="prompts-config-problems">
            {checked.problems.map((problem) => (
              <li key={problem} className="field-error">
                {problem}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function NumberField({
  id,
  label,
  value,
  placeholder,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <input
        id={id}
        className="input"
        inputMode="decimal"
        value={value}
        placeholder={placeholder}
        autoComplete="off"
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
  );
}
