import type { DatasetFromTracesRequest, DatasetTraceFilter } from '@flywheel/spec';
import { FlywheelError } from '@flywheel/spec';
import type { CommandDefinition, CommandInput } from '../command.js';
import { countFlag, listFlag } from './dataset-flags.js';
import { jsonOption } from './datasets-commands.js';
import { remoteOptions, stringFlag, withRemote } from './remote-options.js';

export const datasetsAddFromTracesCommand: CommandDefinition = {
  path: ['datasets', 'add-from-traces'],
  summary: 'Add stored traces to a dataset as items (id and source = the trace).',
  usage: 'datasets add-from-traces <name> (--trace-id <id>… | filters) [options]',
  description:
    "Give trace ids, or filters as in GET /api/traces (newest first, up to --limit). Each trace makes one item whose id is the trace's id: its input (or its first generation's), its output as the expected output (or its last generation's). A trace already in the dataset is left as it is. Traces that are unknown or have no input are listed; the exit code is 1 only when no trace could be used.",
  options: {
    'trace-id': {
      type: 'string',
      multiple: true,
      valueName: 'id',
      description: 'A trace to add (repeat, or a comma list).',
    },
    from: { type: 'string', valueName: 'time', description: 'Traces that started at or after (ISO time).' },
    to: { type: 'string', valueName: 'time', description: 'Traces that started before (ISO time).' },
    name: { type: 'string', valueName: 'name', description: 'Traces with this name.' },
    'user-id': { type: 'string', valueName: 'id', description: 'Traces of this user.' },
    'session-id': { type: 'string', valueName: 'id', description: 'Traces of this session.' },
    tag: {
      type: 'string',
      multiple: true,
      valueName: 'tag',
      description: 'Traces with this tag (repeat: all of them).',
    },
    model: { type: 'string', valueName: 'model', description: 'Traces with a generation on this model.' },
    status: { type: 'string', valueName: 'status', description: 'ok or error.' },
    environment: { type: 'string', valueName: 'env', description: 'Traces of this environment.' },
    limit: {
      type: 'string',
      valueName: 'n',
      description: 'At most this many traces (default 100, at most 5000).',
    },
    'input-from': {
      type: 'string',
      valueName: 'where',
      description: 'trace_input (default; falls back to the first generation) or generation_input.',
    },
    'expected-from': {
      type: 'string',
      valueName: 'where',
      description: 'trace_output (default; falls back to the last generation) or none.',
    },
    ...jsonOption,
    ...remoteOptions,
  },
  positionals: { names: ['name'], min: 1 },
  examples: [
    ['flywheel datasets add-from-traces support/golden --trace-id tr_1,tr_2', 'Two traces, by id.'],
    [
      'flywheel datasets add-from-traces support/golden --name triage --tag prod --status ok --limit 500',
      'The newest 500 good production triage traces.',
    ],
    [
      'flywheel datasets add-from-traces regressions --status error --input-from generation_input --expected-from none',
      'Failed traces, from what the model was sent, with no expected output yet.',
    ],
  ],
  async run(input, io) {
    const name = input.positionals[0]!;
    const request = fromTracesRequest(input);
    return withRemote(input, io, async (client) => {
      const result = await client.datasets.fromTraces(name, request);
      if (input.flags.json) io.stdout(`${JSON.stringify(result)}\n`);
      else {
        io.stdout(
          `${name} is at version ${result.version}: ${result.created} traces added, ${result.exists} already there, ${result.failed} without an item.\n`,
        );
        for (const item of result.items.filter((entry) => entry.item_id === null))
          io.stderr(`  ${item.trace_id}: ${item.status}${item.message ? ` (${item.message})` : ''}\n`);
      }
      return result.failed > 0 && result.created + result.exists === 0 ? 1 : 0;
    });
  },
};

function fromTracesRequest(input: CommandInput): DatasetFromTracesRequest {
  const traceIds = listFlag(input.flags['trace-id']);
  const filter: DatasetTraceFilter = {};
  for (const [flag, field] of [
    ['from', 'from'],
    ['to', 'to'],
    ['name', 'name'],
    ['user-id', 'user_id'],
    ['session-id', 'session_id'],
    ['model', 'model'],
    ['environment', 'environment'],
  ] as const) {
    const value = stringFlag(input, flag);
    if (value !== undefined) filter[field] = value;
  }
  const status = stringFlag(input, 'status');
  if (status !== undefined) {
    if (status !== 'ok' && status !== 'error')
      throw new FlywheelError('invalid_argument', `--status must be ok or error, not '${status}'.`);
    filter.status = status;
  }
  const tags = listFlag(input.flags.tag);
  if (tags.length > 0) filter.tags = tags;
  if (stringFlag(input, 'limit') !== undefined)
    filter.limit = countFlag(input, 'limit', 100, { min: 1, max: 5000 });
  const filtered = Object.keys(filter).length > 0;
  if (traceIds.length > 0 && filtered)
    throw new FlywheelError('invalid_argument', 'Give --trace-id or filters (--name, --tag, …), not both.');
  if (traceIds.length === 0 && !filtered)
    throw new FlywheelError(
      'invalid_argument',
      'Say which traces: --trace-id <id>, or filters such as --name, --tag, --from, --status (with --limit).',
    );
  const inputFrom = stringFlag(input, 'input-from');
  if (inputFrom !== undefined && inputFrom !== 'trace_input' && inputFrom !== 'generation_input')
    throw new FlywheelError(
      'invalid_argument',
      `--input-from must be trace_input or generation_input, not '${inputFrom}'.`,
    );
  const expectedFrom = stringFlag(input, 'expected-from');
  if (expectedFrom !== undefined && expectedFrom !== 'trace_output' && expectedFrom !== 'none')
    throw new FlywheelError(
      'invalid_argument',
      `--expected-from must be trace_output or none, not '${expectedFrom}'.`,
    );
  return {
    ...(traceIds.length > 0 ? { trace_ids: traceIds } : { filter }),
    ...(inputFrom === undefined ? {} : { input_from: inputFrom }),
    ...(expectedFrom === undefined ? {} : { expected_from: expectedFrom }),
  };
}
