import { FlywheelError } from '@flywheel/spec';
import type { z } from 'zod';

/**
 * Parses what a client sent with a strict schema; a mismatch is a `validation_failed` error
 * whose message names every field to fix.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<T> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new FlywheelError(
    'validation_failed',
    `Invalid request ${where}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { details: issues },
  );
}
