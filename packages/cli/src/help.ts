import type { CommandDefinition } from './command.js';

/** The help page of one command: usage, description, options and worked examples. */
export function commandHelp(command: CommandDefinition): string {
  const lines = [`Usage: flywheel ${command.usage}`, '', command.summary];
  if (command.description) lines.push('', wrap(command.description, 80));
  const options = Object.entries(command.options).map(([name, option]) => {
    const flag = `--${name}${option.type === 'string' ? ` <${option.valueName ?? 'value'}>` : ''}`;
    return [flag, option.description] as const;
  });
  options.push(['-h, --help', 'Show this help.']);
  const width = Math.max(...options.map(([flag]) => flag.length));
  lines.push(
    '',
    'Options:',
    ...options.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`),
  );
  lines.push('', 'Examples:');
  for (const [example, explanation] of command.examples) lines.push(`  $ ${example}`, `      ${explanation}`);
  return `${lines.join('\n')}\n`;
}

/** The top-level help: every command with its summary, and where to start. */
export function overviewHelp(commands: readonly CommandDefinition[], version: string): string {
  const names = commands.map((command) => command.path.join(' '));
  const width = Math.max(...names.map((name) => name.length));
  return [
    `flywheel ${version}: self-hosted LLMOps (gateway, tracing, prompts, evals) in one process.`,
    '',
    'Usage: flywheel <command> [options]',
    '',
    'Commands:',
    ...commands.map((command, index) => `  ${names[index]!.padEnd(width)}  ${command.summary}`),
    '',
    'Start here:',
    '  $ flywheel serve                       # start on http://127.0.0.1:4000; prints an admin key on first start',
    '  $ flywheel keys create --name my-app   # another key, for your application',
    '',
    "Settings come from flags, then FLYWHEEL_* environment variables, then flywheel.config.yaml. Run 'flywheel <command> --help' for a command's options and examples.",
    '',
  ].join('\n');
}

function wrap(text: string, width: number): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
