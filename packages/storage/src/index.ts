export { redactConnectionString } from './dialects/postgres-dialect.js';
export type { MigrationReport } from './migrations/run-migrations.js';
export type { Storage, StorageOptions } from './open-storage.js';
export { openStorage } from './open-storage.js';
export type { TraceWriter } from './trace-writer/trace-writer.js';
export { createThreadedTraceWriter } from './trace-writer/trace-writer.js';
