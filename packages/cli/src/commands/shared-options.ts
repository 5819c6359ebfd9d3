import type { CommandDefinition, CommandInput } from '../command.js';

/** Flags that choose where the data lives; every command that opens the database takes them. */
export const storageOptions: CommandDefinition['options'] = {
  'data-dir': {
    type: 'string',
    valueName: 'dir',
    description:
      'Folder for the SQLite database and server secret (env FLYWHEEL_DATA_DIR, default ./.flywheel).',
  },
  'database-url': {
    type: 'string',
    valueName: 'url',
    description:
      'Use PostgreSQL instead of SQLite, e.g. postgres://user:pw@host:5432/flywheel (env FLYWHEEL_DATABASE_URL).',
  },
  config: {
    type: 'string',
    valueName: 'file',
    description: 'Config file to read (env FLYWHEEL_CONFIG, default ./flywheel.config.yaml when present).',
  },
};

/** The raw string flags, in the shape `loadSettings` takes. */
export function settingFlags(input: CommandInput): Record<string, string | undefined> {
  const flags: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(input.flags)) if (typeof value === 'string') flags[name] = value;
  return flags;
}
