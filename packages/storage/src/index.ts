export { redactConnectionString } from './dialects/postgres-dialect.js';
export type { MigrationReport } from './migrations/run-migrations.js';
export type { Storage, StorageOptions } from './open-storage.js';
export { openStorage } from './open-storage.js';
export {
  createFramePool,
  createGatewayTraceSink,
  type FramePool,
  type GatewayTraceSinkOptions,
} from './trace-writer/gateway-frame.js';
export type { TraceWriter, TraceWriterOptions } from './trace-writer/trace-writer.js';
export { createThreadedTraceWriter } from './trace-writer/trace-writer.js';
export type { GatewayTraceOptions } from './trace-writer/trace-writer-protocol.js';
