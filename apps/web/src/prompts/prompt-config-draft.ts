import { type PromptConfig, promptConfigSchema } from '@flywheel/spec';

/** The model config as the editor's fields hold it: the common settings as typed, the rest as JSON. */
export interface ConfigDraft {
  model: string;
  temperature: string;
  maxTokens: string;
  topP: string;
  /** Every other setting (stop, seed, penalties, response_format, tools, tool_choice) as a JSON object. */
  more: string;
}

/** The fields of a saved config. */
export function draftFromConfig(config: PromptConfig): ConfigDraft {
  const { model, temperature, max_tokens, top_p, ...more } = config;
  return {
    model: model ?? '',
    temperature: temperature === undefined ? '' : String(temperature),
    maxTokens: max_tokens === undefined ? '' : String(max_tokens),
    topP: top_p === undefined ? '' : String(top_p),
    more: Object.keys(more).length === 0 ? '' : JSON.stringify(more, null, 2),
  };
}

/**
 * The config the fields make, checked by the API's own schema, or what is wrong with it (one
 * sentence per problem, naming the field).
 *
 * @example
 * configFromDraft({ model: 'chat-default', temperature: '0.2', maxTokens: '', topP: '', more: '{"seed": 7}' });
 * // { ok: true, config: { model: 'chat-default', temperature: 0.2, seed: 7 } }
 */
export function configFromDraft(
  draft: ConfigDraft,
): { ok: true; config: PromptConfig } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  if (draft.more.trim() !== '') {
    let more: unknown;
    try {
      more = JSON.parse(draft.more);
    } catch (error) {
      problems.push(`More settings is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (more !== undefined) {
      if (typeof more !== 'object' || more === null || Array.isArray(more)) {
        problems.push('More settings must be a JSON object, e.g. {"seed": 7}.');
      } else {
        for (const field of ['model', 'temperature', 'max_tokens', 'top_p'])
          if (field in more) problems.push(`Set ${field} in its own field, not in More settings.`);
        Object.assign(config, more);
      }
    }
  }
  if (draft.model.trim() !== '') config.model = draft.model.trim();
  const numbers: Array<[keyof ConfigDraft, string, string]> = [
    ['temperature', 'temperature', 'Temperature'],
    ['maxTokens', 'max_tokens', 'Max tokens'],
    ['topP', 'top_p', 'Top p'],
  ];
  for (const [key, field, label] of numbers) {
    const text = draft[key].trim();
    if (text === '') continue;
    const value = Number(text);
    if (!Number.isFinite(value)) problems.push(`${label} must be a number.`);
    else config[field] = value;
  }
  if (problems.length > 0) return { ok: false, problems };
  const parsed = promptConfigSchema.safeParse(config);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const path = issue.path.map(String).join('.');
        return path === '' ? issue.message : `${path}: ${issue.message}`;
      }),
    };
  }
  return { ok: true, config: parsed.data };
}
