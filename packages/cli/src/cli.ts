import { parseArgs } from 'node:util';
import { flywheelVersion } from '@flywheel/server';
import { FlywheelError } from '@flywheel/spec';
import type { CliIo, CommandDefinition } from './command.js';
import {
  datasetsCreateCommand,
  datasetsDeleteCommand,
  datasetsExportCommand,
  datasetsListCommand,
  datasetsShowCommand,
  datasetsUpdateCommand,
} from './commands/datasets-commands.js';
import { datasetsAddFromTracesCommand } from './commands/datasets-from-traces-command.js';
import { datasetsImportCommand } from './commands/datasets-import-command.js';
import {
  datasetsAddItemCommand,
  datasetsDeleteItemCommand,
  datasetsShowItemCommand,
  datasetsUpdateItemCommand,
} from './commands/datasets-item-commands.js';
import { keysCreateCommand, keysListCommand, keysRevokeCommand } from './commands/keys-commands.js';
import { migrateCommand } from './commands/migrate-command.js';
import {
  promptsCreateCommand,
  promptsDiffCommand,
  promptsLabelCommand,
  promptsListCommand,
  promptsShowCommand,
} from './commands/prompts-commands.js';
import { promptsPullCommand, promptsPushCommand } from './commands/prompts-sync-commands.js';
import { serveCommand } from './commands/serve-command.js';
import { evalCommand, evalCompareCommand } from './eval/eval-command.js';
import { commandHelp, overviewHelp } from './help.js';

/** Every command of `flywheel`, in the order `--help` lists them. */
export const commands: readonly CommandDefinition[] = [
  serveCommand,
  migrateCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  promptsListCommand,
  promptsShowCommand,
  promptsCreateCommand,
  promptsLabelCommand,
  promptsDiffCommand,
  promptsPullCommand,
  promptsPushCommand,
  datasetsListCommand,
  datasetsShowCommand,
  datasetsCreateCommand,
  datasetsUpdateCommand,
  datasetsDeleteCommand,
  datasetsShowItemCommand,
  datasetsAddItemCommand,
  datasetsUpdateItemCommand,
  datasetsDeleteItemCommand,
  datasetsImportCommand,
  datasetsExportCommand,
  datasetsAddFromTracesCommand,
  evalCommand,
  evalCompareCommand,
];

/** Exit codes: 0 success, 1 the work failed, 2 the command line or settings are wrong. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Runs `flywheel` with `argv` (without `node` and the script) and resolves to the exit code.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), nodeIo());
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const args = [...argv];
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h') {
    io.stdout(overviewHelp(commands, flywheelVersion));
    return exitCodes.ok;
  }
  if (args[0] === '--version' || args[0] === '-v') {
    io.stdout(`${flywheelVersion}\n`);
    return exitCodes.ok;
  }
  const helpRequested = args[0] === 'help';
  if (helpRequested) args.shift();

  const command = findCommand(args);
  if (!command) return unknownCommand(args, io, helpRequested);
  const rest = args.slice(command.path.length);
  if (helpRequested) {
    io.stdout(commandHelp(command));
    return exitCodes.ok;
  }

  const usageHint = `Run 'flywheel ${command.path.join(' ')} --help' for its options and examples.`;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout(commandHelp(command));
      return exitCodes.ok;
    }
    const expected = command.positionals ?? { names: [], min: 0 };
    if (positionals.length < expected.min) {
      throw new FlywheelError('invalid_argument', `Missing <${expected.names[positionals.length]}>.`);
    }
    if (positionals.length > expected.names.length) {
      throw new FlywheelError(
        'invalid_argument',
        `Unexpected argument '${positionals[expected.names.length]}'.`,
      );
    }
    return await command.run(
      { flags: values as Record<string, string | boolean | undefined>, positionals },
      io,
    );
  } catch (error) {
    return reportError(error, io, usageHint);
  }
}

function findCommand(args: readonly string[]): CommandDefinition | undefined {
  return commands
    .filter((command) => command.path.every((word, index) => args[index] === word))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

function unknownCommand(args: readonly string[], io: CliIo, helpRequested: boolean): number {
  const group = commands.filter((command) => command.path[0] === args[0] && command.path.length > 1);
  if (group.length > 0) {
    const names = group.map((command) => command.path.join(' '));
    const width = Math.max(...names.map((name) => name.length));
    if (helpRequested || args[1] === '--help' || args[1] === '-h') {
      io.stdout(
        `Commands:\n${group.map((command, index) => `  flywheel ${names[index]!.padEnd(width)}  ${command.summary}\n`).join('')}`,
      );
      return exitCodes.ok;
    }
    const given = args[1] === undefined ? 'nothing' : `'${args[1]}'`;
    io.stderr(
      `error: 'flywheel ${args[0]}' needs one of: ${group.map((command) => command.path[1]).join(', ')} (got ${given}).\n`,
    );
    return exitCodes.usage;
  }
  const words = [...new Set(commands.map((command) => command.path[0]!))];
  const suggestion = words.find((word) => word.startsWith(args[0]?.slice(0, 2) ?? '\0'));
  io.stderr(
    `error: unknown command '${args[0]}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Run 'flywheel --help' for the list.\n`,
  );
  return exitCodes.usage;
}

function reportError(error: unknown, io: CliIo, usageHint: string): number {
  if (FlywheelError.is(error)) {
    if (error.code === 'invalid_argument' || error.code === 'invalid_setting') {
      io.stderr(`error: ${error.message}\n${error.code === 'invalid_argument' ? `${usageHint}\n` : ''}`);
      return exitCodes.usage;
    }
    io.stderr(`error [${error.code}]: ${error.message}\n`);
    return exitCodes.failed;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`error: ${(error as Error).message}\n${usageHint}\n`);
    return exitCodes.usage;
  }
  io.stderr(
    `error: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return exitCodes.failed;
}
