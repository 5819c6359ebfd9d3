import { datasetItemIdSchema, datasetNameSchema, FlywheelError } from '@flywheel/spec';
import type { FastifyRequest } from 'fastify';

/** What a path under `/api/datasets/` asks for; dataset names may hold `/`, so it is parsed here. */
export type DatasetPath =
  | { kind: 'dataset'; name: string }
  | { kind: 'items' | 'versions' | 'export' | 'from-traces'; name: string }
  | { kind: 'item'; name: string; itemId: string };

const collectionWords = new Set(['items', 'versions', 'export', 'from-traces']);

/**
 * Parses the rest of a `/api/datasets/*` path. `items` (and the other path words) may not be a
 * segment of a name, so `<name>/items/<id>` reads one way only.
 */
export function parseDatasetPath(request: FastifyRequest): DatasetPath {
  const raw = (request.params as { '*'?: string })['*'] ?? '';
  const segments = raw.split('/');
  const last = segments.at(-1) ?? '';
  let path: DatasetPath;
  if (segments.length >= 3 && segments.at(-2) === 'items') {
    const itemId = datasetItemIdSchema.safeParse(last);
    if (!itemId.success) {
      throw new FlywheelError(
        'validation_failed',
        `Invalid request params: item id: '${last}' ${itemId.error.issues[0]?.message ?? 'is not an item id'}.`,
      );
    }
    path = { kind: 'item', name: segments.slice(0, -2).join('/'), itemId: last };
  } else if (segments.length >= 2 && collectionWords.has(last)) {
    path = { kind: last as 'items', name: segments.slice(0, -1).join('/') };
  } else {
    path = { kind: 'dataset', name: raw };
  }
  const name = datasetNameSchema.safeParse(path.name);
  if (!name.success) {
    throw new FlywheelError(
      'validation_failed',
      `Invalid request params: name: '${path.name}' ${name.error.issues[0]?.message ?? 'is not a dataset name'}.`,
    );
  }
  return path;
}

/** A page cursor: the version read and the last item's place, so every page reads the same version. */
export function encodeItemCursor(version: number, seq: number): string {
  return btoa(JSON.stringify([version, seq]))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

export function decodeItemCursor(cursor: string): { version: number; seq: number } {
  try {
    const value = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      value.every((part) => Number.isSafeInteger(part) && (part as number) >= 0)
    )
      return { version: value[0] as number, seq: value[1] as number };
  } catch {
    // falls through to the error below
  }
  throw new FlywheelError(
    'invalid_cursor',
    'The cursor is not one this server gave out; start again without it.',
  );
}

export function routeNotFound(request: FastifyRequest): FlywheelError {
  return new FlywheelError('route_not_found', `No endpoint ${request.method} ${request.url.split('?')[0]}.`);
}
