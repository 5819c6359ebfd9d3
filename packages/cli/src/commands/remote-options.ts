import { createFlywheelClient, type FlywheelClient } from '@flywheel/sdk';
import { settingDefinitions } from '@flywheel/server';
import { FlywheelError } from '@flywheel/spec';
import type { CliIo, CommandDefinition, CommandInput } from '../command.js';

// Where `flywheel serve` listens when nothing else is set, so the two work together out of the box.
const defaultUrl = `http://${settingDefinitions.host.defaultValue}:${settingDefinitions.port.defaultValue}`;

const createKeyHint = 'Create one with: flywheel keys create --name cli --scopes read,write';

/** Flags of commands that talk to a running server over HTTP. */
export const remoteOptions: CommandDefinition['options'] = {
  url: {
    type: 'string',
    valueName: 'url',
    description: `Where the server listens (env FLYWHEEL_URL, default ${defaultUrl}).`,
  },
  'api-key': {
    type: 'string',
    valueName: 'key',
    description: 'An API key with the read scope, and write to change prompts (env FLYWHEEL_API_KEY).',
  },
};

/** The server to talk to: flag, then environment, then the default; the key has no default. */
export function remoteSettings(input: CommandInput, io: CliIo): { url: string; apiKey: string } {
  const url = stringFlag(input, 'url') ?? nonEmpty(io.env.FLYWHEEL_URL) ?? defaultUrl;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new FlywheelError(
      'invalid_argument',
      `--url ${JSON.stringify(url)} is not an http(s) URL, e.g. ${defaultUrl}.`,
    );
  }
  const apiKey = stringFlag(input, 'api-key') ?? nonEmpty(io.env.FLYWHEEL_API_KEY);
  if (apiKey === undefined) {
    throw new FlywheelError(
      'invalid_argument',
      `No API key: pass --api-key or set FLYWHEEL_API_KEY. ${createKeyHint}`,
    );
  }
  return { url, apiKey };
}

/**
 * Runs `work` with a client of the server named by the flags, adding what to do next to the
 * errors a misconfigured command line causes.
 */
export async function withRemote<T>(
  input: CommandInput,
  io: CliIo,
  work: (client: FlywheelClient) => Promise<T>,
): Promise<T> {
  const { url, apiKey } = remoteSettings(input, io);
  const client = createFlywheelClient({ baseUrl: url, apiKey });
  try {
    return await work(client);
  } catch (error) {
    if (!FlywheelError.is(error)) throw error;
    const hint = {
      server_unreachable: `Is it running? Start it with 'flywheel serve', or point --url (env FLYWHEEL_URL) at it.`,
      invalid_api_key: `Check --api-key (env FLYWHEEL_API_KEY). ${createKeyHint}`,
      missing_api_key: `Check --api-key (env FLYWHEEL_API_KEY). ${createKeyHint}`,
      insufficient_scope: `${createKeyHint}`,
    }[error.code as string];
    if (hint === undefined) throw error;
    throw new FlywheelError(error.code, `${error.message} ${hint}`, {
      cause: error,
      details: error.details,
      status: error.status,
    });
  }
}

/** A string flag, or undefined when absent or empty. */
export function stringFlag(input: CommandInput, name: string): string | undefined {
  const value = input.flags[name];
  return typeof value === 'string' ? nonEmpty(value) : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
