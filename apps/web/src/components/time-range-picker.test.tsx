// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { LocationProbe } from '../testing-internal/render-app.js';
import { toLocalInputValue } from '../time/time-range.js';
import { useTimeRange } from '../time/use-time-range.js';
import { TimeRangePicker } from './time-range-picker.js';

function Harness() {
  const time = useTimeRange();
  return (
    <>
      <TimeRangePicker value={time.selection} onChange={time.setSelection} />
      <p data-testid="range">{`${time.range.bucket} ${time.range.to.getTime() - time.range.from.getTime()}`}</p>
    </>
  );
}

function renderAt(path: string) {
  render(
    <MemoryRouter initialEntries={[path]}>
      <Harness />
      <LocationProbe />
    </MemoryRouter>,
  );
}

const search = () => new URLSearchParams(screen.getByTestId('location').textContent!.split('?')[1] ?? '');
const pressed = () =>
  screen
    .getAllByRole('button')
    .filter((button) => button.getAttribute('aria-pressed') === 'true')
    .map((button) => button.textContent);

describe('TimeRangePicker with useTimeRange', () => {
  afterEach(cleanup);

  it('reads the range from the URL and writes a new choice back, keeping other parameters', async () => {
    renderAt('/?range=7d&model=gpt-4o');
    expect(pressed()).toEqual(['7dLast 7 days']);
    expect(screen.getByTestId('range').textContent).toBe(`hour ${7 * 86_400_000}`);

    await userEvent.click(screen.getByRole('button', { name: 'Last hour' }));
    expect(search().get('range')).toBe('1h');
    expect(search().get('model')).toBe('gpt-4o');
    expect(pressed()).toEqual(['1hLast hour']);
    expect(screen.getByTestId('range').textContent).toBe('minute 3600000');
  });

  it('falls back to the last 24 hours for a missing or malformed range', () => {
    renderAt('/?range=forever');
    expect(pressed()).toEqual(['24hLast 24 hours']);
    cleanup();
    renderAt('/?range=custom&from=yesterday&to=2026-01-01T00:00:00Z');
    expect(pressed()).toEqual(['24hLast 24 hours']);
  });

  it('applies a custom range as ISO instants in the URL, and refuses one that ends before it starts', async () => {
    renderAt('/?range=24h');
    await userEvent.click(screen.getByRole('button', { name: 'Custom' }));
    const from = new Date(2026, 10, 20, 9, 30);
    const to = new Date(2026, 10, 20, 11, 0);

    fireEvent.change(screen.getByLabelText('From'), { target: { value: toLocalInputValue(to) } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: toLocalInputValue(from) } });
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(screen.getByRole('alert').textContent).toBe('The start must be before the end.');
    expect(search().get('range')).toBe('24h');

    fireEvent.change(screen.getByLabelText('From'), { target: { value: toLocalInputValue(from) } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: toLocalInputValue(to) } });
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(search().get('range')).toBe('custom');
    expect(search().get('from')).toBe(from.toISOString());
    expect(search().get('to')).toBe(to.toISOString());
    expect(screen.getByTestId('range').textContent).toBe('minute 5400000');
    expect(pressed()).toEqual(['Custom']);
  });

  it('shows a custom range from the URL in the inputs, in local time', () => {
    const from = new Date(2026, 0, 2, 3, 4);
    const to = new Date(2026, 0, 12, 3, 4);
    renderAt(`/?range=custom&from=${from.toISOString()}&to=${to.toISOString()}`);
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2026-01-02T03:04');
    expect((screen.getByLabelText('To') as HTMLInputElement).value).toBe('2026-01-12T03:04');
    expect(screen.getByTestId('range').textContent).toBe(`day ${10 * 86_400_000}`);
  });
});
