import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import {
  parseTimeRange,
  type ResolvedTimeRange,
  resolveTimeRange,
  type TimeRangeSelection,
  writeTimeRange,
} from './time-range.js';

/** The page's time range, kept in the URL (`?range=7d`), so a link or a reload shows the same view. */
export interface TimeRangeState {
  selection: TimeRangeSelection;
  /** The selection's instants: presets end at the minute after the last refresh. */
  range: ResolvedTimeRange;
  setSelection(selection: TimeRangeSelection): void;
  /** Moves a preset range up to now. */
  refresh(): void;
}

/**
 * Reads and writes the time range in the search params; other params are kept.
 *
 * @example
 * const time = useTimeRange();
 * <TimeRangePicker value={time.selection} onChange={time.setSelection} />
 * useApiQuery(['metrics', time.range.from.toISOString(), time.range.to.toISOString()], …);
 */
export function useTimeRange(): TimeRangeState {
  const [params, setParams] = useSearchParams();
  const [now, setNow] = useState(() => Date.now());
  const selection = useMemo(() => parseTimeRange(params), [params]);
  const range = useMemo(() => resolveTimeRange(selection, now), [selection, now]);
  const setSelection = useCallback(
    (next: TimeRangeSelection) => {
      setNow(Date.now());
      setParams((previous) => writeTimeRange(previous, next));
    },
    [setParams],
  );
  const refresh = useCallback(() => setNow(Date.now()), []);
  return { selection, range, setSelection, refresh };
}
