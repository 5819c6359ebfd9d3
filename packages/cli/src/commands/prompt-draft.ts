import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  FlywheelError,
  latestLabel,
  type PromptConfig,
  type PromptTemplate,
  type PromptType,
  promptConfigSchema,
  promptLabelSchema,
  promptTypeSchema,
} from '@flywheel/spec';
import { parse as parseYaml } from 'yaml';
import type { CommandInput } from '../command.js';
import { parsePromptFile } from './prompt-files.js';
import { stringFlag } from './remote-options.js';

/** What `prompts create` saves, read from its flags and files. */
export interface PromptDraft {
  type: PromptType;
  template: PromptTemplate;
  config: PromptConfig;
}

/**
 * The template, type and config that `--file`/`--template`, `--type` and `--config` describe;
 * paths are relative to `cwd`.
 */
export async function readPromptDraft(input: CommandInput, cwd: string, name: string): Promise<PromptDraft> {
  const filePath = stringFlag(input, 'file');
  const inline = input.flags.template;
  if ((filePath === undefined) === (typeof inline !== 'string')) {
    throw new FlywheelError(
      'invalid_argument',
      'Give the template with --file <path> or --template <text> (one of them).',
    );
  }
  const rawType = stringFlag(input, 'type');
  const typeFlag = rawType === undefined ? undefined : promptTypeSchema.safeParse(rawType).data;
  if (rawType !== undefined && typeFlag === undefined) {
    throw new FlywheelError('invalid_argument', `--type must be text or chat, not '${rawType}'.`);
  }
  let draft: PromptDraft;
  if (filePath !== undefined) {
    const file = parsePromptFile(await readText(resolve(cwd, filePath), filePath), filePath, {
      ...(typeFlag === undefined ? {} : { defaultType: typeFlag }),
    });
    if (typeFlag !== undefined && file.type !== typeFlag) {
      throw new FlywheelError(
        'invalid_argument',
        `${filePath} says type ${file.type}, but --type is ${typeFlag}.`,
      );
    }
    if (file.name !== undefined && file.name !== name) {
      throw new FlywheelError('invalid_argument', `${filePath} is the prompt ${file.name}, not ${name}.`);
    }
    draft = { type: file.type, template: file.template, config: file.config };
  } else if (typeFlag === 'chat') {
    // The same blocks as in a file's body: `=== role ===` lines, each followed by its content.
    const file = parsePromptFile(`${inline as string}\n`, '--template', { defaultType: 'chat' });
    draft = { type: 'chat', template: file.template, config: file.config };
  } else {
    draft = { type: 'text', template: inline as string, config: {} };
  }
  const configPath = stringFlag(input, 'config');
  if (configPath !== undefined) draft.config = await readConfig(resolve(cwd, configPath), configPath);
  return draft;
}

async function readConfig(path: string, shown: string): Promise<PromptConfig> {
  let value: unknown;
  try {
    value = parseYaml(await readText(path, shown)) ?? {};
  } catch (error) {
    if (FlywheelError.is(error)) throw error;
    throw new FlywheelError(
      'validation_failed',
      `${shown} is not valid YAML or JSON: ${(error as Error).message}`,
    );
  }
  const parsed = promptConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FlywheelError(
      'validation_failed',
      `${shown}: ${issue.path.join('.') || 'config'}: ${issue.message} (allowed keys: ${Object.keys(promptConfigSchema.shape).join(', ')}).`,
    );
  }
  return parsed.data;
}

async function readText(path: string, shown: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new FlywheelError('invalid_argument', `Cannot read ${shown}: ${(error as Error).message}`);
  }
}

/** Labels from a repeatable `--label`, each possibly a comma list; `latest` is refused. */
export function labelList(raw: unknown): string[] {
  const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const labels = values
    .flatMap((value: string) => value.split(','))
    .map((label) => label.trim())
    .filter(Boolean);
  for (const label of labels) {
    if (label === latestLabel) {
      throw new FlywheelError(
        'invalid_argument',
        `--label ${latestLabel} is not needed: every save moves it.`,
      );
    }
    if (!promptLabelSchema.safeParse(label).success) {
      throw new FlywheelError(
        'invalid_argument',
        `--label '${label}' is not a label: 1–50 lower-case letters, digits or _ . - (e.g. staging).`,
      );
    }
  }
  return [...new Set(labels)];
}
