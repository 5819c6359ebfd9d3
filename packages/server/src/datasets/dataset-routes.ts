import type { DatasetActor, DatasetService, TraceQuery } from '@flywheel/core';
import {
  addDatasetItemsRequestSchema,
  createDatasetRequestSchema,
  datasetFromTracesRequestSchema,
  datasetItemsQuerySchema,
  datasetListQuerySchema,
  datasetVersionQuerySchema,
  FlywheelError,
  maxDatasetItemsPerRequest,
  putDatasetItemRequestSchema,
  updateDatasetRequestSchema,
} from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuthContext } from '../app/authenticate.js';
import { requireScope } from '../app/authenticate.js';
import { parseInput } from '../app/validation.js';
import { sendDatasetExport } from './dataset-export.js';
import { decodeItemCursor, encodeItemCursor, parseDatasetPath, routeNotFound } from './dataset-paths.js';
import {
  toDatasetBody,
  toDatasetFromTracesBody,
  toDatasetItemBody,
  toDatasetVersionBody,
  toDatasetWriteBody,
} from './dataset-views.js';

/** Options of {@link registerDatasetRoutes}. */
export interface DatasetRouteOptions {
  /** Largest body of `POST …/items` (a batch of up to 5,000 items), in bytes. */
  itemsBodyLimitBytes: number;
}

/**
 * Datasets' REST API:
 * `POST /api/datasets` create · `GET /api/datasets` list · `GET|PATCH|DELETE /api/datasets/<name>` ·
 * `POST|GET …/<name>/items` add (up to 5,000, one version) or page (`?version=`) ·
 * `GET|PUT|DELETE …/<name>/items/<id>` · `GET …/<name>/versions` · `GET …/<name>/export` (JSONL) ·
 * `POST …/<name>/from-traces`.
 */
export function registerDatasetRoutes(
  app: FastifyInstance,
  datasets: DatasetService,
  options: DatasetRouteOptions,
) {
  app.post('/api/datasets', async (request, reply) => {
    requireScope(request.auth, 'write');
    const input = parseInput(createDatasetRequestSchema, request.body, 'body');
    return reply.status(201).send(toDatasetBody(await datasets.create(request.auth.projectId, input)));
  });

  app.get('/api/datasets', async (request) => {
    requireScope(request.auth, 'read');
    const query = parseInput(datasetListQuerySchema, request.query, 'query');
    return { data: (await datasets.list(request.auth.projectId, query)).map(toDatasetBody) };
  });

  app.get('/api/datasets/*', async (request, reply) => {
    requireScope(request.auth, 'read');
    const path = parseDatasetPath(request);
    const { projectId } = request.auth;
    switch (path.kind) {
      case 'dataset':
        parseInput(z.strictObject({}), request.query, 'query');
        return toDatasetBody(await datasets.get(projectId, path.name));
      case 'items': {
        const query = parseInput(datasetItemsQuerySchema, request.query, 'query');
        const cursor = query.cursor === undefined ? undefined : decodeItemCursor(query.cursor);
        if (cursor && query.version !== undefined && cursor.version !== query.version) {
          throw new FlywheelError(
            'validation_failed',
            `Invalid request query: the cursor reads version ${cursor.version}, not ${query.version}; leave version out when you pass a cursor.`,
          );
        }
        const version = cursor?.version ?? query.version;
        const page = await datasets.listItems(projectId, path.name, {
          limit: query.limit + 1,
          ...(version === undefined ? {} : { version }),
          ...(cursor ? { afterSeq: cursor.seq } : {}),
        });
        const items = page.items.slice(0, query.limit);
        const last = items.at(-1);
        return {
          version: page.version,
          data: items.map(toDatasetItemBody),
          next_cursor:
            page.items.length > query.limit && last ? encodeItemCursor(page.version, last.seq) : null,
        };
      }
      case 'item': {
        const { version } = parseInput(datasetVersionQuerySchema, request.query, 'query');
        return toDatasetItemBody(await datasets.getItem(projectId, path.name, path.itemId, version));
      }
      case 'versions':
        return { data: (await datasets.versions(projectId, path.name)).map(toDatasetVersionBody) };
      case 'export': {
        const { version } = parseInput(datasetVersionQuerySchema, request.query, 'query');
        return sendDatasetExport(reply, datasets, projectId, path.name, version);
      }
      case 'from-traces':
        throw routeNotFound(request);
    }
  });

  app.post('/api/datasets/*', { bodyLimit: options.itemsBodyLimitBytes }, async (request, reply) => {
    requireScope(request.auth, 'write');
    const path = parseDatasetPath(request);
    const { projectId } = request.auth;
    if (path.kind === 'items') {
      const input = parseItems(request.body);
      const result = await datasets.addItems(projectId, path.name, input.items, actor(request.auth));
      return toDatasetWriteBody(result);
    }
    if (path.kind === 'from-traces') {
      const input = parseInput(datasetFromTracesRequestSchema, request.body, 'body');
      const { dataset, outcomes } = await datasets.fromTraces(
        projectId,
        path.name,
        input.trace_ids !== undefined
          ? { traceIds: input.trace_ids }
          : { filter: toTraceQuery(input.filter!) },
        { inputFrom: input.input_from, expectedFrom: input.expected_from },
        actor(request.auth),
      );
      const body = toDatasetFromTracesBody(dataset, outcomes);
      return reply.status(body.failed > 0 ? 207 : 200).send(body);
    }
    throw routeNotFound(request);
  });

  app.put('/api/datasets/*', async (request, reply) => {
    requireScope(request.auth, 'write');
    const path = parseDatasetPath(request);
    if (path.kind !== 'item') throw routeNotFound(request);
    const content = parseInput(putDatasetItemRequestSchema, request.body, 'body');
    const { result, item } = await datasets.putItem(
      request.auth.projectId,
      path.name,
      path.itemId,
      content,
      actor(request.auth),
    );
    const body = { ...toDatasetWriteBody(result), item: toDatasetItemBody(item) };
    return reply.status(body.created > 0 ? 201 : 200).send(body);
  });

  app.patch('/api/datasets/*', async (request) => {
    requireScope(request.auth, 'write');
    const path = parseDatasetPath(request);
    if (path.kind !== 'dataset') throw routeNotFound(request);
    const input = parseInput(updateDatasetRequestSchema, request.body, 'body');
    return toDatasetBody(await datasets.update(request.auth.projectId, path.name, input));
  });

  app.delete('/api/datasets/*', async (request, reply) => {
    requireScope(request.auth, 'write');
    const path = parseDatasetPath(request);
    const { projectId } = request.auth;
    if (path.kind === 'dataset') {
      await datasets.delete(projectId, path.name);
      return reply.status(204).send();
    }
    if (path.kind === 'item') {
      return toDatasetWriteBody(
        await datasets.deleteItem(projectId, path.name, path.itemId, actor(request.auth)),
      );
    }
    throw routeNotFound(request);
  });
}

