import { z } from 'zod';
import { entityIdSchema, isoTimeSchema, jsonDepthExceeds, jsonValueSchema, maxJsonDepth } from './ingest.js';
import { actorSchema } from './prompts.js';

/**
 * Last words of dataset paths in the REST API (`/api/datasets/<name>/items`, `/export`, …).
 * No segment of a dataset name may be one of them, so every path reads one way only.
 */
export const datasetPathWords = ['items', 'versions', 'export', 'from-traces'] as const;

/** Items one request may add (`POST …/items`, `POST …/from-traces`); larger ones are refused with 413. */
export const maxDatasetItemsPerRequest = 5_000;

/**
 * A dataset's name: segments of letters, digits and `_ . -` joined by `/` (folders), e.g.
 * `support/golden`.
 */
export const datasetNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*$/,
    'must be segments of letters, digits and _ . - (each starting with a letter or digit) joined by /, e.g. support/golden',
  )
  .refine(
    (name) => !name.split('/').some((segment) => (datasetPathWords as readonly string[]).includes(segment)),
    `no part of a dataset name may be one of ${datasetPathWords.join(', ')} (they are words of the API's paths)`,
  );

/**
 * An item's id: letters, digits and `. _ : -` (like trace ids), not only dots (`.` and `..` cannot
 * stand in a URL path).
 */
export const datasetItemIdSchema = entityIdSchema.refine(
  (id) => !/^\.+$/.test(id),
  'an item id may not consist of dots only',
);

const jsonObjectSchema = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  if (jsonDepthExceeds(value, maxJsonDepth))
    context.addIssue({ code: 'custom', message: `is nested deeper than ${maxJsonDepth} levels` });
});

/** `POST /api/datasets` */
export const createDatasetRequestSchema = z.strictObject({
  name: datasetNameSchema,
  description: z.string().max(10_000).nullable().optional(),
  metadata: jsonObjectSchema.optional(),
});
export type CreateDatasetRequest = z.infer<typeof createDatasetRequestSchema>;

/** `PATCH /api/datasets/<name>`: the fields given replace the stored ones; items are not touched. */
export const updateDatasetRequestSchema = z
  .strictObject({
    description: z.string().max(10_000).nullable().optional(),
    metadata: jsonObjectSchema.optional(),
  })
  .refine((value) => value.description !== undefined || value.metadata !== undefined, {
    message: 'give description or metadata (or both) to change',
  });
export type UpdateDatasetRequest = z.infer<typeof updateDatasetRequestSchema>;

/** What an item holds; an item is always replaced whole. */
const datasetItemContentShape = {
  /** The variables a prompt or task is run with. */
  input: jsonObjectSchema,
  /** What a good answer is (any JSON); null or left out: none. */
  expected_output: jsonValueSchema.optional(),
  metadata: jsonObjectSchema.optional(),
  /** The trace the item was taken from, if any. */
  source_trace_id: entityIdSchema.nullable().optional(),
  source_span_id: entityIdSchema.nullable().optional(),
};

/** `PUT /api/datasets/<name>/items/<id>`: the item's whole new content (created when the id is new). */
export const putDatasetItemRequestSchema = z.strictObject(datasetItemContentShape);
export type PutDatasetItemRequest = z.infer<typeof putDatasetItemRequestSchema>;

/**
 * One item of `POST /api/datasets/<name>/items`. Without `id` the server makes one. With an `id`
 * that exists, the item is replaced (an edit) when its content differs and left alone when it is
 * the same, so re-sending a batch is safe.
 */
export const datasetItemInputSchema = z.strictObject({
  id: datasetItemIdSchema.optional(),
  ...datasetItemContentShape,
});
export type DatasetItemInput = z.infer<typeof datasetItemInputSchema>;

/**
 * `POST /api/datasets/<name>/items`. The items are checked first: one bad item refuses the
 * request whole, naming it (`body.items.3.input`), and nothing is stored.
 */
export const addDatasetItemsRequestSchema = z.strictObject({
  items: z.array(datasetItemInputSchema).min(1, 'send at least one item'),
});
export type AddDatasetItemsRequest = z.infer<typeof addDatasetItemsRequestSchema>;

/** What happened to one item of a write. */
export const datasetItemStatusSchema = z.enum(['created', 'updated', 'unchanged', 'deleted']);
export type DatasetItemStatus = z.infer<typeof datasetItemStatusSchema>;

/** The answer to `POST …/items` and `PUT …/items/<id>`. */
export const datasetWriteSchema = z.object({
  /** The dataset's version after the write (the same as before when nothing changed). */
  version: z.number().int().nonnegative(),
  created: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  /** Per item, in request order. */
  items: z.array(z.object({ id: z.string(), status: datasetItemStatusSchema })),
});
export type DatasetWriteBody = z.infer<typeof datasetWriteSchema>;

