import type { FlywheelClient } from '@flywheel/sdk';
import { FlywheelError, latestLabel, type PromptVersionBody } from '@flywheel/spec';
import { stringify as stringifyYaml } from 'yaml';
import type { CommandDefinition } from '../command.js';
import { formatPromptDiff } from './prompt-diff-format.js';
import { labelList, readPromptDraft } from './prompt-draft.js';
import { formatChatTemplate } from './prompt-files.js';
import { remoteOptions, stringFlag, withRemote } from './remote-options.js';
import { table } from './text-table.js';

const jsonOption: CommandDefinition['options'] = {
  json: { type: 'boolean', description: 'Print the API answer as JSON instead of text.' },
};

export const promptsListCommand: CommandDefinition = {
  path: ['prompts', 'list'],
  summary: 'List prompts with their newest version and labels.',
  usage: 'prompts list [options]',
  options: {
    folder: {
      type: 'string',
      valueName: 'folder',
      description: 'Only prompts in this folder, e.g. support.',
    },
    ...jsonOption,
    ...remoteOptions,
  },
  examples: [
    ['flywheel prompts list', 'Every prompt of the key’s project.'],
    ['flywheel prompts list --folder support --json', 'Prompts named support/…, as JSON.'],
  ],
  async run(input, io) {
    return withRemote(input, io, async (client) => {
      const folder = stringFlag(input, 'folder');
      const prompts = await client.prompts.list(folder === undefined ? {} : { folder });
      if (input.flags.json) {
        io.stdout(`${JSON.stringify(prompts)}\n`);
        return 0;
      }
      if (prompts.length === 0) {
        io.stdout(
          `No prompts${folder === undefined ? '' : ` in ${folder}/`} yet. Save one with: flywheel prompts create <name> --template '…'\n`,
        );
        return 0;
      }
      const rows = prompts.map((prompt) => [
        prompt.name,
        prompt.type,
        String(prompt.latest_version),
        Object.entries(prompt.labels)
          .filter(([label]) => label !== latestLabel)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([label, version]) => `${label}=${version}`)
          .join(' '),
      ]);
      io.stdout(table(['NAME', 'TYPE', 'LATEST', 'LABELS'], rows));
      return 0;
    });
  },
};

export const promptsShowCommand: CommandDefinition = {
  path: ['prompts', 'show'],
  summary: 'Show one version of a prompt: its labels, config and template.',
  usage: 'prompts show <name> [--label <label> | --version <n>] [options]',
  description: 'Without --label or --version, shows the version labelled production.',
  options: {
    label: {
      type: 'string',
      valueName: 'label',
      description: 'The version this label points at (default production).',
    },
    version: { type: 'string', valueName: 'n', description: 'This version number.' },
    ...jsonOption,
    ...remoteOptions,
  },
  positionals: { names: ['name'], min: 1 },
  examples: [
    ['flywheel prompts show support/triage', 'The version in production.'],
    ['flywheel prompts show support/triage --label latest', 'The newest version.'],
    ['flywheel prompts show support/triage --version 3 --json', 'Version 3, as the API returns it.'],
  ],
  async run(input, io) {
    const name = input.positionals[0]!;
    const versionFlag = stringFlag(input, 'version');
    const labelFlag = stringFlag(input, 'label');
    if (versionFlag !== undefined && labelFlag !== undefined) {
      throw new FlywheelError('invalid_argument', 'Give --label or --version, not both.');
    }
    const ref =
      versionFlag !== undefined
        ? { version: parseVersion(versionFlag, '--version') }
        : { label: labelFlag ?? 'production' };
    return withRemote(input, io, async (client) => {
      const version = await getExplained(client, name, ref);
      io.stdout(input.flags.json ? `${JSON.stringify(version)}\n` : describeVersion(version));
      return 0;
    });
  },
};

export const promptsCreateCommand: CommandDefinition = {
  path: ['prompts', 'create'],
  summary: 'Save a new version of a prompt (creating the prompt on its first save).',
  usage: 'prompts create <name> (--file <path> | --template <text>) [options]',
  description:
    "--file takes a .prompt.md file as 'flywheel prompts pull' writes it (front matter optional; a chat template is '=== role ===' blocks), or any file holding just the template. Every save moves the latest label; --label moves more.",
  options: {
    file: {
      type: 'string',
      valueName: 'path',
      description: 'Read the template (and type, config) from this file.',
    },
    template: { type: 'string', valueName: 'text', description: 'The template itself.' },
    type: {
      type: 'string',
      valueName: 'type',
      description: 'text or chat (default: the file’s, else text).',
    },
    config: {
      type: 'string',
      valueName: 'file',
      description: 'YAML or JSON file with the call settings (model, temperature, …).',
    },
    message: { type: 'string', valueName: 'text', description: 'What changed, kept with the version.' },
    label: {
      type: 'string',
      multiple: true,
      valueName: 'label',
      description: 'Point this label at the new version too (repeat, or a comma list).',
    },
    ...jsonOption,
    ...remoteOptions,
  },
  positionals: { names: ['name'], min: 1 },
  examples: [
    [
      "flywheel prompts create greeting --template 'Hello {{name}}!' --label staging",
      'A text prompt, labelled staging.',
    ],
    [
      'flywheel prompts create support/triage --file triage.prompt.md --message "shorter system prompt"',
      'A new version from a file (chat: === system === / === user === blocks).',
    ],
    [
      'flywheel prompts create support/triage --file triage.prompt.md --config triage.yaml --label staging,qa',
      'With model settings from a YAML file, moving two labels.',
    ],
  ],
  async run(input, io) {
    const name = input.positionals[0]!;
    const draft = await readPromptDraft(input, io.cwd, name);
    const labels = labelList(input.flags.label);
    const message = stringFlag(input, 'message');
    return withRemote(input, io, async (client) => {
      const saved = await client.prompts.create({
        name,
        type: draft.type,
        template: draft.template,
        config: draft.config,
        ...(message === undefined ? {} : { commit_message: message }),
        ...(labels.length === 0 ? {} : { labels }),
      });
      io.stdout(
        input.flags.json
          ? `${JSON.stringify(saved)}\n`
          : `Saved ${saved.name} version ${saved.version} (labels: ${saved.labels.join(', ')}).\n`,
      );
      return 0;
    });
  },
};

