import { createFlywheelTracer as createTracer } from '../tracing/flywheel-tracer.js';
import type { FlywheelTracer, FlywheelTracerOptions } from '../tracing/tracer-types.js';
import { createAsyncContextManager } from './async-context-manager.js';

// The Node entry point, `@flywheel/sdk/node`: everything of the main entry, with a tracer whose
// spans nest through AsyncLocalStorage. Only files under src/node/ may use Node built-ins.
// Everything of the main entry; the local createFlywheelTracer below takes the place of its own.
export * from '../index.js';
export { createAsyncContextManager } from './async-context-manager.js';

/**
 * `createFlywheelTracer` for Node: the current span follows `await`s, timers and concurrent
 * branches (`Promise.all`) through AsyncLocalStorage, so children nest in async code. A
 * `contextManager` option still wins.
 *
 * @example
 * import { createFlywheelTracer, wrapOpenAI } from '@flywheel/sdk/node';
 * const tracer = createFlywheelTracer({ baseUrl: 'http://127.0.0.1:4000', apiKey: process.env.FLYWHEEL_API_KEY! });
 * await tracer.trace({ name: 'job' }, async () => {
 *   await step(); // spans started in step() nest under 'job'
 * });
 */
export function createFlywheelTracer(options: FlywheelTracerOptions): FlywheelTracer {
  return createTracer({ ...options, contextManager: options.contextManager ?? createAsyncContextManager() });
}
