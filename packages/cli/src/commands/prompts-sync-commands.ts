import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FlywheelClient } from '@flywheel/sdk';
import { FlywheelError, latestLabel, type PromptVersionBody } from '@flywheel/spec';
import type { CliIo, CommandDefinition } from '../command.js';
import {
  type PromptFile,
  parsePromptFile,
  promptFileExtension,
  serializePromptFile,
  setPromptFileVersion,
} from './prompt-files.js';
import { remoteOptions, stringFlag, withRemote } from './remote-options.js';

export const promptsPullCommand: CommandDefinition = {
  path: ['prompts', 'pull'],
  summary: 'Write every prompt to <dir>/<name>.prompt.md, to edit and push back.',
  usage: 'prompts pull <dir> [options]',
  description:
    "Writes each prompt's latest version (or the version --label points at) to <dir>/<name>.prompt.md; a / in a name becomes a folder. Existing files of the same prompts are overwritten; nothing is removed. The version in each file's front matter is what 'flywheel prompts push' checks the server against.",
  options: {
    folder: {
      type: 'string',
      valueName: 'folder',
      description: 'Only prompts in this folder, e.g. support.',
    },
    label: {
      type: 'string',
      valueName: 'label',
      description: 'Write the version this label points at (default latest); prompts without it are skipped.',
    },
    json: { type: 'boolean', description: 'Print what was written as JSON.' },
    ...remoteOptions,
  },
  positionals: { names: ['dir'], min: 1 },
  examples: [
    ['flywheel prompts pull prompts', 'Every prompt into ./prompts, e.g. prompts/support/triage.prompt.md.'],
    [
      'flywheel prompts pull prompts --folder support --label production',
      'What support/… runs in production.',
    ],
  ],
  async run(input, io) {
    const dir = input.positionals[0]!;
    const folder = stringFlag(input, 'folder');
    const label = stringFlag(input, 'label') ?? latestLabel;
    return withRemote(input, io, async (client) => {
      const prompts = await client.prompts.list(folder === undefined ? {} : { folder });
      const written: Array<{ name: string; version: number; file: string }> = [];
      const skipped: Array<{ name: string; reason: string }> = [];
      for (const prompt of prompts) {
        if (prompt.labels[label] === undefined) {
          skipped.push({ name: prompt.name, reason: `no '${label}' label` });
          continue;
        }
        const version = await client.prompts.get(prompt.name, { label });
        const shown = join(dir, `${prompt.name}${promptFileExtension}`);
        const path = resolve(io.cwd, shown);
        // Names are validated by the server; this keeps a surprising one from escaping <dir>.
        if (relative(resolve(io.cwd, dir), path).startsWith('..')) {
          throw new FlywheelError(
            'validation_failed',
            `The prompt name ${prompt.name} would be written outside ${dir}.`,
          );
        }
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, serializePromptFile(toPromptFile(version)));
        written.push({ name: prompt.name, version: version.version, file: shown });
        if (!input.flags.json) io.stdout(`wrote ${shown} (${prompt.name} version ${version.version})\n`);
      }
      if (input.flags.json) {
        io.stdout(`${JSON.stringify({ written, skipped })}\n`);
        return 0;
      }
      for (const skip of skipped) io.stdout(`skipped ${skip.name}: ${skip.reason}\n`);
      io.stdout(
        prompts.length === 0
          ? `No prompts${folder === undefined ? '' : ` in ${folder}/`} to pull.\n`
          : `Pulled ${written.length} prompt${written.length === 1 ? '' : 's'} into ${dir}.\n`,
      );
      return 0;
    });
  },
};

