/** A timer handle of either platform (a number in browsers, an object in Node). */
export type Timer = ReturnType<typeof setTimeout>;

/**
 * `setTimeout` that, unless `keepAlive`, does not hold a Node process open (`unref`): tracing
 * must never be the reason an app does not exit. Browsers have no such notion and ignore it.
 */
export function startTimer(callback: () => void, ms: number, keepAlive: boolean): Timer {
  const timer = setTimeout(callback, ms);
  if (!keepAlive) (timer as unknown as { unref?: () => void }).unref?.();
  return timer;
}

/** Holds the process open for `timer` after all (someone now awaits what it leads to). */
export function keepTimerAlive(timer: Timer | undefined): void {
  (timer as unknown as { ref?: () => void } | undefined)?.ref?.();
}

/** `clearTimeout` that accepts `undefined`. */
export function clearTimer(timer: Timer | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}
