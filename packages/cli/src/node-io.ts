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
  };
}