export const promptsPushCommand: CommandDefinition = {
  path: ['prompts', 'push'],
  summary: 'Save a new version of every edited .prompt.md file under <dir>.',
  usage: 'prompts push <dir> [options]',
  description:
    "Compares every **/*.prompt.md file under <dir> with the server: unchanged files are skipped, edited ones become new versions. If a prompt has a newer version on the server than the file was pulled at, nothing at all is pushed. After a push each file's version is updated, so pushing again changes nothing.",
  options: {
    message: {
      type: 'string',
      valueName: 'text',
      description: "Commit message of every new version (default: 'flywheel prompts push <file>').",
    },
    'dry-run': { type: 'boolean', description: 'Print what would be pushed; save nothing.' },
    json: { type: 'boolean', description: 'Print what was pushed as JSON.' },
    ...remoteOptions,
  },
  positionals: { names: ['dir'], min: 1 },
  examples: [
    ['flywheel prompts push prompts --dry-run', 'What a push would save.'],
    ['flywheel prompts push prompts --message "tone down the greeting"', 'Save every edited prompt.'],
  ],
  async run(input, io) {
    const dir = input.positionals[0]!;
    const files = await readPromptFiles(dir, io);
    if (files.invalid.length > 0) {
      for (const message of files.invalid) io.stderr(`error: ${message}\n`);
      io.stderr(`Nothing was pushed: ${plural(files.invalid.length, 'file')} to fix.\n`);
      return 1;
    }
    if (files.valid.length === 0) {
      io.stdout(`No *${promptFileExtension} files under ${dir}.\n`);
      return 0;
    }
    const dryRun = input.flags['dry-run'] === true;
    return withRemote(input, io, async (client) => {
      const plans: Plan[] = [];
      for (const file of files.valid) plans.push(await planPush(client, file, dir));
      const conflicts = plans.filter((plan) => plan.kind === 'conflict');
      if (conflicts.length > 0) {
        for (const conflict of conflicts) io.stderr(`error: ${conflict.message}\n`);
        io.stderr(
          `Nothing was pushed: ${plural(conflicts.length, 'file')} ${conflicts.length === 1 ? 'is' : 'are'} behind the server.\n`,
        );
        return 1;
      }
      const creates = plans.filter((plan) => plan.kind === 'create');
      const unchanged = plans.length - creates.length;
      const created: Array<{ name: string; version: number; file: string }> = [];
      for (const plan of creates) {
        if (dryRun) {
          if (!input.flags.json) {
            io.stdout(
              `would create ${plan.file.name} ${plan.base === null ? 'version 1 (a new prompt)' : `version ${plan.base + 1}`} from ${plan.file.shown}\n`,
            );
          }
          continue;
        }
        let saved: PromptVersionBody;
        try {
          saved = await client.prompts.create({
            name: plan.file.name,
            type: plan.file.prompt.type,
            template: plan.file.prompt.template,
            config: plan.file.prompt.config,
            commit_message: stringFlag(input, 'message') ?? `flywheel prompts push ${plan.file.shown}`,
            base_version: plan.base,
          });
        } catch (error) {
          if (FlywheelError.is(error)) {
            io.stderr(`error [${error.code}]: ${plan.file.shown}: ${error.message}\n`);
            io.stderr(
              `Pushed ${created.length} of ${creates.length} changed files before this; the rest were not pushed.\n`,
            );
            return 1;
          }
          throw error;
        }
        // Rewritten at once, so a push that fails half-way leaves every pushed file in step.
        await writeFile(
          plan.file.path,
          setPromptFileVersion(plan.file.text, plan.file.shown, saved.version, saved.labels),
        );
        created.push({ name: saved.name, version: saved.version, file: plan.file.shown });
        if (!input.flags.json)
          io.stdout(`created ${saved.name} version ${saved.version} from ${plan.file.shown}\n`);
      }
      if (input.flags.json) {
        const changed = dryRun
          ? creates.map((plan) => ({ name: plan.file.name, base_version: plan.base, file: plan.file.shown }))
          : created;
        io.stdout(`${JSON.stringify({ dry_run: dryRun, created: changed, unchanged })}\n`);
      } else if (dryRun) {
        io.stdout(
          `Dry run: ${creates.length} would be created, ${unchanged} unchanged. Nothing was pushed.\n`,
        );
      } else {
        io.stdout(`${created.length} created, ${unchanged} unchanged.\n`);
      }
      return 0;
    });
  },
};

