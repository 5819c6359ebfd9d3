import { loadSettings } from '@flywheel/server';
import { openStorage } from '@flywheel/storage';
import type { CommandDefinition } from '../command.js';
import { settingFlags, storageOptions } from './shared-options.js';

export const migrateCommand: CommandDefinition = {
  path: ['migrate'],
  summary: 'Bring the database schema to the latest version.',
  usage: 'migrate [options]',
  description:
    '`flywheel serve` migrates on start as well; run this on its own to migrate before a deploy, or to check which migrations a database has.',
  options: { ...storageOptions },
  examples: [
    ['flywheel migrate', 'Migrate the SQLite database in ./.flywheel.'],
    ['flywheel migrate --database-url postgres://fw:pw@db:5432/flywheel', 'Migrate a PostgreSQL database.'],
  ],
  async run(input, io) {
    const settings = loadSettings({ flags: settingFlags(input), env: io.env, cwd: io.cwd });
    const storage = openStorage({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
    try {
      const report = await storage.migrate();
      io.stdout(`Database: ${storage.kind} ${storage.location}\n`);
      io.stdout(
        report.applied.length === 0
          ? `Already up to date (${report.current.length} migrations).\n`
          : `Applied ${report.applied.length} migration(s):\n${report.applied.map((name) => `  ${name}\n`).join('')}`,
      );
      return 0;
    } finally {
      await storage.close();
    }
  },
};
