import type { FlywheelClient } from '@flywheel/sdk';
import {
  type DatasetItemBody,
  datasetItemIdSchema,
  FlywheelError,
  type PutDatasetItemRequest,
} from '@flywheel/spec';
import type { CommandDefinition, CommandInput } from '../command.js';
import { jsonOption, parseJsonObject } from './datasets-commands.js';
import { parseVersion } from './prompts-commands.js';
import { remoteOptions, stringFlag, withRemote } from './remote-options.js';

// One item at a time. The commands are `datasets <verb>-item` rather than `datasets item <verb>`
// because the dispatcher groups commands by their first two words only (see `add-from-traces`).

const contentOptions: CommandDefinition['options'] = {
  input: {
    type: 'string',
    valueName: 'json',
    description: 'The item’s input variables, as a JSON object.',
  },
  expected: {
    type: 'string',
    valueName: 'json|text',
    description:
      'The expected output: JSON when it parses as JSON (\'"42"\' for the text 42), else the text; null for none.',
  },
  metadata: {
    type: 'string',
    valueName: 'json',
    description: 'A JSON object kept with the item.',
  },
};

export const datasetsShowItemCommand: CommandDefinition = {
  path: ['datasets', 'show-item'],
  summary: 'Show one item of a dataset in full: input, expected output, metadata, source.',
  usage: 'datasets show-item <name> <item-id> [--version <n>] [options]',
  description:
    "Item ids are in the ID column of 'flywheel datasets show' and in every line of 'flywheel datasets export'. With --version, the item as it was at that version (also one deleted since).",
  options: {
    version: { type: 'string', valueName: 'n', description: 'The item as it was at this version.' },
    ...jsonOption,
    ...remoteOptions,
  },
  positionals: { names: ['name', 'item-id'], min: 2 },
  examples: [
    ['flywheel datasets show-item qa fr', 'The current content of item fr.'],
    ['flywheel datasets show-item qa fr --version 1 --json', 'Item fr as version 1 held it, as JSON.'],
  ],
  async run(input, io) {
    const [name, itemId] = itemPositionals(input);
    const versionFlag = stringFlag(input, 'version');
    const version = versionFlag === undefined ? undefined : parseVersion(versionFlag, '--version');
    return withRemote(input, io, async (client) => {
      const item = await client.datasets.getItem(name, itemId, version === undefined ? {} : { version });
      io.stdout(input.flags.json ? `${JSON.stringify(item)}\n` : describeItem(name, item));
      return 0;
    });
  },
};

export const datasetsAddItemCommand: CommandDefinition = {
  path: ['datasets', 'add-item'],
  summary: 'Add one item to a dataset (a new version).',
  usage:
    'datasets add-item <name> --input <json> [--expected <json|text>] [--metadata <json>] [--id <id>] [options]',
  description:
    "Without --id the server gives the item an id. An --id the dataset already holds is refused (change that item with 'flywheel datasets update-item'). To add many items, use 'flywheel datasets import'.",
  options: {
    ...contentOptions,
    id: {
      type: 'string',
      valueName: 'id',
      description: 'The item’s id: letters, digits and . _ : - (default: one made by the server).',
    },
    ...jsonOption,
    ...remoteOptions,
  },
  positionals: { names: ['name'], min: 1 },
  examples: [
    [
      'flywheel datasets add-item qa --input \'{"country":"France"}\' --expected Paris',
      'An item whose expected output is the text Paris.',
    ],
    [
      'flywheel datasets add-item qa --id jp --input \'{"country":"Japan"}\' --expected \'{"city":"Tokyo"}\' --metadata \'{"level":2}\'',
      'With its own id, a JSON expected output and metadata.',
    ],
  ],
  async run(input, io) {
    const [name] = input.positionals as [string];
    const id = optionalItemId(stringFlag(input, 'id'));
    const content = itemContent(input);
    if (content.input === undefined)
      throw new FlywheelError(
        'invalid_argument',
        '--input is required: the item’s variables as a JSON object, e.g. --input \'{"country":"France"}\'.',
      );
    return withRemote(input, io, async (client) => {
      // The API replaces an item whose id exists, so adding checks first. Another writer may still
      // add the same id in between; the API offers no create-only write to close that gap.
      if (id !== undefined && (await findItem(client, name, id)))
        throw new FlywheelError(
          'conflict',
          `Dataset '${name}' already has an item '${id}'. Change it with: flywheel datasets update-item ${name} ${id} --input …, or pick another --id.`,
        );
      const result = await client.datasets.addItems(name, {
        items: [{ ...(id === undefined ? {} : { id }), ...content, input: content.input! }],
      });
      const added = result.items[0]!;
      io.stdout(
        input.flags.json
          ? `${JSON.stringify(result)}\n`
          : `Added item ${added.id} to ${name}; ${name} is at version ${result.version}.\n`,
      );
      return 0;
    });
  },
};