/** A prompt file read for a push. */
interface LocalFile {
  /** As the user names it (under the <dir> they gave). */
  shown: string;
  path: string;
  text: string;
  name: string;
  prompt: PromptFile;
}

type Plan =
  | { kind: 'unchanged'; file: LocalFile }
  | { kind: 'create'; file: LocalFile; base: number | null }
  | { kind: 'conflict'; file: LocalFile; message: string };

/** What pushing `file` means; asks the server, changes nothing. */
async function planPush(client: FlywheelClient, file: LocalFile, dir: string): Promise<Plan> {
  const { name, prompt } = file;
  const newest = await client.prompts.get(name, { label: latestLabel }).catch((error: unknown) => {
    if (FlywheelError.is(error) && error.code === 'prompt_not_found') return null;
    throw error;
  });
  const pullAgain = `Run 'flywheel prompts pull ${dir}' (your edits will be overwritten — save them first), re-apply, then push.`;
  if (newest === null) {
    if (prompt.version === null) return { kind: 'create', file, base: null };
    return {
      kind: 'conflict',
      file,
      message: `${name}: the server has no such prompt, but ${file.shown} was pulled at version ${prompt.version}. To create it, remove 'version' from its front matter.`,
    };
  }
  if (sameContent(prompt, newest)) return { kind: 'unchanged', file };
  if (prompt.version === newest.version) return { kind: 'create', file, base: newest.version };
  if (prompt.version === null) {
    return {
      kind: 'conflict',
      file,
      message: `${name}: the server already has this prompt (version ${newest.version}), but ${file.shown} has no version. ${pullAgain}`,
    };
  }
  // Pulled by a label at an older version and not edited since: nothing to push.
  if (prompt.version < newest.version) {
    const base = await client.prompts.get(name, { version: prompt.version }).catch(() => null);
    if (base && sameContent(prompt, base)) return { kind: 'unchanged', file };
  }
  return {
    kind: 'conflict',
    file,
    message: `${name}: the server is at version ${newest.version} but this file was pulled at version ${prompt.version}. ${pullAgain}`,
  };
}

function sameContent(file: PromptFile, version: PromptVersionBody): boolean {
  return (
    file.type === version.type &&
    isDeepStrictEqual(file.template, version.template) &&
    isDeepStrictEqual(file.config, version.config)
  );
}

async function readPromptFiles(dir: string, io: CliIo): Promise<{ valid: LocalFile[]; invalid: string[] }> {
  const root = resolve(io.cwd, dir);
  const isDir = await stat(root).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isDir) throw new FlywheelError('invalid_argument', `${dir} is not a folder.`);
  const entries = (await readdir(root, { recursive: true }))
    .filter((entry) => entry.endsWith(promptFileExtension))
    .sort();
  const valid: LocalFile[] = [];
  const invalid: string[] = [];
  const byName = new Map<string, string>();
  for (const entry of entries) {
    const path = join(root, entry);
    if (!(await stat(path)).isFile()) continue;
    const shown = join(dir, entry.split(sep).join('/'));
    const text = await readFile(path, 'utf8');
    try {
      const prompt = parsePromptFile(text, shown);
      if (prompt.name === undefined) {
        throw new FlywheelError(
          'validation_failed',
          `${shown}:1: no 'name' in the front matter; push needs it, e.g. name: support/triage`,
        );
      }
      const other = byName.get(prompt.name);
      if (other !== undefined) {
        throw new FlywheelError(
          'validation_failed',
          `${shown}: ${other} is the prompt ${prompt.name} too; keep one of them.`,
        );
      }
      byName.set(prompt.name, shown);
      valid.push({ shown, path, text, name: prompt.name, prompt });
    } catch (error) {
      if (!FlywheelError.is(error)) throw error;
      invalid.push(error.message);
    }
  }
  return { valid, invalid };
}

function toPromptFile(version: PromptVersionBody): PromptFile {
  return {
    name: version.name,
    type: version.type,
    version: version.version,
    labels: version.labels,
    config: version.config,
    template: version.template,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
