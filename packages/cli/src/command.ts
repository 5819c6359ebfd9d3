import type { ParseArgsConfig } from 'node:util';

/** What a command sees of the outside world; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Standard error is a terminal: progress may redraw one line (default false). */
  interactive?: boolean;
  /** Calls `handler` once on SIGTERM or SIGINT; returns a function that stops listening. */
  onShutdownSignal(handler: (signal: string) => void): () => void;
  /**
   * A long batch run starts in this process (`flywheel eval`): the real process keeps its heap
   * closer to what is live (see `node-io.ts`). Absent in tests.
   */
  startBatchRun?(): void;
  /**
   * A long-running server has started in this process (`flywheel serve`): the real process
   * collects its start-up garbage now (see `node-io.ts`). Absent in tests.
   */
  serverStarted?(): void;
}

/** Parsed flags and positionals of one invocation. */
export interface CommandInput {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** One `flywheel` command, as data: its help is generated from these fields. */
export interface CommandDefinition {
  /** Words after `flywheel`, e.g. `['keys', 'create']`. */
  path: string[];
  /** One line, shown in the command list. */
  summary: string;
  /** Usage line after `flywheel`, e.g. `keys revoke <key-id> [options]`. */
  usage: string;
  /** Paragraphs that explain what the command does. */
  description?: string;
  /** Flags, in `node:util` parseArgs form, with a description each. */
  options: Record<
    string,
    NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string }
  >;
  /** How many positionals the command takes, and their names. */
  positionals?: { names: string[]; min: number };
  /** Worked examples: command line, then what it does. */
  examples: Array<[string, string]>;
  /** Runs the command; resolves to the process exit code. */
  run(input: CommandInput, io: CliIo): Promise<number>;
}
