import { FlywheelError } from '@flywheel/spec';
import type { CommandInput } from '../command.js';
import { stringFlag } from './remote-options.js';

/** Values of a flag given several times and/or as comma lists. */
export function listFlag(value: unknown): string[] {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return values
    .flatMap((entry: string) => entry.split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** A whole number flag from `min` to `max`, or `fallback` when absent. */
export function countFlag(
  input: CommandInput,
  name: string,
  fallback: number,
  { min, max }: { min: number; max: number },
): number {
  const raw = stringFlag(input, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new FlywheelError(
      'invalid_argument',
      `--${name} must be a whole number from ${min} to ${max}, not '${raw}'.`,
    );
  return value;
}
