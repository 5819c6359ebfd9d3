import { z } from 'zod';

/** Wraps a list answer: `{ "data": [...] }`. */
export function listSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item) });
}

/** `GET /health` */
export const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  version: z.string(),
  storage: z.enum(['sqlite', 'postgres']),
});
export type HealthBody = z.infer<typeof healthSchema>;
