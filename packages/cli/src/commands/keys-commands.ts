import { formatApiKeyDisplay } from '@flywheel/core';
import { toApiKeyBody } from '@flywheel/server';
import { type ApiKeyScope, apiKeyScopes, FlywheelError } from '@flywheel/spec';
import type { CommandDefinition } from '../command.js';
import { withLocalInstance } from './local-instance.js';
import { storageOptions } from './shared-options.js';
import { table } from './text-table.js';

const projectOption: CommandDefinition['options'] = {
  project: {
    type: 'string',
    valueName: 'id',
    description: 'Project id (default: the first project, created on first start).',
  },
  json: { type: 'boolean', description: 'Print JSON instead of text.' },
};

function parseScopes(raw: string | boolean | undefined): ApiKeyScope[] {
  if (typeof raw !== 'string') return [...apiKeyScopes];
  const scopes = raw
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = scopes.filter((scope) => !(apiKeyScopes as readonly string[]).includes(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new FlywheelError(
      'invalid_argument',
      `--scopes ${JSON.stringify(raw)} is not allowed: give a comma-separated list of ${apiKeyScopes.join(', ')}.`,
    );
  }
  return scopes as ApiKeyScope[];
}

export const keysCreateCommand: CommandDefinition = {
  path: ['keys', 'create'],
  summary: 'Create an API key and print it (shown this once).',
  usage: 'keys create --name <name> [options]',
  description: 'Works on the local database directly, so it needs no running server and no key.',
  options: {
    name: { type: 'string', valueName: 'name', description: 'What the key is for (required).' },
    scopes: {
      type: 'string',
      valueName: 'list',
      description: `Comma-separated scopes: ${apiKeyScopes.join(', ')} (default: all).`,
    },
    ...projectOption,
    ...storageOptions,
  },
  examples: [
    [
      'flywheel keys create --name ci --scopes gateway,ingest',
      'A key for CI that may call models and send traces.',
    ],
    ['flywheel keys create --name admin --project proj_8c1m…', 'A key with every scope for another project.'],
    ['flywheel keys create --name app --json', 'Print the new key as JSON (for scripts).'],
  ],
  async run(input, io) {
    const name = input.flags.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new FlywheelError(
        'invalid_argument',
        '--name is required: say what the key is for, e.g. --name ci.',
      );
    }
    const scopes = parseScopes(input.flags.scopes);
    return withLocalInstance(input, io, async (instance) => {
      const projectId = await instance.resolveProject(input.flags.project as string | undefined);
      const { record, key } = await instance.apiKeys.create({ projectId, name: name.trim(), scopes });
      if (input.flags.json) {
        io.stdout(
          `${JSON.stringify({ id: record.id, project_id: projectId, name: record.name, scopes: record.scopes, key })}\n`,
        );
      } else {
        io.stdout(
          `Created API key ${record.id} "${record.name}" in project ${projectId} with scopes ${record.scopes.join(', ')}.\n` +
            `It is shown only this once; store it now:\n\n  ${key}\n\n`,
        );
      }
      return 0;
    });
  },
};

export const keysListCommand: CommandDefinition = {
  path: ['keys', 'list'],
  summary: "List a project's API keys (never the keys themselves).",
  usage: 'keys list [options]',
  options: { ...projectOption, ...storageOptions },
  examples: [
    ['flywheel keys list', 'Keys of the default project.'],
    ['flywheel keys list --project proj_8c1m… --json', 'Keys of another project, as JSON.'],
  ],
  async run(input, io) {
    return withLocalInstance(input, io, async (instance) => {
      const projectId = await instance.resolveProject(input.flags.project as string | undefined);
      const keys = await instance.apiKeys.list(projectId);
      if (input.flags.json) {
        // The same shape as GET /api/keys, so scripts can switch between the CLI and the API.
        const rows = keys.map(toApiKeyBody);
        io.stdout(`${JSON.stringify(rows)}\n`);
        return 0;
      }
      if (keys.length === 0) {
        io.stdout(
          `Project ${projectId} has no API keys. Create one with: flywheel keys create --name <name>\n`,
        );
        return 0;
      }
      const rows = keys.map((key) => [
        key.id,
        key.name,
        formatApiKeyDisplay(key),
        key.scopes.join(',') + (key.instanceAdmin ? ' (instance admin)' : ''),
        key.revokedAt === null ? 'active' : `revoked ${key.revokedAt}`,
      ]);
      io.stdout(table(['ID', 'NAME', 'KEY', 'SCOPES', 'STATUS'], rows));
      return 0;
    });
  },
};

export const keysRevokeCommand: CommandDefinition = {
  path: ['keys', 'revoke'],
  summary: 'Revoke an API key; requests with it fail from then on.',
  usage: 'keys revoke <key-id> [options]',
  description:
    'A running server sees the revoke within 10 seconds (its cache of verified keys); revokes through the API take effect at once.',
  options: { ...projectOption, ...storageOptions },
  positionals: { names: ['key-id'], min: 1 },
  examples: [
    [
      'flywheel keys revoke key_3k9x…',
      'Revoke a key of the default project (ids come from `flywheel keys list`).',
    ],
  ],
  async run(input, io) {
    const [keyId] = input.positionals;
    return withLocalInstance(input, io, async (instance) => {
      const projectId = await instance.resolveProject(input.flags.project as string | undefined);
      const record = await instance.apiKeys.revoke(projectId, keyId!);
      io.stdout(
        input.flags.json
          ? `${JSON.stringify({ id: record.id, revoked_at: record.revokedAt })}\n`
          : `Revoked ${record.id} "${record.name}" (${formatApiKeyDisplay(record)}) at ${record.revokedAt}.\n`,
      );
      return 0;
    });
  },
};
