import { z } from 'zod';
import { jsonDepthExceeds, maxJsonDepth } from './ingest.js';

/** Results per `POST /api/experiments/:id/results` request. */
export const maxExperimentResultsPerRequest = 1_000;

const jsonObjectSchema = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  if (jsonDepthExceeds(value, maxJsonDepth))
    context.addIssue({ code: 'custom', message: `is nested deeper than ${maxJsonDepth} levels` });
});

/** An experiment's id, `exp_…`. */
export const experimentIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be an experiment id such as exp_2k9x…');

/** The prompt × model combinations an experiment ran, as reports name them. */
export const experimentTargetSchema = z.strictObject({
  prompt_id: z.string().min(1).max(500),
  prompt_label: z.string().max(500),
  provider_id: z.string().min(1).max(500),
  provider_label: z.string().max(500),
  /** The registry version the prompt was resolved to. */
  prompt_ref: z
    .strictObject({ name: z.string(), version: z.number().int().positive() })
    .nullable()
    .optional(),
});
export type ExperimentTargetBody = z.infer<typeof experimentTargetSchema>;

/** `POST /api/experiments`: starts recording a run. */
export const createExperimentRequestSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  targets: z.array(experimentTargetSchema).min(1).max(1000),
  /** The dataset states the run read, so later edits do not rewrite what it ran on. */
  datasets: z
    .array(z.strictObject({ name: z.string().min(1).max(200), version: z.number().int().nonnegative() }))
    .max(100)
    .optional(),
  /** Free-form: git commit, CI job, suite file. */
  metadata: jsonObjectSchema.optional(),
});
export type CreateExperimentRequest = z.infer<typeof createExperimentRequestSchema>;

const assertionOutcomeSchema = z.strictObject({
  type: z.string().max(200),
  metric: z.string().max(200).optional(),
  result: z.union([
    z.strictObject({ status: z.literal('scored'), pass: z.boolean(), score: z.number(), reason: z.string() }),
    z.strictObject({ status: z.literal('skipped'), reason: z.string() }),
    z.strictObject({
      status: z.literal('errored'),
      error: z.strictObject({ code: z.string(), message: z.string() }),
    }),
  ]),
});

/** One result of a run: a case × prompt × model × repeat. Re-sending the same one replaces it. */
export const experimentResultSchema = z.strictObject({
  case_key: z.string().min(1).max(500),
  case_index: z.number().int().nonnegative(),
  repeat: z.number().int().nonnegative(),
  prompt_id: z.string().min(1).max(500),
  provider_id: z.string().min(1).max(500),
  vars: jsonObjectSchema,
  output: z.string().nullable(),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  status: z.enum(['passed', 'failed', 'errored']),
  score: z.number().min(0).max(1),
  assertions: z.array(assertionOutcomeSchema).max(200),
  input_tokens: z.number().int().nonnegative().nullable(),
  output_tokens: z.number().int().nonnegative().nullable(),
  cost: z.number().nonnegative().nullable(),
  latency_ms: z.number().nonnegative().nullable(),
  trace_id: z.string().max(200).nullable(),
  cached: z.boolean(),
});
export type ExperimentResultBody = z.infer<typeof experimentResultSchema>;

/** `POST /api/experiments/:id/results` */
export const appendExperimentResultsRequestSchema = z.strictObject({
  results: z.array(experimentResultSchema).min(1).max(maxExperimentResultsPerRequest),
});

/** `POST /api/experiments/:id/finish` */
export const finishExperimentRequestSchema = z.strictObject({
  status: z.enum(['completed', 'cancelled', 'failed']),
  summary: jsonObjectSchema.optional(),
});

/** An experiment as the API shows it. */
export const experimentSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(['running', 'completed', 'cancelled', 'failed']),
  targets: z.array(experimentTargetSchema),
  datasets: z.array(z.object({ name: z.string(), version: z.number() })),
  metadata: z.record(z.string(), z.unknown()),
  summary: z.record(z.string(), z.unknown()).nullable(),
  result_count: z.number().int().nonnegative(),
  created_by: z.object({ key_id: z.string(), key_name: z.string() }),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type ExperimentBody = z.infer<typeof experimentSchema>;

/** `GET /api/experiments` */
export const experimentListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  name: z.string().min(1).max(200).optional(),
  status: z.enum(['running', 'completed', 'cancelled', 'failed']).optional(),
});

/** `GET /api/experiments/:id/results` */
export const experimentResultsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  /** `next_cursor` of the previous page. */
  cursor: z.string().max(100).optional(),
});

/** `GET /api/experiments/:a/compare/:b` options. */
export const compareExperimentsQuerySchema = z.strictObject({
  /** Significance level of the pass/fail test (default 0.05). */
  alpha: z.coerce.number().gt(0).lt(1).default(0.05),
  /** Per-case changes listed per target (default 50). */
  max_changes: z.coerce.number().int().min(0).max(1000).default(50),
});

const verdictSchema = z.enum(['improved', 'regressed', 'no_significant_change']);

/** A metric compared by a paired test. */
const metricComparisonSchema = z.object({
  metric: z.string(),
  n: z.number().int().nonnegative(),
  a: z.number().nullable(),
  b: z.number().nullable(),
  delta: z.number(),
  /** McNemar's exact p-value for pass/fail metrics. */
  p_value: z.number().optional(),
  /** Paired bootstrap 95% interval of the mean difference for scores. */
  low: z.number().optional(),
  high: z.number().optional(),
  verdict: verdictSchema,
});
export type MetricComparisonBody = z.infer<typeof metricComparisonSchema>;

/** One case that changed between the runs. */
const caseChangeSchema = z.object({
  case_key: z.string(),
  repeat: z.number().int(),
  vars: z.record(z.string(), z.unknown()),
  a: z.object({ status: z.string(), score: z.number(), output: z.string().nullable() }),
  b: z.object({ status: z.string(), score: z.number(), output: z.string().nullable() }),
});

/** `GET /api/experiments/:a/compare/:b` */
export const experimentComparisonSchema = z.object({
  a: z.object({ id: z.string(), name: z.string() }),
  b: z.object({ id: z.string(), name: z.string() }),
  targets: z.array(
    z.object({
      a: z.object({ prompt_id: z.string(), provider_id: z.string() }),
      b: z.object({ prompt_id: z.string(), provider_id: z.string() }),
      pairs: z.number().int().nonnegative(),
      unpaired: z.object({ a: z.number().int(), b: z.number().int() }),
      metrics: z.array(metricComparisonSchema),
      verdict: verdictSchema,
      broke: z.array(caseChangeSchema),
      fixed: z.array(caseChangeSchema),
      broke_count: z.number().int().nonnegative(),
      fixed_count: z.number().int().nonnegative(),
    }),
  ),
  verdict: verdictSchema,
});
export type ExperimentComparisonBody = z.infer<typeof experimentComparisonSchema>;
