import type { ApiKeyService, Stores } from '@flywheel/core';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { GatewayDeps } from '../gateway/gateway-deps.js';
import type { SecretBox } from '../secrets/secret-box.js';

/** Everything the app needs, passed in by a composition root (`main.ts` or a test). */
export interface AppDeps {
  stores: Stores;
  apiKeys: ApiKeyService;
  /** Flywheel's version, shown by `/health`. */
  version: string;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  /** The OpenAI-compatible gateway (`/v1/*`); absent, those routes answer 404. */
  gateway?: GatewayDeps;
  /** Stored provider credentials (`/api/providers`). */
  providerCredentials?: ProviderCredentialDeps;
  /** A pino logger instance, pino options, or false for no log (default). */
  logger?: FastifyBaseLogger | FastifyServerOptions['logger'];
}

/** What the provider credential routes need. */
export interface ProviderCredentialDeps {
  /** Seals API keys; undefined when FLYWHEEL_ENCRYPTION_KEY is not set (saving is then refused). */
  secretBox: SecretBox | undefined;
  /** Throws `unsafe_url` for a base URL that points at a private or otherwise disallowed place. */
  checkUrl(url: string): URL;
  /** Called after a credential of the project changed, so cached models are rebuilt. */
  onChange(projectId: string): void;
}
