import { z } from 'zod';
import { jsonDepthExceeds, maxJsonDepth } from './ingest.js';

/**
 * Last words of prompt paths in the REST API (`/api/prompts/<name>/diff`, `/labels/<label>`, …).
 * No segment of a prompt name may be one of them, so every path reads one way only.
 */
export const promptPathWords = ['diff', 'versions', 'labels', 'audit'] as const;

/** Largest template: a text template, or the sum of a chat template's message contents. */
export const maxTemplateChars = 200_000;

/**
 * A prompt's name: segments of letters, digits and `_ . -` joined by `/` (folders), e.g.
 * `support/triage`.
 */
export const promptNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*$/,
    'must be segments of letters, digits and _ . - (each starting with a letter or digit) joined by /, e.g. support/triage',
  )
  .refine(
    (name) => !name.split('/').some((segment) => (promptPathWords as readonly string[]).includes(segment)),
    `no part of a prompt name may be one of ${promptPathWords.join(', ')} (they are words of the API's paths)`,
  );

/** A label: lower-case letters, digits and `_ . -`, e.g. `production`, `staging`, `exp-b`. */
export const promptLabelSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,49}$/,
    'must be 1–50 lower-case letters, digits or _ . - starting with a letter or digit, e.g. production',
  );

/** The label every save moves to the new version; it cannot be moved by hand. */
export const latestLabel = 'latest';

/** `text`: one template string. `chat`: a list of messages, each with a template as content. */
export const promptTypeSchema = z.enum(['text', 'chat']);
export type PromptType = z.infer<typeof promptTypeSchema>;

/** Roles a chat template's message may have. */
export const promptMessageRoleSchema = z.enum(['system', 'developer', 'user', 'assistant']);

/** One message of a chat template; `content` is a template. */
export const promptMessageSchema = z.strictObject({
  role: promptMessageRoleSchema,
  content: z.string().max(maxTemplateChars),
});
export type PromptMessage = z.infer<typeof promptMessageSchema>;

/** A template: a string (`text`) or a list of messages (`chat`). */
export const promptTemplateSchema = z.union([
  z.string().max(maxTemplateChars),
  z.array(promptMessageSchema).min(1, 'a chat template needs at least one message').max(200),
]);
export type PromptTemplate = z.infer<typeof promptTemplateSchema>;

const jsonObjectSchema = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  if (jsonDepthExceeds(value, maxJsonDepth))
    context.addIssue({ code: 'custom', message: `is nested deeper than ${maxJsonDepth} levels` });
});

/**
 * How a prompt is called. The gateway applies it under the request's own fields (a field the
 * request sets wins).
 */
export const promptConfigSchema = z.strictObject({
  /** A model alias of the gateway, e.g. `chat-default`. */
  model: z.string().min(1).max(200).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().positive().max(10_000_000).optional(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).optional(),
  seed: z.number().int().optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  /** OpenAI's `response_format`, e.g. `{ "type": "json_schema", "json_schema": {…} }`. */
  response_format: jsonObjectSchema.optional(),
  /** OpenAI-style tool definitions. */
  tools: z.array(jsonObjectSchema).max(128).optional(),
  tool_choice: z.union([z.string(), jsonObjectSchema]).optional(),
});
export type PromptConfig = z.infer<typeof promptConfigSchema>;

/**
 * `POST /api/prompts`: saves a new immutable version (creating the prompt on its first save).
 *
 * `base_version` makes the save conditional: it succeeds only while the prompt's newest
 * version is that one (`null`: only while the prompt does not exist yet). GitOps pushes use it.
 */
export const createPromptVersionRequestSchema = z
  .strictObject({
    name: promptNameSchema,
    type: promptTypeSchema,
    template: promptTemplateSchema,
    config: promptConfigSchema.optional(),
    commit_message: z.string().max(2000).optional(),
    /** Labels to point at the new version (besides `latest`, which always moves). */
    labels: z.array(promptLabelSchema).max(20).optional(),
    base_version: z.number().int().positive().nullable().optional(),
  })
  .superRefine((value, context) => {
    const isText = typeof value.template === 'string';
    if (isText !== (value.type === 'text')) {
      context.addIssue({
        code: 'custom',
        path: ['template'],
        message:
          value.type === 'text'
            ? 'a text prompt needs a string template'
            : 'a chat prompt needs a list of {role, content} messages as its template',
      });
    }
    if (
      Array.isArray(value.template) &&
      value.template.reduce((sum, message) => sum + message.content.length, 0) > maxTemplateChars
    ) {
      context.addIssue({
        code: 'custom',
        path: ['template'],
        message: `the messages' contents add up to more than ${maxTemplateChars} characters`,
      });
    }
    if (value.labels?.includes(latestLabel)) {
      context.addIssue({
        code: 'custom',
        path: ['labels'],
        message: `'${latestLabel}' always points at the newest version; leave it out`,
      });
    }
  });
