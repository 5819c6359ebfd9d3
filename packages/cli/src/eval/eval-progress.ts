import type { EvalProgress } from '@flywheel/core';

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  write(text: string): void;
  /** A terminal: redraw one line. Otherwise print a plain line now and then (CI logs). */
  interactive: boolean;
  /** Milliseconds (tests pass their own clock). */
  now?: () => number;
}

/** Shows an eval run's progress on standard error; `done()` ends the line. */
export interface ProgressReporter {
  update(progress: EvalProgress): void;
  done(): void;
}

const barWidth = 24;

/**
 * A live progress bar on a terminal (redrawn at most 10 times a second), plain progress lines
 * elsewhere (every 10% or 5 seconds, whichever comes first), so CI logs stay readable.
 *
 * @example
 * const progress = createProgressReporter({ write: io.stderr, interactive: io.interactive === true });
 * await runEval(plan, { ...deps, onProgress: progress.update });
 * progress.done();
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastTenth = -1;
  let latest: EvalProgress | undefined;
  let drawn = false;

  const describe = (progress: EvalProgress) => {
    const elapsedSeconds = Math.max((now() - started) / 1000, 0.001);
    const rate = progress.done / elapsedSeconds;
    const counts = `pass ${progress.passed}  fail ${progress.failed}  error ${progress.errored}  ${rate.toFixed(1)}/s`;
    if (progress.total === undefined || progress.total === 0) return `${progress.done} done  ${counts}`;
    const share = Math.min(progress.done / progress.total, 1);
    const remaining = rate > 0 ? (progress.total - progress.done) / rate : Number.POSITIVE_INFINITY;
    const eta = Number.isFinite(remaining) ? `  ETA ${formatSeconds(remaining)}` : '';
    const bar = options.interactive
      ? `[${'#'.repeat(Math.round(share * barWidth)).padEnd(barWidth, '.')}] `
      : '';
    return `${bar}${progress.done}/${progress.total} ${Math.floor(share * 100)}%  ${counts}${eta}`;
  };

  return {
    update(progress) {
      latest = progress;
      const time = now();
      if (options.interactive) {
        if (time - lastDraw < 100 && progress.done !== progress.total) return;
        lastDraw = time;
        options.write(`\r\u001b[2K${describe(progress)}`);
        drawn = true;
        return;
      }
      const tenth = progress.total ? Math.floor((progress.done / progress.total) * 10) : -1;
      if (tenth > lastTenth || time - lastDraw >= 5000) {
        lastTenth = Math.max(tenth, lastTenth);
        lastDraw = time;
        options.write(`progress: ${describe(progress)}\n`);
      }
    },
    done() {
      if (options.interactive && drawn && latest) options.write(`\r\u001b[2K${describe(latest)}\n`);
    },
  };
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}
