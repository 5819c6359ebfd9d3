import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef } from 'react';
import { ErrorMessage } from '../components/error-message.js';

/**
 * A modal question (`role="dialog"`, `aria-modal`): the keyboard starts on Cancel, Tab stays
 * inside, Escape cancels, and the focus goes back where it was when it closes.
 *
 * @example
 * {asking ? <ConfirmDialog title="Move production to v3?" confirmLabel="Move production" onConfirm={move} onCancel={() => setAsking(false)}>…</ConfirmDialog> : null}
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  busy = false,
  error,
}: {
  title: string;
  /** What will happen, in a sentence or two. */
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** The change is under way: the buttons wait. */
  busy?: boolean;
  /** Why the change failed (the server's message), shown in the dialog. */
  error?: unknown;
}) {
  const titleId = useId();
  const bodyId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancel.current?.focus();
    return () => before?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      if (!busy) onCancel();
      return;
    }
    if (event.key !== 'Tab' || !dialog.current) return;
    const focusable = [
      ...dialog.current.querySelectorAll<HTMLElement>(
        'button:not([disabled]), [href], input, select, textarea',
      ),
    ];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="prompts-dialog-backdrop">
      <div
        ref={dialog}
        className="prompts-dialog panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId}>{title}</h2>
        <div id={bodyId} className="prompts-dialog-body">
          {children}
        </div>
        {error ? <ErrorMessage title="The change was refused" error={error} /> : null}
        <div className="prompts-dialog-actions">
          <button ref={cancel} type="button" className="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              if (!busy) onConfirm();
            }}
            aria-disabled={busy}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
