import { type ReactNode, useEffect } from 'react';

/**
 * A page's title (its one `h1`, also the document title), a line about it, and its controls.
 *
 * @example
 * <PageHeader title="Traces" description="Every call and pipeline run, newest first." actions={<TimeRangePicker />} />
 */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Flywheel`;
  }, [title]);
  return (
    <header className="page-header">
      <div className="page-header-text">
        <h1>{title}</h1>
        {description ? <p className="muted">{description}</p> : null}
      </div>
      {actions ? <div className="page-header-actions">{actions}</div> : null}
    </header>
  );
}
