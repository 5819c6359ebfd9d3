import { z } from 'zod';

/** A project as the REST API returns it. Projects are the unit of tenancy. */
export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
});
export type ProjectBody = z.infer<typeof projectSchema>;

/** `POST /api/projects` */
export const createProjectRequestSchema = z.strictObject({
  name: z.string().trim().min(1, 'name must not be empty').max(100, 'name must be at most 100 characters'),
});
export type CreateProjectRequest = z.infer<typeof createProjectRequestSchema>;
