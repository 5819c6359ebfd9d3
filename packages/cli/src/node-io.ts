import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CliIo } from './command.js';

/** The real process's streams, environment and signals. */
export function nodeIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    interactive: process.stderr.isTTY === true,
    onShutdownSignal(handler) {
      const listener = (signal: NodeJS.Signals) => handler(signal);
      process.once('SIGTERM', listener);
      process.once('SIGINT', listener);
      return () => {
        process.off('SIGTERM', listener);
        process.off('SIGINT', listener);
      };
    },
    startBatchRun() {
      // An eval allocates fast and keeps little: ~45 MB live on the main thread at any time, at
      // ~4,000 cases/s. V8 then lets the old generation grow to up to 4× the live set before a
      // full collection, so the peak grew with the length of the run (370 MB at 100,000 cases,
      // 255 MB at 10,000). A growth factor of 2.5 keeps it at ~300 MB with no measurable CPU
      // cost (bench/eval, decision 0010). The flag is read at each heap resize, so setting it
      // now takes effect; it is process-wide (the writer thread too).
      setFlagsFromString('--heap-growing-percent=150');
      // A run's code is hot for a few seconds at most: a 1,000-case run spent ~0.3 s of its
      // ~1.3 s of CPU in V8's optimizing compiler (background threads) on code that then ran a
      // few hundred times. With 396 KB of bytecode between tier-up checks (6× Node 20's default
      // of 66 KB, `node --v8-options`; decision 0017 first called it 3×, of 132 KB) a function
      // must run longer before it is optimized: 1,000 cases took 1.03-1.07 s instead of
      // 1.20-1.21 s, 10,000 cases 3.79-3.80 s instead of 3.67 (the code runs unoptimized for
      // longer; a cost that stops growing once it is optimized). 528 KB saved no more and cost
      // 10,000 cases 0.3 s (bench/eval, decision 0017). The build's code-cache run resets it
      // (tools/build/bundle-loader.mjs).
      setFlagsFromString('--interrupt-budget=405504');
    },
    serverStarted() {
      // V8 sets each full collection's successor at what it left live times a factor it picks
      // from its measured speeds. The one set during start-up, with little allocation going on,
      // let a gateway's old generation grow from 16 to 46 MB of mostly garbage before the next
      // full collection, ~50 s and 210,000 calls into bench/gateway/memory.mjs (+10-12 % RSS over
      // its 100,000 calls); from then on, under load, it stayed at 17-24 MB. One full collection
      // now, before the first request (~20 ms, once), with the factor fixed at 1.5 for it alone,
      // puts the process on that footing from the start (+5-7 %; decision 0019). The flag is
      // process-wide, hence set back at once; `gc` is exposed for this one call only.
      setFlagsFromString('--heap-growing-percent=50');
      setFlagsFromString('--expose-gc');
      // A Node that ignored the flag has no `gc`: then nothing is collected, and serving goes on.
      const collect = runInNewContext("typeof gc === 'function' ? gc : undefined") as
        | (() => void)
        | undefined;
      setFlagsFromString('--no-expose-gc');
      collect?.();
      setFlagsFromString('--heap-growing-percent=0');
    },
  };
}