function actor(auth: AuthContext): DatasetActor {
  return { keyId: auth.key.id, keyName: auth.key.name };
}

/**
 * The body of `POST …/items`. Too many items is a 413 before anything else is read; bad items
 * are named (the first few in the message, every one in `details`).
 */
function parseItems(body: unknown): z.output<typeof addDatasetItemsRequestSchema> {
  const items = (body as { items?: unknown } | null | undefined)?.items;
  if (Array.isArray(items) && items.length > maxDatasetItemsPerRequest) {
    throw new FlywheelError(
      'payload_too_large',
      `The request has ${items.length} items; send at most ${maxDatasetItemsPerRequest} per request (the CLI's import splits files into batches).`,
    );
  }
  const result = addDatasetItemsRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: ['body', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const shown = issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more (see details)`);
  throw new FlywheelError(
    'validation_failed',
    `Invalid request body: ${shown.join('; ')}. Nothing was stored.`,
    { details: issues.slice(0, 1000) },
  );
}

function toTraceQuery(
  filter: z.output<typeof datasetFromTracesRequestSchema>['filter'] & object,
): TraceQuery {
  const iso = (time: string) => new Date(time).toISOString();
  return {
    limit: filter.limit,
    ...(filter.from ? { from: iso(filter.from) } : {}),
    ...(filter.to ? { to: iso(filter.to) } : {}),
    ...(filter.name !== undefined ? { name: filter.name } : {}),
    ...(filter.user_id !== undefined ? { userId: filter.user_id } : {}),
    ...(filter.session_id !== undefined ? { sessionId: filter.session_id } : {}),
    ...(filter.tags && filter.tags.length > 0 ? { tags: filter.tags } : {}),
    ...(filter.model !== undefined ? { model: filter.model } : {}),
    ...(filter.status !== undefined ? { status: filter.status } : {}),
    ...(filter.environment !== undefined ? { environment: filter.environment } : {}),
  };
}