export const datasetsUpdateItemCommand: CommandDefinition = {
  path: ['datasets', 'update-item'],
  summary: 'Change one item’s input, expected output or metadata (a new version).',
  usage:
    'datasets update-item <name> <item-id> [--input <json>] [--expected <json|text>] [--metadata <json>] [options]',
  description:
    'Each flag given replaces that field whole; what you leave out is kept, as is the source trace. The item must exist (add it with add-item). Earlier versions keep the old content. When nothing differs, no version is made.',
  options: { ...contentOptions, ...jsonOption, ...remoteOptions },
  positionals: { names: ['name', 'item-id'], min: 2 },
  examples: [
    [
      'flywheel datasets update-item qa fr --expected "Paris, France"',
      'A new expected output; input and metadata stay.',
    ],
    ['flywheel datasets update-item qa fr --expected null', 'No expected output any more.'],
    [
      'flywheel datasets update-item qa fr --input \'{"country":"France","lang":"fr"}\' --metadata \'{}\'',
      'A new input, and empty metadata.',
    ],
  ],
  async run(input, io) {
    const [name, itemId] = itemPositionals(input);
    const content = itemContent(input);
    if (Object.keys(content).length === 0)
      throw new FlywheelError(
        'invalid_argument',
        'Say what to change: --input <json>, --expected <json|text> (null for none), --metadata <json>, or several.',
      );
    return withRemote(input, io, async (client) => {
      // PUT replaces the whole item, so the fields not given are read first and sent back as they are.
      const current = await client.datasets.getItem(name, itemId);
      const result = await client.datasets.updateItem(name, itemId, {
        input: current.input,
        expected_output: current.expected_output ?? null,
        metadata: current.metadata,
        source_trace_id: current.source_trace_id,
        source_span_id: current.source_span_id,
        ...content,
      });
      if (input.flags.json) io.stdout(`${JSON.stringify(result)}\n`);
      else if (result.updated === 0)
        io.stdout(
          `Item ${itemId} of ${name} already holds this; nothing changed (version ${result.version}).\n`,
        );
      else
        io.stdout(
          `Updated item ${itemId} of ${name}; ${name} is at version ${result.version} (version ${result.version - 1} still holds the old content).\n`,
        );
      return 0;
    });
  },
};

export const datasetsDeleteItemCommand: CommandDefinition = {
  path: ['datasets', 'delete-item'],
  summary: 'Delete one item from a dataset (a new version; earlier versions keep it).',
  usage: 'datasets delete-item <name> <item-id> [options]',
  description:
    "Unlike deleting a dataset this needs no --yes: the item stays readable at earlier versions ('flywheel datasets show-item <name> <item-id> --version <n>'), and export --version <n> still includes it.",
  options: { ...jsonOption, ...remoteOptions },
  positionals: { names: ['name', 'item-id'], min: 2 },
  examples: [
    ['flywheel datasets delete-item qa fr', 'Delete item fr.'],
    ['flywheel datasets show-item qa fr --version 2', 'Read it back as version 2 held it.'],
  ],
  async run(input, io) {
    const [name, itemId] = itemPositionals(input);
    return withRemote(input, io, async (client) => {
      const result = await client.datasets.deleteItem(name, itemId);
      io.stdout(
        input.flags.json
          ? `${JSON.stringify(result)}\n`
          : `Deleted item ${itemId} from ${name}; ${name} is at version ${result.version} (version ${result.version - 1} still holds it).\n`,
      );
      return 0;
    });
  },
};

function itemPositionals(input: CommandInput): [string, string] {
  const [name, itemId] = input.positionals as [string, string];
  return [name, optionalItemId(itemId)!];
}

/** An item id checked here, so a mistyped one is a usage error (exit 2) before any request. */
function optionalItemId(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = datasetItemIdSchema.safeParse(raw);
  if (!parsed.success)
    throw new FlywheelError(
      'invalid_argument',
      `'${raw}' is not an item id: ${parsed.error.issues[0]?.message ?? 'use letters, digits and . _ : -'}.`,
    );
  return parsed.data;
}

/** The content flags given, as the API's fields; absent flags are absent keys. */
function itemContent(input: CommandInput): Partial<PutDatasetItemRequest> {
  const inputFlag = stringFlag(input, 'input');
  const metadataFlag = stringFlag(input, 'metadata');
  const expected = input.flags.expected;
  return {
    ...(inputFlag === undefined ? {} : { input: parseJsonObject(inputFlag, '--input') }),
    ...(typeof expected === 'string' ? { expected_output: parseExpected(expected) } : {}),
    ...(metadataFlag === undefined ? {} : { metadata: parseJsonObject(metadataFlag, '--metadata') }),
  };
}

/** JSON when the text is JSON (so `42`, `true`, `null` and `{…}` keep their type), else the text. */
function parseExpected(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The item, or undefined when the dataset exists but has no item with this id. */
async function findItem(
  client: FlywheelClient,
  name: string,
  itemId: string,
): Promise<DatasetItemBody | undefined> {
  try {
    return await client.datasets.getItem(name, itemId);
  } catch (error) {
    if (FlywheelError.is(error) && error.code === 'dataset_item_not_found') return undefined;
    throw error;
  }
}

function describeItem(name: string, item: DatasetItemBody): string {
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  const source =
    item.source_trace_id === null
      ? '(none)'
      : `trace ${item.source_trace_id}${item.source_span_id === null ? '' : `, span ${item.source_span_id}`}`;
  return [
    `Item ${item.id} of ${name}`,
    `Stored by:   version ${item.version}`,
    `Created:     ${item.created_at}`,
    `Updated:     ${item.updated_at}`,
    `Source:      ${source}`,
    `Metadata:    ${Object.keys(item.metadata).length === 0 ? '(none)' : JSON.stringify(item.metadata)}`,
    '',
    'Input:',
    json(item.input),
    '',
    'Expected output:',
    item.expected_output === null || item.expected_output === undefined
      ? '(none)'
      : json(item.expected_output),
    '',
  ].join('\n');
}
