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
