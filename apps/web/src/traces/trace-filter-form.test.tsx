// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TraceFilterForm } from './trace-filter-form.js';
import { emptyTraceFilters, type TraceFilters } from './trace-filters.js';

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;

describe('the trace filter form', () => {
  afterEach(cleanup);

  it('keeps what is being typed when the URL clears its filters before the form is applied', async () => {
    const onApply = vi.fn<(filters: TraceFilters) => void>();
    const searched = { ...emptyTraceFilters, q: 'no trace says this' };
    const { rerender } = render(<TraceFilterForm value={searched} onApply={onApply} />);
    await userEvent.type(input('Tags'), 'paged');

    // Clear filters in the empty state (or Back) while the Tags field is being typed in.
    rerender(<TraceFilterForm value={emptyTraceFilters} onApply={onApply} />);
    expect(input('Search').value).toBe('');
    expect(input('Tags').value).toBe('paged');
    expect(document.activeElement).toBe(input('Tags'));
    expect(screen.getByText('No filters applied')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(onApply).toHaveBeenLastCalledWith({ ...emptyTraceFilters, tags: 'paged' });
  });

  it('shows the filters of the URL it is given next, as going back in history does', async () => {
    const onApply = vi.fn<(filters: TraceFilters) => void>();
    const { rerender } = render(
      <TraceFilterForm value={{ ...emptyTraceFilters, user_id: 'u_1', min_cost: 'x' }} onApply={onApply} />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByText('Enter a number.')).toBeTruthy();
    expect(onApply).not.toHaveBeenCalled();

    rerender(<TraceFilterForm value={{ ...emptyTraceFilters, model: 'gpt-4o-mini' }} onApply={onApply} />);
    expect(input('User').value).toBe('');
    expect(input('Model').value).toBe('gpt-4o-mini');
    expect(input('Cost from (USD)').value).toBe('');
    expect(screen.queryByText('Enter a number.')).toBeNull();
    expect(screen.getByText('1 filter applied')).toBeTruthy();
  });
});
