import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DatasetBody } from '@flywheel/spec';
import { FlywheelError } from '@flywheel/spec';
import type { CommandDefinition } from '../command.js';
import { countFlag } from './dataset-flags.js';
import { parseVersion } from './prompts-commands.js';
import { remoteOptions, stringFlag, withRemote } from './remote-options.js';
import { table } from './text-table.js';

export const jsonOption: CommandDefinition['options'] = {
  json: { type: 'boolean', description: 'Print the API answer as JSON instead of text.' },
};

export const datasetsListCommand: CommandDefinition = {
  path: ['datasets', 'list'],
  summary: 'List datasets with their version and item count.',
  usage: 'datasets list [options]',
  options: { ...jsonOption, ...remoteOptions },
  examples: [
    ['flywheel datasets list', 'Every dataset of the key’s project.'],
    ['flywheel datasets list --json', 'The same, as JSON.'],
  ],
  async run(input, io) {
    return withRemote(input, io, async (client) => {
      const datasets = await client.datasets.list();
      if (input.flags.json) io.stdout(`${JSON.stringify(datasets)}\n`);
      else if (datasets.length === 0)
        io.stdout(
          'No datasets yet. Make one with: flywheel datasets create <name>, or import a file with --create.\n',
        );
      else
        io.stdout(
          table(
            ['NAME', 'VERSION', 'ITEMS', 'UPDATED', 'DESCRIPTION'],
            datasets.map((dataset) => [
              dataset.name,
              String(dataset.version),
              String(dataset.item_count),
              dataset.updated_at,
              oneLine(dataset.description ?? '', 60),
            ]),
          ),
        );
      return 0;
    });
  },
};

export const datasetsShowCommand: CommandDefinition = {
  path: ['datasets', 'show'],
  summary: 'Show a dataset: its versions and its first items.',
  usage: 'datasets show <name> [--version <n>] [--items <n>] [options]',
  options: {
    version: { type: 'string', valueName: 'n', description: 'Show the items as they were at this version.' },
    items: { type: 'string', valueName: 'n', description: 'How many items to show (default 5, 0 for none).' },
    ...jsonOption,
    ...remoteOptions,
  },
  positionals: { names: ['name'], min: 1 },
  examples: [
    ['flywheel datasets show support/golden', 'Description, versions and the first 5 items.'],
    ['flywheel datasets show support/golden --version 3 --items 20', 'The first 20 items of version 3.'],
  ],
  async run(input, io) {
    const name = input.positionals[0]!;
    const versionFlag = stringFlag(input, 'version');
    const version = versionFlag === undefined ? undefined : parseVersionOrZero(versionFlag);
    const limit = countFlag(input, 'items', 5, { min: 0, max: 1000 });
    return withRemote(input, io, async (client) => {
      const dataset = await client.datasets.get(name);
      const versions = await client.datasets.versions(name);
      const page =
        limit === 0
          ? { version: version ?? dataset.version, data: [] }
          : await client.datasets.listItems(name, { limit, ...(version === undefined ? {} : { version }) });
      if (input.flags.json) {
        io.stdout(`${JSON.stringify({ dataset, versions, items: page.data })}\n`);
        return 0;
      }
      const lines = [
        `${dataset.name} (${dataset.id})`,
        `Version:     ${dataset.version}`,
        `Items:       ${dataset.item_count}`,
        `Description: ${dataset.description ?? '(none)'}`,
        `Metadata:    ${Object.keys(dataset.metadata).length === 0 ? '(none)' : JSON.stringify(dataset.metadata)}`,
        `Created:     ${dataset.created_at}`,
        `Updated:     ${dataset.updated_at}`,
        '',
      ];
      io.stdout(lines.join('\n'));
      if (versions.length > 0) {
        io.stdout(
          `Versions:\n${table(
            ['VERSION', 'CREATED', 'UPDATED', 'DELETED', 'ITEMS', 'BY', 'AT'],
            versions
              .slice(0, 10)
              .map((entry) => [
                String(entry.version),
                String(entry.created),
                String(entry.updated),
                String(entry.deleted),
                String(entry.item_count),
                entry.created_by.key_name,
                entry.created_at,
              ]),
          )}`,
        );
        if (versions.length > 10) io.stdout(`  … ${versions.length - 10} older versions\n`);
      }
      if (limit > 0) {
        io.stdout(`\nItems at version ${page.version}${page.data.length === 0 ? ': (none)\n' : ':\n'}`);
        if (page.data.length > 0)
          io.stdout(
            table(
              ['ID', 'INPUT', 'EXPECTED'],
              page.data.map((item) => [
                item.id,
                oneLine(JSON.stringify(item.input), 70),
                oneLine(JSON.stringify(item.expected_output), 40),
              ]),
            ),
          );
      }
      return 0;
    });
  },
};

