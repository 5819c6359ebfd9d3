import type { TraceListQuery } from '@flywheel/spec';
import type { ResolvedTimeRange } from '../time/time-range.js';

/**
 * The filters of the trace list as typed, one string each ('' when unset). They live in the URL
 * under the API's own names (`?user_id=u_1&status=error`), so a link or a reload shows the same
 * list; the time range lives beside them (`range`, `from`, `to`: see `useTimeRange`).
 */
export interface TraceFilters {
  q: string;
  name: string;
  user_id: string;
  session_id: string;
  model: string;
  status: '' | 'ok' | 'error';
  environment: string;
  /** Comma-separated; a trace must carry every one. */
  tags: string;
  min_latency_ms: string;
  max_latency_ms: string;
  min_cost: string;
  max_cost: string;
}

export type TraceFilterName = keyof TraceFilters;

export const traceFilterNames: readonly TraceFilterName[] = [
  'q',
  'name',
  'user_id',
  'session_id',
  'model',
  'status',
  'environment',
  'tags',
  'min_latency_ms',
  'max_latency_ms',
  'min_cost',
  'max_cost',
];

const numericFilters = ['min_latency_ms', 'max_latency_ms', 'min_cost', 'max_cost'] as const;

export const emptyTraceFilters: TraceFilters = {
  q: '',
  name: '',
  user_id: '',
  session_id: '',
  model: '',
  status: '',
  environment: '',
  tags: '',
  min_latency_ms: '',
  max_latency_ms: '',
  min_cost: '',
  max_cost: '',
};

/** Traces per page the list offers; `limit` in the URL. */
export const pageSizes = [10, 25, 50, 100] as const;
export const defaultPageSize = 50;

/** The filters in the URL; anything unknown or malformed for `status` is ignored. */
export function readTraceFilters(params: URLSearchParams): TraceFilters {
  const filters = { ...emptyTraceFilters };
  for (const name of traceFilterNames) {
    const value = params.get(name)?.trim() ?? '';
    if (name === 'status') filters.status = value === 'ok' || value === 'error' ? value : '';
    else filters[name] = value;
  }
  return filters;
}

/**
 * Writes the filters into a copy of `params`: set ones by name, unset ones removed. Paging starts
 * over (the cursors belong to the old filters); the time range and page size are kept.
 */
export function writeTraceFilters(params: URLSearchParams, filters: TraceFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of traceFilterNames) {
    const value = filters[name].trim();
    if (value === '') next.delete(name);
    else next.set(name, name === 'tags' ? splitTags(value).join(',') : value);
  }
  next.delete('cursor');
  return next;
}

/** How many filters are set. */
export function countTraceFilters(filters: TraceFilters): number {
  return traceFilterNames.filter((name) => filters[name].trim() !== '').length;
}

/** What is wrong with the numbers typed, by field: not a number, negative, or a minimum above its maximum. */
export function checkTraceFilters(filters: TraceFilters): Partial<Record<TraceFilterName, string>> {
  const problems: Partial<Record<TraceFilterName, string>> = {};
  for (const name of numericFilters) {
    const value = filters[name].trim();
    if (value === '') continue;
    const number = Number(value);
    if (!Number.isFinite(number)) problems[name] = 'Enter a number.';
    else if (number < 0) problems[name] = 'Enter zero or more.';
  }
  for (const [min, max] of [
    ['min_latency_ms', 'max_latency_ms'],
    ['min_cost', 'max_cost'],
  ] as const) {
    if (problems[min] || problems[max] || filters[min].trim() === '' || filters[max].trim() === '') continue;
    if (Number(filters[min]) > Number(filters[max])) problems[max] = 'Must be at least the minimum.';
  }
  return problems;
}

/** The page of traces the URL asks for: filters, time range, page size and cursor. */
export function toTraceListQuery(
  filters: TraceFilters,
  range: Pick<ResolvedTimeRange, 'from' | 'to'>,
  paging: { limit: number; cursor: string | undefined },
): TraceListQuery {
  const query: TraceListQuery = {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    limit: paging.limit,
  };
  if (paging.cursor) query.cursor = paging.cursor;
  if (filters.q) query.q = filters.q;
  if (filters.name) query.name = filters.name;
  if (filters.user_id) query.user_id = filters.user_id;
  if (filters.session_id) query.session_id = filters.session_id;
  if (filters.model) query.model = filters.model;
  if (filters.status) query.status = filters.status;
  if (filters.environment) query.environment = filters.environment;
  const tags = splitTags(filters.tags);
  if (tags.length > 0) query.tags = tags;
  // Numbers go as typed: the server explains one it cannot read.
  if (filters.min_latency_ms) query.min_latency_ms = filters.min_latency_ms;
  if (filters.max_latency_ms) query.max_latency_ms = filters.max_latency_ms;
  if (filters.min_cost) query.min_cost = filters.min_cost;
  if (filters.max_cost) query.max_cost = filters.max_cost;
  return query;
}

/** The page size in the URL, or the default for a missing or unknown one. */
export function readPageSize(params: URLSearchParams): number {
  const limit = Number(params.get('limit'));
  return (pageSizes as readonly number[]).includes(limit) ? limit : defaultPageSize;
}

/**
 * The cursors that led to this page, oldest first (`?cursor=a&cursor=b` is page 3). Keeping the
 * whole trail in the URL lets "Previous" and a reload work without the server's help.
 */
export function readCursors(params: URLSearchParams): string[] {
  return params.getAll('cursor').filter((cursor) => cursor !== '');
}

/** `params` with the cursor trail replaced. */
export function writeCursors(params: URLSearchParams, cursors: readonly string[]): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete('cursor');
  for (const cursor of cursors) next.append('cursor', cursor);
  return next;
}

function splitTags(value: string): string[] {
  return value
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
}
