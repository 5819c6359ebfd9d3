import { z } from 'zod';

/**
 * What an API key may do. `gateway` calls models through `/v1/*`, `ingest` sends traces,
 * `read` and `write` use the REST API, `admin` manages the project (its keys included).
 */
export const apiKeyScopes = ['gateway', 'ingest', 'read', 'write', 'admin'] as const;

/** One API key scope. */
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export const apiKeyScopeSchema = z.enum(apiKeyScopes);
