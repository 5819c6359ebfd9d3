import type { ReactNode } from 'react';

/**
 * What a part of a page shows when there is nothing to show: what is missing and how to get some.
 *
 * @example
 * <EmptyState title="No traces yet">Send a request through the gateway, or ingest traces with the SDK.</EmptyState>
 */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  /** A hint: why it is empty and what to do. */
  children?: ReactNode;
  /** A button or link that helps. */
  action?: ReactNode;
}) {
  return (
    <section className="state state-empty" aria-label={title}>
      <h2>{title}</h2>
      {children ? <p className="muted">{children}</p> : null}
      {action ? <div className="state-actions">{action}</div> : null}
    </section>
  );
}
