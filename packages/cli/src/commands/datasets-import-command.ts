import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FlywheelClient } from '@flywheel/sdk';
import { type DatasetWriteBody, FlywheelError } from '@flywheel/spec';
import type { CommandDefinition } from '../command.js';
import { countFlag, listFlag } from './dataset-flags.js';
import { type ColumnMapping, type ImportRow, readImportFile } from './dataset-import-file.js';
import { describeDataset } from './datasets-commands.js';
import { remoteOptions, stringFlag, withRemote } from './remote-options.js';

/** Most items one import request carries. */
const maxBatchSize = 1000;
const maxAttempts = 4;

export const datasetsImportCommand: CommandDefinition = {
  path: ['datasets', 'import'],
  summary: 'Add the rows of a CSV or JSONL file to a dataset.',
  usage:
    'datasets import <name> <file.csv|file.jsonl> [--input-columns a,b] [--expected-column c] [--metadata-columns x,y] [--id-column id] [--create] [options]',
  description:
    "CSV: the first line names the columns; every column not mapped elsewhere is an input variable (or only those of --input-columns); values are text, and an empty expected cell means none. JSONL: a line with 'input' (or 'vars') holds id, input, expected_output (or expected), metadata, source_trace_id, source_span_id, as 'flywheel datasets export' writes them; any other line is flat and mapped by the column flags like a CSV row, with its JSON values kept. The whole file is checked before anything is sent, then sent in batches of up to 1,000 items, each one new dataset version. Rows without an id get one made from their content, so running the same import again (say, after an interruption) adds nothing twice; a row whose id exists with other content replaces that item.",
  options: {
    'input-columns': {
      type: 'string',
      valueName: 'a,b',
      description: 'Columns that are input variables (default: every column not mapped elsewhere).',
    },
    'expected-column': {
      type: 'string',
      valueName: 'column',
      description: 'The column with the expected output.',
    },
    'metadata-columns': {
      type: 'string',
      valueName: 'x,y',
      description: 'Columns kept as the item’s metadata.',
    },
    'id-column': { type: 'string', valueName: 'column', description: 'The column with each item’s id.' },
    create: { type: 'boolean', description: 'Create the dataset when it does not exist yet.' },
    'batch-size': {
      type: 'string',
      valueName: 'n',
      description: 'Items per request (default and most 1000).',
    },
    json: { type: 'boolean', description: 'Print the result as JSON.' },
    ...remoteOptions,
  },
  positionals: { names: ['name', 'file'], min: 2 },
  examples: [
    [
      'flywheel datasets import support/golden tickets.csv --expected-column queue --metadata-columns source --create',
      'Every other column (say ticket, product) becomes an input variable.',
    ],
    [
      'flywheel datasets import qa qa.csv --input-columns question,context --expected-column answer --id-column id',
      'Named columns, with stable ids: re-importing an edited file updates those items.',
    ],
    [
      'flywheel datasets import support/golden golden.jsonl',
      'Lines as export writes them: {"id","input","expected_output",…}.',
    ],
  ],
  async run(input, io) {
    const [name, file] = input.positionals as [string, string];
    const mapping: ColumnMapping = {};
    const inputColumns = listFlag(input.flags['input-columns']);
    const metadataColumns = listFlag(input.flags['metadata-columns']);
    if (inputColumns.length > 0) mapping.inputColumns = inputColumns;
    if (metadataColumns.length > 0) mapping.metadataColumns = metadataColumns;
    const expectedColumn = stringFlag(input, 'expected-column');
    if (expectedColumn !== undefined) mapping.expectedColumn = expectedColumn;
    const idColumn = stringFlag(input, 'id-column');
    if (idColumn !== undefined) mapping.idColumn = idColumn;
    const batchSize = countFlag(input, 'batch-size', maxBatchSize, { min: 1, max: maxBatchSize });

    let text: string;
    try {
      text = await readFile(resolve(io.cwd, file), 'utf8');
    } catch (error) {
      throw new FlywheelError(
        'invalid_import_file',
        `${file}: cannot be read (${(error as Error).message}).`,
      );
    }
    const rows = readImportFile(file, text, mapping);
    if (rows.length === 0) throw new FlywheelError('invalid_import_file', `${file}: holds no items.`);

    return withRemote(input, io, async (client) => {
      if (input.flags.create) await createIfMissing(client, name);
      const totals = { created: 0, updated: 0, unchanged: 0 };
      let done = 0;
      const send = async (batch: ImportRow[]): Promise<void> => {
        let result: DatasetWriteBody;
        try {
          result = await withRetries(() =>
            client.datasets.addItems(name, { items: batch.map((row) => row.item) }),
          );
        } catch (error) {
          if (FlywheelError.is(error) && error.code === 'payload_too_large') {
            if (batch.length === 1) {
              throw new FlywheelError(
                'payload_too_large',
                `${file}: line ${batch[0]!.line}: this item alone is larger than the server takes in one request (FLYWHEEL_INGEST_BODY_LIMIT_BYTES); shorten it or raise the limit.`,
              );
            }
            // Smaller requests, until each fits under the server's body limit.
            const half = Math.ceil(batch.length / 2);
            await send(batch.slice(0, half));
            await send(batch.slice(half));
            return;
          }
          throw explain(error, {
            file,
            name,
            batch,
            done,
            total: rows.length,
            create: input.flags.create === true,
          });
        }
        totals.created += result.created;
        totals.updated += result.updated;
        totals.unchanged += result.unchanged;
        done += batch.length;
        io.stderr(`imported ${done}/${rows.length}\n`);
      };
      for (let start = 0; start < rows.length; start += batchSize)
        await send(rows.slice(start, start + batchSize));
      const dataset = await client.datasets.get(name);
      if (input.flags.json) {
        io.stdout(`${JSON.stringify({ dataset, items: rows.length, ...totals })}\n`);
      } else {
        io.stdout(
          `Imported ${rows.length} items from ${file} into ${name}: ${totals.created} created, ${totals.updated} updated, ${totals.unchanged} unchanged. ${describeDataset(dataset)}.\n`,
        );
      }
      return 0;
    });
  },
};

