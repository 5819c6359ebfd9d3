import { type PromptMessage, promptMessageRoleSchema } from '@flywheel/spec';
import { useId } from 'react';
import { describeProblem, type TemplateCheck } from './template-check.js';

/** A chat message being edited, with a key that survives reordering. */
export interface DraftMessage extends PromptMessage {
  key: string;
}

const roles = promptMessageRoleSchema.options;

/** The text template: one monospace area, its problems or variables announced as they change. */
export function TextTemplateField({
  value,
  onChange,
  check,
}: {
  value: string;
  onChange: (value: string) => void;
  check: TemplateCheck;
}) {
  const id = useId();
  const statusId = useId();
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        Template
      </label>
      <textarea
        id={id}
        className="input prompts-code"
        rows={10}
        spellCheck={false}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={!check.ok}
        aria-describedby={statusId}
      />
      <TemplateStatus id={statusId} check={check} />
    </div>
  );
}

/** A chat template: messages with a role and a template each, added, removed and reordered by button. */
export function ChatMessagesField({
  messages,
  onChange,
  check,
  newKey,
}: {
  messages: DraftMessage[];
  onChange: (messages: DraftMessage[]) => void;
  check: TemplateCheck;
  /** A fresh key for an added message. */
  newKey: () => string;
}) {
  const statusId = useId();
  const update = (index: number, change: Partial<PromptMessage>) =>
    onChange(messages.map((message, at) => (at === index ? { ...message, ...change } : message)));
  const move = (index: number, by: -1 | 1) => {
    const next = [...messages];
    const [message] = next.splice(index, 1);
    next.splice(index + by, 0, message!);
    onChange(next);
  };
  return (
    <fieldset className="prompts-messages" aria-describedby={statusId}>
      <legend className="field-label">Messages</legend>
      <ol>
        {messages.map((message, index) => (
          <MessageField
            key={message.key}
            index={index}
            count={messages.length}
            message={message}
            invalid={!check.ok && check.problems.some((problem) => problem.messageIndex === index)}
            statusId={statusId}
            onChange={(change) => update(index, change)}
            onMove={(by) => move(index, by)}
            onRemove={() => onChange(messages.filter((_message, at) => at !== index))}
          />
        ))}
      </ol>
      <div>
        <button
          type="button"
          className="button"
          onClick={() => onChange([...messages, { key: newKey(), role: 'user', content: '' }])}
        >
          Add message
        </button>
      </div>
      <TemplateStatus id={statusId} check={check} />
    </fieldset>
  );
}

function MessageField({
  index,
  count,
  message,
  invalid,
  statusId,
  onChange,
  onMove,
  onRemove,
}: {
  index: number;
  count: number;
  message: DraftMessage;
  invalid: boolean;
  statusId: string;
  onChange: (change: Partial<PromptMessage>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const contentId = useId();
  const which = `message ${index + 1}`;
  return (
    <li className="prompts-message">
      <div className="prompts-message-bar">
        <span className="field-label">Message {index + 1}</span>
        <select
          className="select"
          value={message.role}
          aria-label={`Role of ${which}`}
          onChange={(event) => onChange({ role: event.target.value as PromptMessage['role'] })}
        >
          {roles.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
        <span className="prompts-message-actions">
          <button
            type="button"
            className="button"
            disabled={index === 0}
            onClick={() => onMove(-1)}
            aria-label={`Move ${which} up`}
          >
            ↑
          </button>
          <button
            type="button"
            className="button"
            disabled={index === count - 1}
            onClick={() => onMove(1)}
            aria-label={`Move ${which} down`}
          >
            ↓
          </button>
          <button
            type="button"
            className="button"
            disabled={count === 1}
            onClick={onRemove}
            aria-label={`Remove ${which}`}
          >
            Remove
          </button>
        </span>
      </div>
      <textarea
        id={contentId}
        className="input prompts-code"
        rows={4}
        spellCheck={false}
        value={message.content}
        aria-label={`Content of ${which}`}
        aria-invalid={invalid}
        aria-describedby={statusId}
        onChange={(event) => onChange({ content: event.target.value })}
      />
    </li>
  );
}

/** The variables a template needs, or every reason it does not parse with line and column. */
export function TemplateStatus({ id, check }: { id: string; check: TemplateCheck }) {
  return (
    <div id={id} className="prompts-template-status" aria-live="polite">
      {check.ok ? (
        check.variables.length === 0 ? (
          <p className="muted">No variables: write {'{{name}}'} to add one.</p>
        ) : (
          <p>
            <span className="muted">Variables: </span>
            <span className="prompts-variables" data-testid="template-variables">
              {check.variables.map((variable) => (
                <code key={variable}>{variable}</code>
              ))}
            </span>
          </p>
        )
      ) : (
        <div className="prompts-template-problems">
          <p className="field-error">The template does not parse:</p>
          <ul>
            {check.problems.map((problem) => (
              <li
                key={`${problem.messageIndex ?? ''}:${problem.line}:${problem.column}:${problem.message}`}
                className="field-error"
              >
                {describeProblem(problem)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
