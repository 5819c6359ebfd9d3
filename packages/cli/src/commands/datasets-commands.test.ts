import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '@flywheel/server';
import { type RunningFlywheel, startFlywheel } from '@flywheel/server/main';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import type { CliIo } from '../command.js';

// `flywheel datasets …` against a real Flywheel listening on a free port.

let server: RunningFlywheel;
let adminKey: string;
const workDir = mkdtempSync(join(tmpdir(), 'flywheel-datasets-cli-'));

beforeAll(async () => {
  const settings = loadSettings({
    flags: {
      'data-dir': mkdtempSync(join(tmpdir(), 'flywheel-datasets-data-')),
      port: '0',
      'log-level': 'silent',
    },
    env: {},
  });
  server = await startFlywheel(settings, { print: () => {} });
  adminKey = server.bootstrap!.adminKey;
});
afterAll(() => server.close());

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { FLYWHEEL_URL: server.url, FLYWHEEL_API_KEY: adminKey },
    cwd: workDir,
    onShutdownSignal: () => () => {},
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const write = (name: string, text: string) => writeFileSync(join(workDir, name), text);
const jsonLines = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('flywheel datasets', () => {
  it('imports a CSV in batches with progress, and importing it again adds nothing', async () => {
    const rows = Array.from(
      { length: 2500 },
      (_, index) =>
        `"Ticket ${index}: ""refund"", please",product-${index % 3},${index % 2 ? 'billing' : ''},web`,
    );
    write('tickets.csv', `\uFEFFticket,product,queue,source\r\n${rows.join('\r\n')}\r\n`);
    const args = [
      'datasets',
      'import',
      'support/tickets',
      'tickets.csv',
      '--expected-column',
      'queue',
      '--metadata-columns',
      'source',
      '--create',
    ];
    const first = await run(args);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('imported 1000/2500\nimported 2000/2500\nimported 2500/2500\n');
    expect(first.stdout).toBe(
      'Imported 2500 items from tickets.csv into support/tickets: 2500 created, 0 updated, 0 unchanged. support/tickets is at version 3 (2500 items).\n',
    );
    const again = await run(args);
    expect(again.stdout).toContain('0 created, 0 updated, 2500 unchanged. support/tickets is at version 3');

    const shown = await run(['datasets', 'show', 'support/tickets', '--items', '2']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Version:     3\nItems:       2500\n');
    expect(shown.stdout).toMatch(
      /VERSION\s+CREATED\s+UPDATED\s+DELETED\s+ITEMS\s+BY\s+AT\n3\s+500\s+0\s+0\s+2500/,
    );
    expect(shown.stdout).toMatch(
      /row-[0-9a-f]{24} +\{"ticket":"Ticket 0: \\"refund\\", please","product":"product-0"\} +null\n/,
    );
    const list = await run(['datasets', 'list']);
    expect(list.stdout).toMatch(/support\/tickets\s+3\s+2500/);

    // Streamed over HTTP, page after page, in file order.
    const exported = await run(['datasets', 'export', 'support/tickets', '--output', 'tickets.jsonl']);
    expect(exported.stderr).toBe('Exported 2500 items of support/tickets version 3 to tickets.jsonl.\n');
    const lines = jsonLines(readFileSync(join(workDir, 'tickets.jsonl'), 'utf8'));
    expect(lines.map((line) => line.input.ticket)).toEqual(
      Array.from({ length: 2500 }, (_, index) => `Ticket ${index}: "refund", please`),
    );
    expect(lines[1]).toMatchObject({ expected_output: 'billing', metadata: { source: 'web' } });
  });

  it('round-trips export and import, at any version', async () => {
    write(
      'qa.jsonl',
      [
        JSON.stringify({
          id: 'fr',
          input: { country: 'France' },
          expected_output: 'Paris',
          metadata: { level: 1 },
        }),
        JSON.stringify({ id: 'jp', vars: { country: 'Japan' }, expected: { city: 'Tokyo' } }),
        JSON.stringify({ id: 'pe', input: { country: 'Peru', nested: { a: [1, { b: null }] } } }),
      ].join('\n'),
    );
    expect((await run(['datasets', 'create', 'qa', '--description', 'capitals'])).code).toBe(0);
    const imported = await run(['datasets', 'import', 'qa', 'qa.jsonl']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('3 created');
    // Version 2: France edited by a flat line, with its id and expected columns named by flags.
    write('edit.jsonl', '{"key":"fr","country":"France","capital":"Paris, France"}\n');
    expect(
      (
        await run([
          'datasets',
          'import',
          'qa',
          'edit.jsonl',
          '--id-column',
          'key',
          '--expected-column',
          'capital',
        ])
      ).stdout,
    ).toContain('0 created, 1 updated, 0 unchanged');

    const exported = await run(['datasets', 'export', 'qa', '--output', 'qa-export.jsonl']);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toBe('Exported 3 items of qa version 2 to qa-export.jsonl.\n');
    const lines = jsonLines(readFileSync(join(workDir, 'qa-export.jsonl'), 'utf8'));
    expect(lines).toEqual([
      {
        id: 'fr',
        input: { country: 'France' },
        expected_output: 'Paris, France',
        metadata: {},
        source_trace_id: null,
        source_span_id: null,
      },
      {
        id: 'jp',
        input: { country: 'Japan' },
        expected_output: { city: 'Tokyo' },
        metadata: {},
        source_trace_id: null,
        source_span_id: null,
      },
      {
        id: 'pe',
        input: { country: 'Peru', nested: { a: [1, { b: null }] } },
        expected_output: null,
        metadata: {},
        source_trace_id: null,
        source_span_id: null,
      },
    ]);
    const v1 = await run(['datasets', 'export', 'qa', '--version', '1']);
    expect(jsonLines(v1.stdout)[0]).toMatchObject({
      id: 'fr',
      expected_output: 'Paris',
      metadata: { level: 1 },
    });

    // The export imports into another dataset unchanged.
    expect((await run(['datasets', 'import', 'qa-copy', 'qa-export.jsonl', '--create'])).code).toBe(0);
    const copy = await run(['datasets', 'export', 'qa-copy']);
    expect(jsonLines(copy.stdout)).toEqual(lines);
  });

  it('adds traces by id and by filter', async () => {
    const at = new Date().toISOString();
    const response = await fetch(`${server.url}/api/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: ['a', 'b'].map((suffix) => ({
          id: `ev-${suffix}`,
          type: 'trace-create',
          timestamp: at,
          body: {
            id: `tr-cli-${suffix}`,
            name: 'cli-triage',
            start_time: at,
            tags: ['cli'],
            input: { ticket: `ticket ${suffix}` },
            output: 'billing',
          },
        })),
      }),
    });
    expect(response.status).toBe(200);
    await run(['datasets', 'create', 'from-prod']);
    const byId = await run(['datasets', 'add-from-traces', 'from-prod', '--trace-id', 'tr-cli-a,tr-missing']);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toBe(
      'from-prod is at version 1: 1 traces added, 0 already there, 1 without an item.\n',
    );
    expect(byId.stderr).toContain(
      "tr-missing: trace_not_found (No trace with id 'tr-missing' in this project.)",
    );
    const byFilter = await run([
      'datasets',
      'add-from-traces',
      'from-prod',
      '--name',
      'cli-triage',
      '--tag',
      'cli',
      '--limit',
      '10',
    ]);
    expect(byFilter.stdout).toBe(
      'from-prod is at version 2: 1 traces added, 1 already there, 0 without an item.\n',
    );
    const items = jsonLines((await run(['datasets', 'export', 'from-prod'])).stdout);
    expect(items.map((item) => [item.id, item.source_trace_id, item.expected_output])).toEqual([
      ['tr-cli-a', 'tr-cli-a', 'billing'],
      ['tr-cli-b', 'tr-cli-b', 'billing'],
    ]);
    const nothing = await run(['datasets', 'add-from-traces', 'from-prod', '--trace-id', 'tr-nope']);
    expect(nothing.code).toBe(1);
    expect((await run(['datasets', 'add-from-traces', 'from-prod'])).stderr).toContain('Say which traces');
  });

  it('explains bad files and flags with the file, the line and what to fix', async () => {
    write('broken.csv', 'question,answer\n"ok",fine\n"Where is ""it"", again?,lost\n');
    const broken = await run(['datasets', 'import', 'qa', 'broken.csv', '--expected-column', 'answer']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(
      'error [invalid_import_file]: broken.csv: line 3: a quoted field opened here is never closed; end it with a double quote (write a quote inside it as "")\n',
    );
    write('cols.csv', 'question,answer\nq,a\n');
    const unknown = await run(['datasets', 'import', 'qa', 'cols.csv', '--expected-column', 'expected']);
    expect(unknown.stderr).toContain(
      "cols.csv: line 1: --expected-column names 'expected', but the columns are: question, answer",
    );
    const missing = await run(['datasets', 'import', 'qa', 'nope.csv']);
    expect(missing.stderr).toContain('nope.csv: cannot be read');
    const noDataset = await run(['datasets', 'import', 'not-there', 'cols.csv']);
    expect(noDataset.code).toBe(1);
    expect(noDataset.stderr).toContain(
      "error [dataset_not_found]: This project has no dataset named 'not-there'.",
    );
    expect(noDataset.stderr).toContain('or pass --create');
    expect((await run(['datasets', 'delete', 'qa-copy'])).stderr).toContain('add --yes to confirm');
    expect((await run(['datasets', 'delete', 'qa-copy', '--yes'])).stdout).toBe('Deleted dataset qa-copy.\n');
    expect((await run(['datasets', 'show', 'qa-copy'])).stderr).toContain('dataset_not_found');
    expect((await run(['datasets', 'export', 'qa', '--version', 'x'])).code).toBe(2);
  });
});

describe('flywheel datasets: one dataset or item at a time', () => {
  it('updates a dataset’s description and metadata, keeping its items and version', async () => {
    expect((await run(['datasets', 'create', 'crud', '--description', 'first draft'])).code).toBe(0);
    const updated = await run(['datasets', 'update', 'crud', '--metadata', '{"owner":"kim"}']);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toBe(
      'Updated the metadata of crud; its items are unchanged (version 0, 0 items).\n',
    );
    const cleared = await run(['datasets', 'update', 'crud', '--description', '', '--json']);
    expect(cleared.code).toBe(0);
    expect(JSON.parse(cleared.stdout)).toMatchObject({
      name: 'crud',
      description: null,
      metadata: { owner: 'kim' },
      version: 0,
    });

    const nothing = await run(['datasets', 'update', 'crud']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("Say what to change: --description <text> ('' removes it)");
    const badJson = await run(['datasets', 'update', 'crud', '--metadata', '["a"]']);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--metadata must be a JSON object');
    const missing = await run(['datasets', 'update', 'no-such-set', '--description', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "error [dataset_not_found]: This project has no dataset named 'no-such-set'.",
    );
  });

  it('adds, shows, updates and deletes single items, each write a new version', async () => {
    const added = await run([
      'datasets',
      'add-item',
      'crud',
      '--id',
      'fr',
      '--input',
      '{"country":"France"}',
      '--expected',
      'Paris',
      '--metadata',
      '{"level":1}',
    ]);
    expect(added.code).toBe(0);
    expect(added.stdout).toBe('Added item fr to crud; crud is at version 1.\n');
    const generated = await run(['datasets', 'add-item', 'crud', '--input', '{"country":"Japan"}', '--json']);
    expect(generated.code).toBe(0);
    const generatedBody = JSON.parse(generated.stdout);
    expect(generatedBody).toMatchObject({ version: 2, created: 1, items: [{ status: 'created' }] });
    const japan = await run(['datasets', 'show-item', 'crud', generatedBody.items[0].id, '--json']);
    expect(JSON.parse(japan.stdout)).toMatchObject({ input: { country: 'Japan' }, expected_output: null });

    const shown = await run(['datasets', 'show-item', 'crud', 'fr']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Item fr of crud\nStored by:   version 1\n');
    expect(shown.stdout).toContain('Metadata:    {"level":1}\n\nInput:\n{\n  "country": "France"\n}\n');
    expect(shown.stdout).toContain('Expected output:\n"Paris"\n');

    // Only the fields given change; the rest is kept.
    const updated = await run(['datasets', 'update-item', 'crud', 'fr', '--expected', '{"city":"Paris"}']);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toBe(
      'Updated item fr of crud; crud is at version 3 (version 2 still holds the old content).\n',
    );
    const afterUpdate = JSON.parse((await run(['datasets', 'show-item', 'crud', 'fr', '--json'])).stdout);
    expect(afterUpdate).toMatchObject({
      input: { country: 'France' },
      expected_output: { city: 'Paris' },
      metadata: { level: 1 },
      version: 3,
    });
    const same = await run(['datasets', 'update-item', 'crud', 'fr', '--metadata', '{"level":1}']);
    expect(same.stdout).toBe('Item fr of crud already holds this; nothing changed (version 3).\n');
    const cleared = await run(['datasets', 'update-item', 'crud', 'fr', '--expected', 'null', '--json']);
    expect(JSON.parse(cleared.stdout)).toMatchObject({ version: 4, item: { expected_output: null } });

    const deleted = await run(['datasets', 'delete-item', 'crud', 'fr']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(
      'Deleted item fr from crud; crud is at version 5 (version 4 still holds it).\n',
    );
    const gone = await run(['datasets', 'show-item', 'crud', 'fr']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("error [dataset_item_not_found]: Dataset 'crud' has no item 'fr'.");
    const atOne = JSON.parse(
      (await run(['datasets', 'show-item', 'crud', 'fr', '--version', '1', '--json'])).stdout,
    );
    expect(atOne).toMatchObject({ expected_output: 'Paris', version: 1 });
    expect((await run(['datasets', 'show', 'crud', '--json'])).stdout).toContain('"item_count":1');
  });

  it('refuses bad item flags with exit 2 and unknown items or datasets with exit 1', async () => {
    const noInput = await run(['datasets', 'add-item', 'crud', '--expected', 'x']);
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toContain('--input is required: the item’s variables as a JSON object');
    expect(noInput.stderr).toContain("Run 'flywheel datasets add-item --help'");
    const notJson = await run(['datasets', 'add-item', 'crud', '--input', '{country: France}']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('--input is not valid JSON');
    const badId = await run(['datasets', 'add-item', 'crud', '--id', 'a b', '--input', '{}']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain("'a b' is not an item id: ids may use letters, digits and . _ : -");
    const nothing = await run(['datasets', 'update-item', 'crud', 'x']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('Say what to change: --input <json>');
    expect((await run(['datasets', 'show-item', 'crud', 'x', '--version', 'latest'])).code).toBe(2);
    expect((await run(['datasets', 'show-item', 'crud'])).stderr).toContain('Missing <item-id>.');

    expect((await run(['datasets', 'add-item', 'crud', '--id', 'dup', '--input', '{"a":1}'])).code).toBe(0);
    const duplicate = await run(['datasets', 'add-item', 'crud', '--id', 'dup', '--input', '{"a":2}']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain(
      "error [conflict]: Dataset 'crud' already has an item 'dup'. Change it with: flywheel datasets update-item crud dup",
    );
    expect(JSON.parse((await run(['datasets', 'show-item', 'crud', 'dup', '--json'])).stdout).input).toEqual({
      a: 1,
    });

    for (const argv of [
      ['datasets', 'update-item', 'crud', 'nope', '--expected', 'x'],
      ['datasets', 'delete-item', 'crud', 'nope'],
    ]) {
      const result = await run(argv);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("error [dataset_item_not_found]: Dataset 'crud' has no item 'nope'.");
    }
    const noDataset = await run(['datasets', 'add-item', 'no-such-set', '--input', '{}']);
    expect(noDataset.code).toBe(1);
    expect(noDataset.stderr).toContain('error [dataset_not_found]');
  });

  it('documents each item command with worked examples', async () => {
    const help = await run(['datasets', 'update-item', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: flywheel datasets update-item <name> <item-id>');
    expect(help.stdout).toContain('$ flywheel datasets update-item qa fr --expected null');
    const group = await run(['datasets', '--help']);
    expect(group.stdout).toMatch(/flywheel datasets show-item +Show one item/);
  });
});

describe('flywheel datasets import against a small body limit', () => {
  let small: RunningFlywheel;
  beforeAll(async () => {
    small = await startFlywheel(
      loadSettings({
        flags: {
          'data-dir': mkdtempSync(join(tmpdir(), 'flywheel-datasets-small-')),
          port: '0',
          'log-level': 'silent',
        },
        env: { FLYWHEEL_INGEST_BODY_LIMIT_BYTES: '20000' },
      }),
      { print: () => {} },
    );
  });
  afterAll(() => small.close());

  async function runSmall(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { FLYWHEEL_URL: small.url, FLYWHEEL_API_KEY: small.bootstrap!.adminKey },
      cwd: workDir,
      onShutdownSignal: () => () => {},
    });
    return { code, stdout, stderr };
  }

  it('splits batches the server refuses as too large, and names a row that never fits', async () => {
    const rows = Array.from({ length: 300 }, (_, index) => `q${index},${'x'.repeat(150)}`);
    write('wide.csv', `id,text\n${rows.join('\n')}\n`);
    const result = await runSmall([
      'datasets',
      'import',
      'wide',
      'wide.csv',
      '--id-column',
      'id',
      '--create',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Imported 300 items from wide.csv into wide: 300 created');
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('imported 300/300');
    expect(result.stderr.split('\n').length).toBeGreaterThan(2);

    write('huge.csv', `id,text\nsmall,x\nbig,${'y'.repeat(30_000)}\n`);
    const huge = await runSmall(['datasets', 'import', 'wide', 'huge.csv', '--id-column', 'id']);
    expect(huge.code).toBe(1);
    expect(huge.stderr).toContain(
      'huge.csv: line 3: this item alone is larger than the server takes in one request',
    );
    expect(huge.stderr).toContain('imported 1/2');
  });
});