async function createIfMissing(client: FlywheelClient, name: string) {
  try {
    await client.datasets.create({ name });
  } catch (error) {
    if (!FlywheelError.is(error) || error.code !== 'conflict') throw error;
  }
}

/** Retries what may succeed later (a busy database, a restart); safe, since re-sent items are no-ops. */
async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!FlywheelError.is(error) || !error.isRetryable || attempt >= maxAttempts) throw error;
      const waitMs = Math.max((error.retryAfterSeconds ?? 0) * 1000, 250 * 2 ** attempt);
      await new Promise((done) => setTimeout(done, Math.min(waitMs, 10_000)));
    }
  }
}

/** An error mid-import, with where it stopped, what is stored, and what to do. */
function explain(
  error: unknown,
  context: { file: string; name: string; batch: ImportRow[]; done: number; total: number; create: boolean },
): unknown {
  if (!FlywheelError.is(error)) return error;
  let message = error.message;
  // The server names items by their index in the request: name the file's line instead.
  const path = Array.isArray(error.details)
    ? (error.details as Array<{ path?: unknown }>).find((issue) => typeof issue.path === 'string')?.path
    : undefined;
  const index = typeof path === 'string' ? /^body\.items\.(\d+)/.exec(path)?.[1] : undefined;
  const row = index === undefined ? undefined : context.batch[Number(index)];
  if (row) message = `${context.file}: line ${row.line}: ${message}`;
  if (error.code === 'dataset_not_found' && !context.create)
    message += ` Create it with 'flywheel datasets create ${context.name}', or pass --create.`;
  if (context.done > 0)
    message += ` Stopped after ${context.done} of ${context.total} items; those are stored. Run the same import again to add the rest: items already stored are left unchanged.`;
  return new FlywheelError(error.code, message, {
    cause: error,
    details: error.details,
    status: error.status,
  });
}
