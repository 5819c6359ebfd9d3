import { z } from 'zod';

/** Provider kinds a stored credential may be for. */
export const providerKindSchema = z.enum(['openai', 'openai-compatible', 'anthropic']);

/** `POST /api/providers`: a provider credential, its key encrypted at rest. */
export const createProviderCredentialRequestSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._:/-]+$/, 'name may use letters, digits and . _ : / -'),
  provider: providerKindSchema,
  base_url: z.string().max(2000).optional(),
  api_key: z.string().min(1).max(10_000),
});
export type CreateProviderCredentialRequest = z.infer<typeof createProviderCredentialRequestSchema>;

/** A stored provider credential as the API shows it: never the key, only `api_key_display`. */
export const providerCredentialSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider: providerKindSchema,
  base_url: z.string().nullable(),
  api_key_display: z.string(),
  created_at: z.string(),
});
export type ProviderCredentialBody = z.infer<typeof providerCredentialSchema>;