export type CreatePromptVersionRequest = z.infer<typeof createPromptVersionRequestSchema>;

/** Who did something: the API key's id and its name at the time. */
export const actorSchema = z.object({ key_id: z.string(), key_name: z.string() });

/** One immutable version of a prompt. */
export const promptVersionSchema = z.object({
  name: z.string(),
  type: promptTypeSchema,
  version: z.number().int().positive(),
  template: promptTemplateSchema,
  config: promptConfigSchema,
  commit_message: z.string().nullable(),
  /** Variables the template uses, in order of first use. */
  variables: z.array(z.string()),
  /** Labels that point at this version now. */
  labels: z.array(z.string()),
  created_by: actorSchema,
  created_at: z.string(),
});
export type PromptVersionBody = z.infer<typeof promptVersionSchema>;

/** A prompt in a list: its newest version and where its labels point. */
export const promptSummarySchema = z.object({
  name: z.string(),
  type: promptTypeSchema,
  latest_version: z.number().int().positive(),
  /** label → version. */
  labels: z.record(z.string(), z.number().int().positive()),
  created_at: z.string(),
  updated_at: z.string(),
});
export type PromptSummaryBody = z.infer<typeof promptSummarySchema>;

/** `GET /api/prompts` */
export const promptListQuerySchema = z.strictObject({
  /** Only prompts in this folder (name prefix up to a `/`), e.g. `support`. */
  folder: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});

/** `GET /api/prompts/<name>`: `label` (default `production`) or `version`, not both. */
export const getPromptQuerySchema = z
  .strictObject({
    label: promptLabelSchema.optional(),
    version: z.coerce.number().int().positive().optional(),
  })
  .refine((value) => value.label === undefined || value.version === undefined, {
    message: 'give label or version, not both',
  });

/** `PUT /api/prompts/<name>/labels/<label>` */
export const moveLabelRequestSchema = z.strictObject({ version: z.number().int().positive() });

/** One move of a label (the audit trail). `from_version` null: the label was new; `to_version` null: removed. */
export const labelMoveSchema = z.object({
  label: z.string(),
  from_version: z.number().int().positive().nullable(),
  to_version: z.number().int().positive().nullable(),
  moved_by: actorSchema,
  moved_at: z.string(),
});
export type LabelMoveBody = z.infer<typeof labelMoveSchema>;

/** `GET /api/prompts/<name>/diff?from=&to=`: a version number or a label each. */
export const promptDiffQuerySchema = z.strictObject({
  from: z.string().min(1).max(50),
  to: z.string().min(1).max(50),
});

/** One line of a template diff; line numbers are 1-based, null on the side that lacks the line. */
export const diffLineSchema = z.object({
  op: z.enum(['equal', 'add', 'remove']),
  text: z.string(),
  from_line: z.number().int().positive().nullable(),
  to_line: z.number().int().positive().nullable(),
});
export type DiffLineBody = z.infer<typeof diffLineSchema>;

/** One changed config field; `path` is dotted (`response_format.json_schema.name`). */
export const configChangeSchema = z.object({
  path: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
});
export type ConfigChangeBody = z.infer<typeof configChangeSchema>;

/** `GET /api/prompts/<name>/diff` */
export const promptDiffSchema = z.object({
  name: z.string(),
  from: z.object({ version: z.number().int().positive() }),
  to: z.object({ version: z.number().int().positive() }),
  /** Chat templates are compared as text: a `=== role ===` line opens each message. */
  template: z.object({
    lines: z.array(diffLineSchema),
    added: z.number().int().nonnegative(),
    removed: z.number().int().nonnegative(),
  }),
  config: z.array(configChangeSchema),
});
export type PromptDiffBody = z.infer<typeof promptDiffSchema>;

/** `GET`/`PUT /api/prompt-settings`: labels only `admin` keys may move. */
export const promptSettingsSchema = z.strictObject({
  protected_labels: z.array(promptLabelSchema).max(50),
});
export type PromptSettingsBody = z.infer<typeof promptSettingsSchema>;
