import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A pino logger at `level` whose lines are kept, parsed, in `lines` (for tests of what is logged). */
export function capturedLogger(level: string): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
