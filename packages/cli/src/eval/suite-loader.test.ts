import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertionRegistry, type EvalCase } from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { loadSuite, type SuiteSources } from './suite-loader.js';

const dir = mkdtempSync(join(tmpdir(), 'flywheel-suite-loader-'));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A dataset source that records the versions it was asked for; version 7 is current. */
function datasetSource(items: Array<{ id: string; country: string }>) {
  const reads: Array<number | undefined> = [];
  const sources: SuiteSources = {
    getPrompt: () => Promise.reject(new FlywheelError('prompt_not_found', 'none')),
    async datasetItems(_name, version) {
      reads.push(version);
      return {
        version: version ?? 7,
        items: (async function* () {
          for (const item of items) {
            yield { id: item.id, input: { country: item.country }, expected_output: 'x' };
          }
        })(),
      };
    },
  };
  return { sources, reads };
}

async function collect(cases: AsyncIterable<EvalCase>): Promise<EvalCase[]> {
  const all: EvalCase[] = [];
  for await (const evalCase of cases) all.push(evalCase);
  return all;
}

describe('loadSuite', () => {
  it('builds the same cases, with the same keys, every time they are read', async () => {
    write('rows.csv', 'country,__expected\nFrance,icontains: Paris\nFrance,icontains: Paris\nSpain,Madrid\n');
    write('rows.jsonl', '{"vars": {"country": "Italy"}}\n\n{"vars": {"country": "France"}}\n');
    const suite = write(
      'suite.yaml',
      `prompts: ["Capital of {{country}}?"]
providers: [flywheel:m]
defaultTest: { assert: [{ type: not-icontains, value: sorry }] }
tests:
  - vars: { country: France }
  - file://rows.csv
  - file://rows.jsonl
  - dataset:capitals
`,
    );
    const { sources, reads } = datasetSource([
      { id: 'item-a', country: 'Japan' },
      { id: 'item-b', country: 'Chile' },
    ]);
    const loaded = await loadSuite(suite, sources, assertionRegistry);
    expect(loaded.caseCount).toBe(8);
    expect(loaded.datasets).toEqual([{ name: 'capitals', version: 7 }]);

    const first = await collect(loaded.cases());
    const second = await collect(loaded.cases());
    expect(first.map((evalCase) => evalCase.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(second).toEqual(first);
    // The run reads the dataset at the version the check read, not whatever is current then.
    expect(reads).toEqual([undefined, 7, 7]);

    const [inline, csvFrance, csvFranceAgain, csvSpain, jsonlItaly, jsonlFrance, japan] = first;
    expect(inline!.source).toBe('tests[0]');
    expect(csvFrance!.source).toBe('rows.csv:2');
    expect(jsonlFrance!.source).toBe('rows.jsonl:3');
    expect(japan!.key).toBe('item-a');
    // Same description and vars (assertions aside): one key, told apart by a counter, in order.
    expect(csvFrance!.key).toBe(`${inline!.key}#1`);
    expect(csvFranceAgain!.key).toBe(`${inline!.key}#2`);
    expect(jsonlItaly!.key).not.toContain('#');
    expect(csvSpain!.assert).toEqual([
      { type: 'not-icontains', value: 'sorry' },
      { type: 'equals', value: 'Madrid' },
    ]);
  });

  it('counts every problem of a large suite before anything runs, naming the line of each', async () => {
    const rows = Array.from({ length: 3000 }, (_, index) => `c${index},regex: (`).join('\n');
    const suite = write(
      'bad.yaml',
      'prompts: ["{{country}}"]\nproviders: [flywheel:m]\ntests: [file://bad.csv]\n',
    );
    write('bad.csv', `country,__expected\n${rows}\n`);
    const error = await loadSuite(suite, datasetSource([]).sources, assertionRegistry).catch(
      (caught: unknown) => caught,
    );
    expect(FlywheelError.is(error) && error.code).toBe('invalid_argument');
    const message = (error as Error).message;
    expect(message).toContain('3000 problems');
    expect(message).toContain('bad.csv:2');
    expect(message).toContain('… and 2950 more');
  });

  it('refuses a broken CSV row with its line, before anything runs', async () => {
    write('broken.csv', 'country,__expected\nFrance,Paris\nSpain\n');
    const suite = write(
      'broken.yaml',
      'prompts: ["{{country}}"]\nproviders: [flywheel:m]\ntests: [file://broken.csv]\n',
    );
    await expect(loadSuite(suite, datasetSource([]).sources, assertionRegistry)).rejects.toThrow(
      'broken.csv:3: has 1 fields but the header has 2.',
    );
  });
});
