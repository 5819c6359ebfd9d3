// @vitest-environment jsdom
import { FlywheelError } from '@flywheel/sdk';
import { cleanup, render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataTable } from './data-table.js';
import { ErrorMessage } from './error-message.js';

describe('ErrorMessage', () => {
  afterEach(cleanup);

  it("shows a FlywheelError's message and stable code as an alert", () => {
    const error = new FlywheelError('storage_busy', 'The database is busy; retry shortly.');
    render(<ErrorMessage title="Could not load metrics" error={error} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Could not load metrics');
    expect(alert.textContent).toContain('The database is busy; retry shortly.');
    expect(alert.querySelector('code')?.textContent).toBe('storage_busy');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('shows any other error by its message, without a code', () => {
    render(<ErrorMessage error={new TypeError('Failed to fetch')} />);
    expect(screen.getByRole('alert').textContent).toContain('Something went wrong');
    expect(screen.getByRole('alert').textContent).toContain('Failed to fetch');
    expect(screen.getByRole('alert').querySelector('code')).toBeNull();
  });

  it('offers to try again when it can', async () => {
    const retry = vi.fn();
    render(<ErrorMessage error="boom" onRetry={retry} />);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledOnce();
  });

  it('shows a server message carrying markup as text', () => {
    const error = new FlywheelError('validation_failed', 'Bad name <b onmouseover=alert(1)>x</b>');
    const { container } = render(<ErrorMessage error={error} />);
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toContain('<b onmouseover=alert(1)>x</b>');
  });
});

describe('DataTable', () => {
  afterEach(cleanup);

  const columns = [
    { id: 'name', header: 'Name', cell: (row: { name: string; n: number }) => row.name },
    {
      id: 'n',
      header: 'Count',
      cell: (row: { name: string; n: number }) => String(row.n),
      align: 'end' as const,
    },
  ];

  it('renders rows as text in a captioned table, in a keyboard-scrollable region', () => {
    const { container } = render(
      <DataTable
        caption="By model"
        columns={columns}
        rows={[{ name: '<script>x</script>', n: 3 }]}
        rowKey={(row) => row.name}
      />,
    );
    expect(screen.getByRole('region', { name: 'By model' }).getAttribute('tabindex')).toBe('0');
    expect(screen.getByRole('table', { name: 'By model' })).toBeTruthy();
    expect(screen.getByRole('cell', { name: '<script>x</script>' })).toBeTruthy();
    expect(container.querySelector('tbody script')).toBeNull();
  });

  it('says so when there are no rows', () => {
    render(
      <DataTable
        caption="By model"
        columns={columns}
        rows={[]}
        rowKey={(row) => row.name}
        emptyMessage="None yet."
      />,
    );
    expect(screen.getByRole('cell', { name: 'None yet.' })).toBeTruthy();
  });
});
