import {
  createFlywheelTracer as createTracer,
  type FlywheelTracer,
  type FlywheelTracerOptions,
} from '../tracing/flywheel-tracer.js';
import { createAsyncContextManager } from './async-context-manager.js';

export * from '../index.js';
export { createAsyncContextManager } from './async-context-manager.js';

/**
 * `createFlywheelTracer` for Node: spans nest through AsyncLocalStorage, across awaits.
 *
 * @example
 * import { createFlywheelTracer, wrapOpenAI } from '@flywheel/sdk/node';
 * const tracer = createFlywheelTracer({ baseUrl: 'http://127.0.0.1:4000', apiKey: process.env.FLYWHEEL_API_KEY! });
 */
export function createFlywheelTracer(options: FlywheelTracerOptions): FlywheelTracer {
  return createTracer({ contextManager: createAsyncContextManager(), ...options });
}
