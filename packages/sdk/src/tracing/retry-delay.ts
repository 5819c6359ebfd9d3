/** Statuses worth retrying: the server is overloaded, restarting or behind a failing proxy. */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * The wait before retry number `retry` (0 for the first retry): "full jitter", a uniform draw
 * below the doubled bound, so clients that failed together do not come back together; never
 * shorter than the server's `Retry-After`.
 *
 * @example
 * backoffDelay(2, { initialDelayMs: 1000, maxDelayMs: 30000 }, undefined); // uniform in [0, 4000)
 * backoffDelay(0, { initialDelayMs: 1000, maxDelayMs: 30000 }, 5000); // 5000: Retry-After wins
 */
export function backoffDelay(
  retry: number,
  options: { initialDelayMs: number; maxDelayMs: number },
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const bound = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(retry, 30));
  const jittered = Math.floor(random() * bound);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}

/**
 * A `Retry-After` header in ms: delay-seconds (`"2"`, `"1.5"`) or an HTTP date. `undefined` when
 * absent or unreadable; a date in the past is 0.
 *
 * @example
 * parseRetryAfter('2', Date.now()); // 2000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.now()); // 0 (in the past)
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its weekday and zone; Date.parse alone would take "-1" for a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