/** A dataset as the API shows it. */
export const datasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  /** 0 for a new dataset; +1 for every write that changed its items. */
  version: z.number().int().nonnegative(),
  /** Items at the current version. */
  item_count: z.number().int().nonnegative(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type DatasetBody = z.infer<typeof datasetSchema>;

/** An item as the API (and `export`) shows it, at some version of its dataset. */
export const datasetItemSchema = z.object({
  id: z.string(),
  input: z.record(z.string(), z.unknown()),
  expected_output: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  source_trace_id: z.string().nullable(),
  source_span_id: z.string().nullable(),
  /** The dataset version that stored this content of the item. */
  version: z.number().int().positive(),
  /** When the item was first added. */
  created_at: z.string(),
  /** When this content of the item was stored. */
  updated_at: z.string(),
});
export type DatasetItemBody = z.infer<typeof datasetItemSchema>;

/** The answer to `PUT …/items/<id>`: the write, and the item as stored. */
export const datasetItemWriteSchema = datasetWriteSchema.extend({ item: datasetItemSchema });
export type DatasetItemWriteBody = z.infer<typeof datasetItemWriteSchema>;

/** One line of `GET …/export`: the item's content, ready to import again. */
export const datasetExportLineSchema = z.object({
  id: z.string(),
  input: z.record(z.string(), z.unknown()),
  expected_output: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  source_trace_id: z.string().nullable(),
  source_span_id: z.string().nullable(),
});
export type DatasetExportLine = z.infer<typeof datasetExportLineSchema>;

/** `GET /api/datasets` */
export const datasetListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});

/** `GET …/items`: one page of the items at `version` (default: the current one), in the order they were added. */
export const datasetItemsQuerySchema = z.strictObject({
  version: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** `next_cursor` of the previous page; it holds the version, so later pages read the same one. */
  cursor: z.string().max(200).optional(),
});

/** `GET …/items/<id>` and `GET …/export`. */
export const datasetVersionQuerySchema = z.strictObject({
  version: z.coerce.number().int().nonnegative().optional(),
});

/** The answer to `GET …/items`. */
export const datasetItemPageSchema = z.object({
  /** The version the page was read at. */
  version: z.number().int().nonnegative(),
  data: z.array(datasetItemSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
});
export type DatasetItemPageBody = z.infer<typeof datasetItemPageSchema>;

/** One version of a dataset: what its write changed. */
export const datasetVersionSchema = z.object({
  version: z.number().int().positive(),
  created: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  /** Items at this version. */
  item_count: z.number().int().nonnegative(),
  created_by: actorSchema,
  created_at: z.string(),
});
export type DatasetVersionBody = z.infer<typeof datasetVersionSchema>;

const listOf = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(',')).map((item) => item.trim()).filter(Boolean),
  );

/** Which traces `POST …/from-traces` takes: the filters of `GET /api/traces`, newest first. */
export const datasetTraceFilterSchema = z.strictObject({
  /** Start time at or after (ISO). */
  from: isoTimeSchema.optional(),
  /** Start time before (ISO). */
  to: isoTimeSchema.optional(),
  name: z.string().max(500).optional(),
  user_id: z.string().max(500).optional(),
  session_id: z.string().max(500).optional(),
  /** Every tag listed (a list, or comma-separated). */
  tags: listOf.optional(),
  /** Traces with a span on this model. */
  model: z.string().max(300).optional(),
  status: z.enum(['ok', 'error']).optional(),
  environment: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(maxDatasetItemsPerRequest).default(100),
});
export type DatasetTraceFilter = z.input<typeof datasetTraceFilterSchema>;

/**
 * `POST /api/datasets/<name>/from-traces`: one item per trace, its id the trace's id (so adding
 * a trace twice adds it once; an item that exists is left as it is, edits included).
 */
export const datasetFromTracesRequestSchema = z
  .strictObject({
    trace_ids: z.array(entityIdSchema).min(1).max(maxDatasetItemsPerRequest).optional(),
    filter: datasetTraceFilterSchema.optional(),
    /**
     * `trace_input` (default): the trace's input, else its first generation's. `generation_input`:
     * the first generation's input. An input that is not a JSON object becomes `{"input": …}`.
     */
    input_from: z.enum(['trace_input', 'generation_input']).default('trace_input'),
    /** `trace_output` (default): the trace's output, else its last generation's. `none`: null. */
    expected_from: z.enum(['trace_output', 'none']).default('trace_output'),
  })
  .refine((value) => (value.trace_ids === undefined) !== (value.filter === undefined), {
    message: 'give trace_ids or filter (one of them)',
  });
export type DatasetFromTracesRequest = z.input<typeof datasetFromTracesRequestSchema>;

/** What happened to one trace of `from-traces`. */
export const datasetTraceStatusSchema = z.enum(['created', 'exists', 'trace_not_found', 'no_input']);

/** The answer to `POST …/from-traces` (207 when some trace gave no item). */
export const datasetFromTracesSchema = z.object({
  version: z.number().int().nonnegative(),
  created: z.number().int().nonnegative(),
  exists: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  items: z.array(
    z.object({
      trace_id: z.string(),
      /** The item's id (the trace's), null when no item was made. */
      item_id: z.string().nullable(),
      status: datasetTraceStatusSchema,
      message: z.string().optional(),
    }),
  ),
});
export type DatasetFromTracesBody = z.infer<typeof datasetFromTracesSchema>;
