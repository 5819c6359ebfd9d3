/** Keeps track of the span (or trace) that new spans nest under. */
export interface ContextManager<T> {
  /** The current parent, if any. */
  active(): T | undefined;
  /** Runs `fn` with `value` as the current parent. */
  with<R>(value: T, fn: () => R): R;
}

/**
 * The default (browser) context manager: a stack that follows synchronous calls, and async
 * functions up to their first `await`. Code that awaits inside a span and creates children
 * after it should pass the parent explicitly (`span.span(...)`), or run on Node, whose entry point
 * uses AsyncLocalStorage.
 *
 * @example
 * const context = createStackContextManager<string>();
 * context.with('outer', () => context.active()); // 'outer'
 */
export function createStackContextManager<T>(): ContextManager<T> {
  const stack: T[] = [];
  return {
    active: () => stack[stack.length - 1],
    with(value, fn) {
      stack.push(value);
      try {
        return fn();
      } finally {
        stack.pop();
      }
    },
  };
}