export const datasetsCreateCommand: CommandDefinition = {
  path: ['datasets', 'create'],
  summary: 'Create an empty dataset.',
  usage: 'datasets create <name> [--description <text>] [--metadata <json>] [options]',
  options: {
    description: { type: 'string', valueName: 'text', description: 'What the dataset is for.' },
    metadata: { type: 'string', valueName: 'json', description: 'A JSON object kept with the dataset.' },
    ...jsonOption,
    ...remoteOptions,
  },
  positionals: { names: ['name'], min: 1 },
  examples: [
    ['flywheel datasets create support/golden --description "hand-checked tickets"', 'An empty dataset.'],
    ['flywheel datasets create qa --metadata \'{"owner":"sam"}\'', 'With metadata.'],
  ],
  async run(input, io) {
    const name = input.positionals[0]!;
    const description = stringFlag(input, 'description');
    const metadataFlag = stringFlag(input, 'metadata');
    const metadata = metadataFlag === undefined ? undefined : parseJsonObject(metadataFlag, '--metadata');
    return withRemote(input, io, async (client) => {
      const dataset = await client.datasets.create({
        name,
        ...(description === undefined ? {} : { description }),
        ...(metadata === undefined ? {} : { metadata }),
      });
      io.stdout(
        input.flags.json
          ? `${JSON.stringify(dataset)}\n`
          : `Created dataset ${dataset.name}. Add items with: flywheel datasets import ${dataset.name} <file.csv|file.jsonl>\n`,
      );
      return 0;
    });
  },
};

export const datasetsUpdateCommand: CommandDefinition = {
  path: ['datasets', 'update'],
  summary: 'Change a dataset’s description and/or metadata (its items and version stay).',
  usage: 'datasets update <name> [--description <text>] [--metadata <json>] [options]',
  description:
    "Each flag given replaces that field; what you leave out is kept. --description '' removes the description; --metadata replaces the whole object ('{}' empties it).",
  options: {
    description: {
      type: 'string',
      valueName: 'text',
      description: "The new description ('' to remove it).",
    },
    metadata: {
      type: 'string',
      valueName: 'json',
      description: 'A JSON object that replaces the dataset’s metadata.',
    },
    ...jsonOption,
    ...remoteOptions,
  },
  positionals: { names: ['name'], min: 1 },
  examples: [
    [
      'flywheel datasets update support/golden --description "hand-checked, 2025 tickets"',
      'A new description.',
    ],
    ['flywheel datasets update qa --metadata \'{"owner":"kim"}\'', 'Replace the metadata.'],
    ["flywheel datasets update qa --description ''", 'Remove the description.'],
  ],
  async run(input, io) {
    const name = input.positionals[0]!;
    // An empty --description is how to remove it, so it is read raw rather than through stringFlag.
    const description =
      typeof input.flags.description === 'string' ? (stringFlag(input, 'description') ?? null) : undefined;
    const metadataFlag = stringFlag(input, 'metadata');
    const metadata = metadataFlag === undefined ? undefined : parseJsonObject(metadataFlag, '--metadata');
    if (description === undefined && metadata === undefined)
      throw new FlywheelError(
        'invalid_argument',
        "Say what to change: --description <text> ('' removes it), --metadata <json>, or both.",
      );
    return withRemote(input, io, async (client) => {
      const dataset = await client.datasets.update(name, {
        ...(description === undefined ? {} : { description }),
        ...(metadata === undefined ? {} : { metadata }),
      });
      const changed = [
        description === undefined ? [] : ['description'],
        metadata === undefined ? [] : ['metadata'],
      ]
        .flat()
        .join(' and ');
      io.stdout(
        input.flags.json
          ? `${JSON.stringify(dataset)}\n`
          : `Updated the ${changed} of ${dataset.name}; its items are unchanged (version ${dataset.version}, ${dataset.item_count} items).\n`,
      );
      return 0;
    });
  },
};