export const promptsLabelCommand: CommandDefinition = {
  path: ['prompts', 'label'],
  summary: 'Point a label at a version (deploy, or roll back), or remove it.',
  usage: 'prompts label <name> <label> (<version> | --remove) [options]',
  description:
    'Code that fetches a prompt by label sees the move at once. To roll back, point the label back at the version it was on; the answer shows where it came from (production: 4 → 3).',
  options: {
    remove: { type: 'boolean', description: 'Remove the label instead (no version needed).' },
    ...jsonOption,
    ...remoteOptions,
  },
  positionals: { names: ['name', 'label', 'version'], min: 2 },
  examples: [
    ['flywheel prompts label support/triage production 4', 'Deploy version 4.'],
    ['flywheel prompts label support/triage production 3', 'Roll back to version 3.'],
    ['flywheel prompts label support/triage experiment-b --remove', 'Remove a label.'],
  ],
  async run(input, io) {
    const [name, label, rawVersion] = input.positionals as [string, string, string | undefined];
    if (input.flags.remove) {
      if (rawVersion !== undefined) {
        throw new FlywheelError('invalid_argument', `--remove takes no version (got '${rawVersion}').`);
      }
      return withRemote(input, io, async (client) => {
        await client.prompts.removeLabel(name, label);
        io.stdout(
          input.flags.json
            ? `${JSON.stringify({ removed: true, name, label })}\n`
            : `Removed the label ${label} from ${name}.\n`,
        );
        return 0;
      });
    }
    if (rawVersion === undefined) {
      throw new FlywheelError(
        'invalid_argument',
        'Missing <version>: which version should the label point at? (Use --remove to remove it.)',
      );
    }
    const version = parseVersion(rawVersion, '<version>');
    return withRemote(input, io, async (client) => {
      const result = await client.prompts.moveLabel(name, label, version);
      if (input.flags.json) io.stdout(`${JSON.stringify(result)}\n`);
      else if (!result.moved) io.stdout(`${label}: already at ${version}, nothing moved.\n`);
      else io.stdout(`${label}: ${result.move?.from_version ?? 'none'} → ${version}\n`);
      return 0;
    });
  },
};

export const promptsDiffCommand: CommandDefinition = {
  path: ['prompts', 'diff'],
  summary: 'Compare two versions of a prompt: template lines and config.',
  usage: 'prompts diff <name> <from> <to> [options]',
  description: '<from> and <to> are each a version number or a label.',
  options: { ...jsonOption, ...remoteOptions },
  positionals: { names: ['name', 'from', 'to'], min: 3 },
  examples: [
    [
      'flywheel prompts diff support/triage production latest',
      'What deploying the newest version would change.',
    ],
    ['flywheel prompts diff support/triage 3 4 --json', 'The API’s line-by-line diff, as JSON.'],
  ],
  async run(input, io) {
    const [name, from, to] = input.positionals as [string, string, string];
    return withRemote(input, io, async (client) => {
      const diff = await client.prompts.diff(name, from, to);
      io.stdout(input.flags.json ? `${JSON.stringify(diff)}\n` : formatPromptDiff(diff, from, to));
      return 0;
    });
  },
};

/** A version number from the command line. */
export function parseVersion(raw: string, what: string): number {
  const version = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new FlywheelError('invalid_argument', `${what} must be a version number (1, 2, …), not '${raw}'.`);
  }
  return version;
}

/** The version `ref` names; a missing label is explained with the labels there are. */
async function getExplained(
  client: FlywheelClient,
  name: string,
  ref: { label: string } | { version: number },
): Promise<PromptVersionBody> {
  try {
    return await client.prompts.get(name, ref);
  } catch (error) {
    if (!FlywheelError.is(error) || error.code !== 'prompt_not_found' || !('label' in ref)) throw error;
    // Is the prompt missing, or only the label?
    const versions = await client.prompts.versions(name).catch(() => undefined);
    if (versions === undefined) throw error;
    const labels = versions.flatMap((version) =>
      version.labels.map((label) => `${label}=${version.version}`),
    );
    throw new FlywheelError(
      'prompt_not_found',
      `${name} has no version labelled '${ref.label}' (labels: ${labels.join(' ')}). See the newest with: flywheel prompts show ${name} --label latest`,
      { cause: error },
    );
  }
}

function describeVersion(version: PromptVersionBody): string {
  const config =
    Object.keys(version.config).length === 0
      ? 'Config:    (none)'
      : // Quoted strings: a block scalar's trailing blank lines would be invisible on screen.
        `Config:\n${indent(stringifyYaml(version.config, { lineWidth: 0, blockQuote: false })).trimEnd()}`;
  const template =
    typeof version.template === 'string' ? `${version.template}\n` : formatChatTemplate(version.template);
  return [
    `${version.name} version ${version.version} (${version.type})`,
    `Labels:    ${version.labels.join(', ') || '(none)'}`,
    `Author:    ${version.created_by.key_name} (${version.created_by.key_id})`,
    `Date:      ${version.created_at}`,
    `Message:   ${version.commit_message ?? '(none)'}`,
    config,
    `Variables: ${version.variables.join(', ') || '(none)'}`,
    '',
    'Template:',
    template,
  ].join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}
