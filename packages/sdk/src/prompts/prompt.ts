import {
  compileTemplate,
  FlywheelError,
  type PromptConfig,
  type PromptMessage,
  type PromptType,
  type PromptVersionBody,
  promptConfigSchema,
  promptTemplateSchema,
  templateVariables,
} from '@flywheel/spec';
import { z } from 'zod';

/** Options of `compile`. */
export interface CompileOptions {
  /** Missing variables render as empty (and missing sections as false) instead of failing. */
  lenient?: boolean;
}

interface PromptFields {
  /** The prompt's name, e.g. `support/triage`. */
  readonly name: string;
  /** The version served; `null` when this is the fallback given to `getPrompt`. */
  readonly version: number | null;
  /** How the prompt is meant to be called (model, temperature, …); `{}` when nothing is set. */
  readonly config: Readonly<PromptConfig>;
  /** Labels pointing at this version when it was fetched; `[]` for a fallback. */
  readonly labels: readonly string[];
  /** Variables the template uses (root names, in order of first use). */
  readonly variables: readonly string[];
  /** Whether the server could not give the prompt and this is the fallback passed to `getPrompt`. */
  readonly isFallback: boolean;
}

/** A text prompt: one template string; `compile` returns a string. */
export interface TextPrompt extends PromptFields {
  readonly type: 'text';
  readonly template: string;
  /**
   * Renders the template with `variables` (see `compileTemplate` in `@flywheel/spec`). Values
   * are inserted as text and never rendered again. Throws `template_variables_missing` naming
   * every missing variable unless `lenient`, and `template_render_failed` for a function value.
   *
   * @example
   * prompt.compile({ ticket: 'My card was charged twice.' }); // 'Triage: My card was charged twice.'
   */
  compile(variables?: Record<string, unknown>, options?: CompileOptions): string;
}

/** A chat prompt: messages whose contents are templates; `compile` returns new messages. */
export interface ChatPrompt extends PromptFields {
  readonly type: 'chat';
  readonly template: readonly Readonly<PromptMessage>[];
  /**
   * Renders every message's content with `variables` (see `compileTemplate` in
   * `@flywheel/spec`), into a new array ready for a chat completion. Values are inserted as text
   * and never rendered again. Throws `template_variables_missing` naming every missing variable
   * (across all messages) unless `lenient`.
   *
   * @example
   * prompt.compile({ ticket: 'Refund?' }); // [{ role: 'system', content: '…' }, { role: 'user', content: 'Refund?' }]
   */
  compile(variables?: Record<string, unknown>, options?: CompileOptions): PromptMessage[];
}

/**
 * A prompt from the registry (or the fallback given to `getPrompt`), ready to compile. Check
 * `type` to narrow it: `compile` of a `TextPrompt` returns a string, of a `ChatPrompt` messages.
 *
 * @example
 * const prompt = await flywheel.getPrompt('support/triage');
 * const messages = prompt.type === 'chat' ? prompt.compile({ ticket }) : [{ role: 'user', content: prompt.compile({ ticket }) }];
 */
export type Prompt = TextPrompt | ChatPrompt;

/**
 * What `getPrompt` serves when the server cannot give the prompt: a text template, chat
 * messages, or either with a config.
 */
export type PromptFallback =
  | string
  | PromptMessage[]
  | { type: PromptType; template: string | PromptMessage[]; config?: PromptConfig };

/** Options of `client.getPrompt`. */
export interface GetPromptOptions {
  /** The label to serve (default `production`); ignored when `version` is given. */
  label?: string;
  /** A version number to serve instead of a label. */
  version?: number;
  /**
   * How long a fetched prompt is served without asking the server (default 60). Past it the
   * cached prompt is still served at once while one background request revalidates it. `0`:
   * revalidate (with `If-None-Match`, so usually a body-less 304) before every answer.
   */
  cacheTtlSeconds?: number;
  /**
   * Served when there is no cached prompt and the server cannot be reached, fails (5xx, 429,
   * timeout) or has no such prompt (404). Checked when used, so a broken fallback throws
   * `validation_failed` or `template_invalid` instead of being served.
   */
  fallback?: PromptFallback;
}

const fallbackSchema = z.union([
  promptTemplateSchema,
  z
    .strictObject({
      type: z.enum(['text', 'chat']),
      template: promptTemplateSchema,
      config: promptConfigSchema.optional(),
    })
    .refine((value) => (value.type === 'text') === (typeof value.template === 'string'), {
      message: "the template must be a string for type 'text' and a list of messages for type 'chat'",
    }),
]);

/** A prompt of a version the server sent. */
export function promptFromBody(body: PromptVersionBody): Prompt {
  return makePrompt({
    name: body.name,
    version: body.version,
    template: body.template,
    config: body.config,
    labels: body.labels,
    variables: body.variables,
    isFallback: false,
  });
}

/**
 * The prompt `getPrompt` serves for `fallback`. Throws `validation_failed` for a malformed
 * fallback and `template_invalid` for one that does not parse.
 */
export function promptFromFallback(name: string, fallback: PromptFallback): Prompt {
  const parsed = fallbackSchema.safeParse(fallback);
  if (!parsed.success) {
    throw new FlywheelError(
      'validation_failed',
      `The fallback of prompt '${name}' is not a template: ${parsed.error.issues[0]?.message ?? 'unknown shape'}.`,
      { details: parsed.error.issues },
    );
  }
  const value = parsed.data;
  const { template, config } =
    typeof value === 'string' || Array.isArray(value) ? { template: value, config: {} } : value;
  return makePrompt({
    name,
    version: null,
    template,
    config: config ?? {},
    labels: [],
    variables: templateVariables(template),
    isFallback: true,
  });
}

function makePrompt(fields: PromptFields & { template: string | PromptMessage[] }): Prompt {
  // A cached prompt is shared by every caller of getPrompt: freezing it keeps one caller's
  // mutation from changing what the others are served.
  const template = deepFreeze(structuredClone(fields.template));
  const base = {
    name: fields.name,
    version: fields.version,
    config: deepFreeze(structuredClone(fields.config)),
    labels: Object.freeze([...fields.labels]),
    variables: Object.freeze([...fields.variables]),
    isFallback: fields.isFallback,
  };
  if (typeof template === 'string') {
    return Object.freeze({
      ...base,
      type: 'text' as const,
      template,
      compile: (variables: Record<string, unknown> = {}, options: CompileOptions = {}) =>
        compileTemplate(template, variables, { lenient: options.lenient ?? false }) as string,
    });
  }
  return Object.freeze({
    ...base,
    type: 'chat' as const,
    template,
    compile: (variables: Record<string, unknown> = {}, options: CompileOptions = {}) =>
      compileTemplate(template, variables, { lenient: options.lenient ?? false }) as PromptMessage[],
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
