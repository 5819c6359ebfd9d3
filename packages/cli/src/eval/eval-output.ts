import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { extname } from 'node:path';
import type { EvalCaseResult } from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec';

/** Where results go besides storage: `--output results.json|results.jsonl|junit.xml`. */
export interface EvalOutput {
  write(result: EvalCaseResult, labels: { prompt: string; provider: string }): Promise<void>;
  /** Writes what only the end knows (summary, counts) and closes the file. */
  close(summary: Record<string, unknown>): Promise<void>;
}

export type EvalOutputFormat = 'json' | 'jsonl' | 'junit';

/** The format a `--output` path asks for, by its extension. */
export function outputFormat(path: string): EvalOutputFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.xml') return 'junit';
  throw new FlywheelError(
    'invalid_argument',
    `--output ${path}: the file name must end in .json, .jsonl or .xml (JUnit), e.g. --output results.jsonl.`,
  );
}

/**
 * Opens an output file. Results are streamed as they arrive (memory stays flat for 100,000
 * cases); JSON gets its summary at the end, JUnit its counts (cases go to a side file first, since
 * the counts come before them in the document).
 */
export async function openEvalOutput(path: string): Promise<EvalOutput> {
  const format = outputFormat(path);
  const file = createWriteStream(path);
  await once(file, 'open');
  if (format === 'jsonl') {
    return {
      write: (result, labels) => writeText(file, `${JSON.stringify(resultRecord(result, labels))}\n`),
      close: async () => end(file),
    };
  }
  if (format === 'json') {
    let first = true;
    await writeText(file, '{"results":[\n');
    return {
      async write(result, labels) {
        await writeText(file, `${first ? '' : ',\n'}${JSON.stringify(resultRecord(result, labels))}`);
        first = false;
      },
      async close(summary) {
        await writeText(file, `\n],"summary":${JSON.stringify(summary)}}\n`);
        await end(file);
      },
    };
  }
  const casesPath = `${path}.cases.tmp`;
  const cases = createWriteStream(casesPath);
  await once(cases, 'open');
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let seconds = 0;
  return {
    async write(result, labels) {
      tests += 1;
      const time = (result.latencyMs ?? 0) / 1000;
      seconds += time;
      const name = `case ${result.caseIndex}${result.repeat > 0 ? ` #${result.repeat + 1}` : ''}: ${JSON.stringify(result.vars)}`;
      let body = '';
      if (result.status === 'failed') {
        failures += 1;
        const reasons = result.assertions
          .filter((assertion) => assertion.result.status === 'scored' && !assertion.result.pass)
          .map(
            (assertion) =>
              `${assertion.type}: ${'reason' in assertion.result ? assertion.result.reason : ''}`,
          );
        body = `<failure message="${xml(reasons[0] ?? 'failed')}">${xml(reasons.join('\n'))}\n\noutput: ${xml(result.output ?? '')}</failure>`;
      } else if (result.status === 'errored') {
        errors += 1;
        const error = result.error ?? firstAssertionError(result);
        body = `<error type="${xml(error.code)}" message="${xml(error.message)}"/>`;
      }
      await writeText(
        cases,
        `    <testcase classname="${xml(`${labels.prompt} × ${labels.provider}`)}" name="${xml(name)}" time="${time.toFixed(3)}">${body}</testcase>\n`,
      );
    },
    async close() {
      await end(cases);
      await writeText(
        file,
        `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">\n  <testsuite name="flywheel eval" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">\n`,
      );
      for await (const chunk of createReadStream(casesPath)) await writeText(file, chunk as Buffer);
      await writeText(file, '  </testsuite>\n</testsuites>\n');
      await end(file);
      await rm(casesPath, { force: true });
    },
  };
}

function resultRecord(result: EvalCaseResult, labels: { prompt: string; provider: string }) {
  return { prompt: labels.prompt, provider: labels.provider, ...result };
}

function firstAssertionError(result: EvalCaseResult): { code: string; message: string } {
  for (const assertion of result.assertions) {
    if (assertion.result.status === 'errored') return assertion.result.error;
  }
  return { code: 'errored', message: 'the case errored' };
}

async function writeText(stream: WriteStream, text: string | Buffer): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function end(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/** Text safe inside XML attributes and elements; drops characters XML 1.0 forbids. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