export const datasetsDeleteCommand: CommandDefinition = {
  path: ['datasets', 'delete'],
  summary: 'Delete a dataset with all its items and versions.',
  usage: 'datasets delete <name> --yes [options]',
  description: 'This cannot be undone: export the dataset first if you may need it again.',
  options: {
    yes: { type: 'boolean', description: 'Confirm the deletion (required).' },
    ...remoteOptions,
  },
  positionals: { names: ['name'], min: 1 },
  examples: [
    ['flywheel datasets export scratch --output scratch.jsonl', 'Keep a copy first.'],
    ['flywheel datasets delete scratch --yes', 'Delete it.'],
  ],
  async run(input, io) {
    const name = input.positionals[0]!;
    if (!input.flags.yes) {
      throw new FlywheelError(
        'invalid_argument',
        `Deleting ${name} removes all its items and versions for good; add --yes to confirm.`,
      );
    }
    return withRemote(input, io, async (client) => {
      await client.datasets.delete(name);
      io.stdout(`Deleted dataset ${name}.\n`);
      return 0;
    });
  },
};

export const datasetsExportCommand: CommandDefinition = {
  path: ['datasets', 'export'],
  summary: 'Write a dataset’s items as JSON Lines (one item per line).',
  usage: 'datasets export <name> [--version <n>] [--output <file>] [options]',
  description:
    "Each line holds id, input, expected_output, metadata, source_trace_id and source_span_id: 'flywheel datasets import' reads it back. With --output the file appears only once the export is complete.",
  options: {
    version: {
      type: 'string',
      valueName: 'n',
      description: 'Export the items as they were at this version.',
    },
    output: {
      type: 'string',
      valueName: 'file',
      description: 'Write to this file instead of standard output.',
    },
    ...remoteOptions,
  },
  positionals: { names: ['name'], min: 1 },
  examples: [
    ['flywheel datasets export support/golden --output golden.jsonl', 'The current items, to a file.'],
    [
      'flywheel datasets export support/golden --version 3 > golden-v3.jsonl',
      'Version 3, to standard output.',
    ],
  ],
  async run(input, io) {
    const name = input.positionals[0]!;
    const versionFlag = stringFlag(input, 'version');
    const version = versionFlag === undefined ? undefined : parseVersionOrZero(versionFlag);
    const output = stringFlag(input, 'output');
    return withRemote(input, io, async (client) => {
      const exported = await client.datasets.export(name, version === undefined ? {} : { version });
      let count = 0;
      if (output === undefined) {
        for await (const item of exported.items) {
          io.stdout(`${JSON.stringify(item)}\n`);
          count += 1;
        }
      } else {
        const path = resolve(io.cwd, output);
        const partial = `${path}.partial`;
        const file = createWriteStream(partial);
        const closed = new Promise<void>((done, failed) => {
          file.on('close', done);
          file.on('error', failed);
        });
        try {
          for await (const item of exported.items) {
            if (!file.write(`${JSON.stringify(item)}\n`))
              await new Promise<void>((drained) => file.once('drain', () => drained()));
            count += 1;
          }
          file.end();
          await closed;
          await rename(partial, path);
        } catch (error) {
          file.destroy();
          await rm(partial, { force: true });
          throw error;
        }
      }
      io.stderr(
        `Exported ${count} items of ${name} version ${exported.version}${output ? ` to ${output}` : ''}.\n`,
      );
      return 0;
    });
  },
};

function parseVersionOrZero(raw: string): number {
  return raw === '0' ? 0 : parseVersion(raw, '--version');
}

/** A flag that holds a JSON object; what is wrong with it is an `invalid_argument` (exit 2). */
export function parseJsonObject(raw: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new FlywheelError('invalid_argument', `${flag} is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FlywheelError('invalid_argument', `${flag} must be a JSON object, e.g. '{"owner":"sam"}'.`);
  return value as Record<string, unknown>;
}

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/** For tests and other commands: the dataset summary line. */
export function describeDataset(dataset: DatasetBody): string {
  return `${dataset.name} is at version ${dataset.version} (${dataset.item_count} items)`;
}
