import { z } from 'zod';
import { apiKeyScopeSchema, apiKeyScopes } from './api-key-scopes.js';

/** An API key as the REST API lists it: never the secret itself, only `display` (prefix…suffix). */
export const apiKeySchema = z.object({
  id: z.string(),
  project_id: z.string(),
  name: z.string(),
  display: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  instance_admin: z.boolean(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});
export type ApiKeyBody = z.infer<typeof apiKeySchema>;

/** The answer to `POST /api/keys`: the only time the full key (`key`) is ever shown. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });
export type CreatedApiKeyBody = z.infer<typeof createdApiKeySchema>;

/** `POST /api/keys` */
export const createApiKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1, 'name must not be empty').max(100, 'name must be at most 100 characters'),
  scopes: z
    .array(apiKeyScopeSchema)
    .min(1, `scopes must list at least one of: ${apiKeyScopes.join(', ')}`)
    .default([...apiKeyScopes]),
  project_id: z.string().min(1).max(100).optional(),
});
export type CreateApiKeyRequest = z.input<typeof createApiKeyRequestSchema>;

/** Query of `GET /api/keys` and `DELETE /api/keys/:id`. */
export const projectScopedQuerySchema = z.strictObject({
  project_id: z.string().min(1).max(100).optional(),
});
