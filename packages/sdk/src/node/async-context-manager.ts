import { AsyncLocalStorage } from 'node:async_hooks';
import type { ContextManager } from '../tracing/context-manager.js';

/**
 * Node's context manager: the current span follows awaits, timers and concurrent branches
 * (`Promise.all`), so children nest correctly in async code. Each tracer has its own storage;
 * nothing global is installed.
 *
 * @example
 * const tracer = createFlywheelTracer({ baseUrl, apiKey, contextManager: createAsyncContextManager() });
 */
export function createAsyncContextManager<T>(): ContextManager<T> {
  const storage = new AsyncLocalStorage<T>();
  return {
    active: () => storage.getStore(),
    with: (value, fn) => storage.run(value, fn),
  };
}
