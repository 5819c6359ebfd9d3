import {
  type AddDatasetItemsRequest,
  type CreateDatasetRequest,
  type DatasetBody,
  type DatasetExportLine,
  type DatasetFromTracesBody,
  type DatasetFromTracesRequest,
  type DatasetItemBody,
  type DatasetItemPageBody,
  type DatasetItemWriteBody,
  type DatasetVersionBody,
  type DatasetWriteBody,
  datasetExportLineSchema,
  datasetFromTracesSchema,
  datasetItemPageSchema,
  datasetItemSchema,
  datasetItemWriteSchema,
  datasetSchema,
  datasetVersionSchema,
  datasetWriteSchema,
  type FetchAnswer,
  FlywheelError,
  listSchema,
  type PutDatasetItemRequest,
  type UpdateDatasetRequest,
} from '@flywheel/spec';
import { z } from 'zod';

/** A streamed export: the version it reads, how many items it holds, and the items. */
export interface DatasetExport {
  version: number;
  itemCount: number;
  /**
   * The items, one per line of the answer, read as they arrive. Throws `server_unreachable` when
   * the answer ends before `itemCount` items (a cut connection): export again.
   */
  items: AsyncIterable<DatasetExportLine>;
}

/**
 * Datasets' REST API (`client.datasets`). Each method is one request (`export` streams one).
 *
 * @example
 * await flywheel.datasets.create({ name: 'support/golden' });
 * const { version } = await flywheel.datasets.addItems('support/golden', {
 *   items: [{ input: { ticket: 'Where is my refund?' }, expected_output: 'billing' }],
 * });
 * for await (const item of (await flywheel.datasets.export('support/golden', { version })).items) console.log(item);
 */
export interface DatasetApi {
  /** Creates an empty dataset (version 0). */
  create(input: CreateDatasetRequest): Promise<DatasetBody>;
  /** Every dataset of the project, by name. */
  list(): Promise<DatasetBody[]>;
  get(name: string): Promise<DatasetBody>;
  /** Replaces the description and/or metadata; items and version stay. */
  update(name: string, input: UpdateDatasetRequest): Promise<DatasetBody>;
  /** Deletes the dataset with all its items and versions. */
  delete(name: string): Promise<void>;
  /**
   * Adds (or, for ids that exist with other content, replaces) up to 5,000 items as one new
   * version; items already there unchanged are reported `unchanged`, so re-sending is safe.
   */
  addItems(name: string, input: AddDatasetItemsRequest): Promise<DatasetWriteBody>;
  /** One page of the items at `version` (default: current); pass `next_cursor` back as `cursor`. */
  listItems(
    name: string,
    options?: { version?: number; limit?: number; cursor?: string },
  ): Promise<DatasetItemPageBody>;
  /** One item, at `version` (default: current). */
  getItem(name: string, itemId: string, options?: { version?: number }): Promise<DatasetItemBody>;
  /** Creates or replaces one item (a new version unless nothing changed). */
  updateItem(name: string, itemId: string, input: PutDatasetItemRequest): Promise<DatasetItemWriteBody>;
  /** Deletes one item (a new version). */
  deleteItem(name: string, itemId: string): Promise<DatasetWriteBody>;
  /** Every version: what each write changed, newest first. */
  versions(name: string): Promise<DatasetVersionBody[]>;
  /** One item per trace (its id the trace's); unknown traces are reported, not fatal. */
  fromTraces(name: string, input: DatasetFromTracesRequest): Promise<DatasetFromTracesBody>;
  /** Streams the items at `version` (default: current) as JSON Lines. */
  export(name: string, options?: { version?: number }): Promise<DatasetExport>;
}

/** How the dataset API reaches the server; provided by `createFlywheelClient`. */
export interface DatasetTransport {
  call<T extends z.ZodType>(
    schema: T,
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | undefined>,
  ): Promise<z.output<T>>;
  /** Opens a streamed answer (after a 2xx); non-2xx answers throw their FlywheelError. */
  stream(path: string, query: Record<string, string | undefined>): Promise<FetchAnswer>;
  /** Longest wait for the next chunk of a streamed answer, in ms. */
  idleTimeoutMs: number;
}

/**
 * The path of a dataset, or of something under it. Names hold `/` (folders), which stay path
 * separators; everything else in each segment is percent-encoded.
 *
 * @example
 * datasetPath('support/golden', 'items', 'a:1'); // '/api/datasets/support/golden/items/a%3A1'
 */
