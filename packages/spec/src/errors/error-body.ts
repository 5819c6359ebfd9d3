import { z } from 'zod';

/** The body of every non-2xx answer of the REST API (`/api/*`). */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    request_id: z.string().optional(),
  }),
});

/** The body of every non-2xx answer of the REST API (`/api/*`). */
export type ErrorBody = z.infer<typeof errorBodySchema>;
