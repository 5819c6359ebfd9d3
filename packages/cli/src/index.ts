export { commands, exitCodes, runCli } from './cli.js';
export type { CliIo, CommandDefinition, CommandInput } from './command.js';
export { nodeIo } from './node-io.js';