export function datasetPath(name: string, ...rest: string[]): string {
  return `/api/datasets/${[...name.split('/'), ...rest].map(encodeURIComponent).join('/')}`;
}

export function createDatasetApi(transport: DatasetTransport): DatasetApi {
  const { call } = transport;
  const noBody = z.unknown().transform((): void => undefined);
  const version = (value: number | undefined) => (value === undefined ? undefined : String(value));
  return {
    create: (input) => call(datasetSchema, 'POST', '/api/datasets', input),
    list: async () => (await call(listSchema(datasetSchema), 'GET', '/api/datasets')).data,
    get: (name) => call(datasetSchema, 'GET', datasetPath(name)),
    update: (name, input) => call(datasetSchema, 'PATCH', datasetPath(name), input),
    delete: (name) => call(noBody, 'DELETE', datasetPath(name)),
    addItems: (name, input) => call(datasetWriteSchema, 'POST', datasetPath(name, 'items'), input),
    listItems: (name, options = {}) =>
      call(datasetItemPageSchema, 'GET', datasetPath(name, 'items'), undefined, {
        version: version(options.version),
        limit: options.limit === undefined ? undefined : String(options.limit),
        cursor: options.cursor,
      }),
    getItem: (name, itemId, options = {}) =>
      call(datasetItemSchema, 'GET', datasetPath(name, 'items', itemId), undefined, {
        version: version(options.version),
      }),
    updateItem: (name, itemId, input) =>
      call(datasetItemWriteSchema, 'PUT', datasetPath(name, 'items', itemId), input),
    deleteItem: (name, itemId) => call(datasetWriteSchema, 'DELETE', datasetPath(name, 'items', itemId)),
    versions: async (name) =>
      (await call(listSchema(datasetVersionSchema), 'GET', datasetPath(name, 'versions'))).data,
    fromTraces: (name, input) =>
      call(datasetFromTracesSchema, 'POST', datasetPath(name, 'from-traces'), input),
    async export(name, options = {}) {
      const path = datasetPath(name, 'export');
      const response = await transport.stream(path, { version: version(options.version) });
      const exportVersion = Number(response.headers.get('x-flywheel-dataset-version'));
      const itemCount = Number(response.headers.get('x-flywheel-item-count'));
      return {
        version: exportVersion,
        itemCount,
        items: readExport(response, path, itemCount, transport.idleTimeoutMs),
      };
    },
  };
}

async function* readExport(
  response: FetchAnswer,
  path: string,
  expected: number,
  idleTimeoutMs: number,
): AsyncGenerator<DatasetExportLine> {
  let count = 0;
  for await (const line of readLines(response, idleTimeoutMs, path)) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new FlywheelError(
        'internal_error',
        `Line ${count + 1} of the answer to GET ${path} is not JSON.`,
      );
    }
    const parsed = datasetExportLineSchema.safeParse(json);
    if (!parsed.success) {
      throw new FlywheelError(
        'internal_error',
        `Line ${count + 1} of the answer to GET ${path} is not an item.`,
        {
          details: parsed.error.issues,
        },
      );
    }
    count += 1;
    yield parsed.data;
  }
  if (Number.isFinite(expected) && count < expected) {
    throw new FlywheelError(
      'server_unreachable',
      `The export of GET ${path} ended after ${count} of ${expected} items (the connection was cut); export again.`,
    );
  }
}

/** The lines of a streamed answer; waits at most `idleTimeoutMs` for each chunk. */
async function* readLines(
  response: FetchAnswer,
  idleTimeoutMs: number,
  path: string,
): AsyncGenerator<string> {
  const body = response.body;
  if (!body) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new FlywheelError(
                'server_unreachable',
                `The answer to GET ${path} stopped arriving (nothing for ${idleTimeoutMs} ms); export again.`,
              ),
            ),
          idleTimeoutMs,
        );
      });
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await Promise.race([reader.read(), idle]);
      } catch (error) {
        if (FlywheelError.is(error)) throw error;
        throw new FlywheelError(
          'server_unreachable',
          `The answer to GET ${path} was cut off; export again.`,
          {
            cause: error,
          },
        );
      } finally {
        clearTimeout(timer);
      }
      if (chunk.done) break;
      pending += decoder.decode(chunk.value, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      yield* lines;
    }
    pending += decoder.decode();
    if (pending !== '') yield pending;
  } finally {
    // Stops the download when the caller breaks out of the loop early.
    await reader.cancel().catch(() => undefined);
  }
}
