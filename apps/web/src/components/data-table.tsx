import type { ReactNode } from 'react';

/** One column of a {@link DataTable}. */
export interface DataTableColumn<Row> {
  /** Stable id (React key). */
  id: string;
  header: string;
  /** The cell: text or elements. Strings from the server render as text, never as HTML. */
  cell: (row: Row) => ReactNode;
  /** `end` for numbers. */
  align?: 'start' | 'end';
  /** Let long text wrap instead of scrolling the table sideways. */
  wrap?: boolean;
}

/**
 * A table of rows with a caption. Wide tables scroll sideways inside a focusable region, so the
 * keyboard can scroll them too. Says `emptyMessage` in one row when there are no rows.
 *
 * @example
 * <DataTable caption="By model" rows={rows} rowKey={(row) => row.key ?? '(none)'} columns={[
 *   { id: 'model', header: 'Model', cell: (row) => row.key ?? '(none)' },
 *   { id: 'requests', header: 'Requests', cell: (row) => formatCount(row.requests), align: 'end' },
 * ]} />
 */
export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  emptyMessage = 'Nothing to show.',
  hideCaption = false,
}: {
  caption: string;
  columns: DataTableColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => string;
  emptyMessage?: string;
  /** Keep the caption for screen readers only (when a heading above already says it). */
  hideCaption?: boolean;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it
    <section className="table-scroll" aria-label={caption} tabIndex={0}>
      <table className="data-table">
        <caption className={hideCaption ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.id} scope="col" className={column.align === 'end' ? 'align-end' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="muted">
                {emptyMessage}
              </td>
            </tr>
          ) : (
            rows.map((row, index) => (
              <tr key={rowKey(row, index)}>
                {columns.map((column) => (
                  <td
                    key={column.id}
                    className={
                      [column.align === 'end' ? 'align-end' : '', column.wrap ? 'wrap' : '']
                        .filter(Boolean)
                        .join(' ') || undefined
                    }
                  >
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}
