import { describe, expect, it } from 'vitest';
import { createProgressReporter } from './eval-progress.js';

const at = (done: number, total = 100) => ({
  done,
  total,
  passed: done,
  failed: 0,
  errored: 0,
});

describe('eval progress', () => {
  it('redraws one line on a terminal, at most ten times a second, and ends it with the final figures', () => {
    let clock = 0;
    const written: string[] = [];
    const progress = createProgressReporter({
      write: (text) => written.push(text),
      interactive: true,
      now: () => clock,
    });
    clock = 1000;
    progress.update(at(10));
    clock = 1050;
    progress.update(at(11)); // within 100 ms of the last draw: skipped
    clock = 1200;
    progress.update(at(50));
    clock = 1210;
    progress.update(at(100)); // the last one is always drawn
    progress.done();
    expect(written).toHaveLength(4);
    for (const line of written) expect(line.startsWith('\r\u001b[2K')).toBe(true);
    expect(written[0]).toContain('[##......................] 10/100 10%');
    expect(written[1]).toContain('[############............] 50/100 50%');
    expect(written[2]).toContain('[########################] 100/100 100%');
    expect(written[3]!.endsWith('\n')).toBe(true);
    expect(written.join('')).not.toContain('progress:');
  });

  it('prints plain lines every 10 % (or 5 s) when not a terminal, for CI logs', () => {
    let clock = 0;
    const written: string[] = [];
    const progress = createProgressReporter({
      write: (text) => written.push(text),
      interactive: false,
      now: () => clock,
    });
    for (let done = 1; done <= 100; done++) {
      clock += 10;
      progress.update(at(done));
    }
    progress.done();
    // The first result, then 10 %, 20 %, … 100 %: eleven lines, no escape codes.
    expect(written).toHaveLength(11);
    expect(written[0]).toContain('1/100 1%');
    expect(written.every((line) => line.startsWith('progress: ') && line.endsWith('\n'))).toBe(true);
    expect(written.join('')).not.toContain('\u001b');
    expect(written[10]).toContain('100/100 100%');

    const slow: string[] = [];
    let slowClock = 0;
    const slowProgress = createProgressReporter({
      write: (text) => slow.push(text),
      interactive: false,
      now: () => slowClock,
    });
    slowProgress.update(at(1, 1000));
    slowClock = 6000;
    slowProgress.update(at(2, 1000)); // not a new tenth, but 5 s passed
    expect(slow).toHaveLength(2);
    expect(slow[1]).toContain('ETA');
  });
});
