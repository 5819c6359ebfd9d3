import type { ApiKeyService, Stores } from '@flywheel/core';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

/** Everything the app needs, passed in by a composition root (`main.ts` or a test). */
export interface AppDeps {
  stores: Stores;
  apiKeys: ApiKeyService;
  /** Flywheel's version, shown by `/health`. */
  version: string;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  /** A pino logger instance, pino options, or false for no log (default). */
  logger?: FastifyBaseLogger | FastifyServerOptions['logger'];
}
