import { isApiKeyFormat } from '@flywheel/core';
import { type LogLevel, logLevels } from './settings.js';

/** The outcome of parsing one raw setting value. */
export type SettingParse<T> = { ok: true; value: T } | { ok: false };

/** One setting: where it comes from, what it allows, and its default. */
export interface SettingDefinition<T> {
  /** Command-line flag, without dashes. */
  flag?: string;
  /** Environment variable. */
  env: string;
  /** Dotted key in flywheel.config.yaml, if the file may set it. */
  file?: string;
  /** What is allowed, in words, for error messages. */
  allowed: string;
  /** Whether values may be printed in errors (false for secrets). */
  secret?: boolean;
  parse(raw: unknown): SettingParse<T>;
  defaultValue: T;
}

const ok = <T>(value: T): SettingParse<T> => ({ ok: true, value });
const invalid = { ok: false } as const;

function integer(min: number, max: number) {
  return (raw: unknown): SettingParse<number> => {
    const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (!/^\d+$/.test(text)) return invalid;
    const value = Number(text);
    return value >= min && value <= max ? ok(value) : invalid;
  };
}

function text(test: (value: string) => boolean = (value) => value.length > 0) {
  return (raw: unknown): SettingParse<string> =>
    typeof raw === 'string' && test(raw.trim()) ? ok(raw.trim()) : invalid;
}

function optional(parse: (raw: unknown) => SettingParse<string>) {
  return (raw: unknown): SettingParse<string | undefined> => parse(raw);
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Every setting, by name. Order of precedence: flag, environment, config file, default. */
export const settingDefinitions = {
  host: {
    flag: 'host',
    env: 'FLYWHEEL_HOST',
    file: 'server.host',
    allowed: 'a host name or IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0',
    parse: text((value) => /^[A-Za-z0-9.:[\]-]+$/.test(value)),
    defaultValue: '127.0.0.1',
  } satisfies SettingDefinition<string>,
  port: {
    flag: 'port',
    env: 'FLYWHEEL_PORT',
    file: 'server.port',
    allowed: 'a whole number from 0 to 65535 (0 picks a free port)',
    parse: integer(0, 65_535),
    defaultValue: 4000,
  } satisfies SettingDefinition<number>,
  dataDir: {
    flag: 'data-dir',
    env: 'FLYWHEEL_DATA_DIR',
    file: 'data_dir',
    allowed: 'a folder path (created when missing)',
    parse: text(),
    defaultValue: './.flywheel',
  } satisfies SettingDefinition<string>,
  databaseUrl: {
    flag: 'database-url',
    env: 'FLYWHEEL_DATABASE_URL',
    file: 'database_url',
    allowed:
      'a PostgreSQL URL such as postgres://user:password@host:5432/flywheel (leave it unset to use SQLite in the data dir)',
    secret: true,
    parse: optional(text(isPostgresUrl)),
    defaultValue: undefined,
  } satisfies SettingDefinition<string | undefined>,
  secret: {
    env: 'FLYWHEEL_SECRET',
    allowed: 'at least 32 characters of random text (leave it unset to generate one into the data dir)',
    secret: true,
    parse: optional(text((value) => value.length >= 32)),
    defaultValue: undefined,
  } satisfies SettingDefinition<string | undefined>,
  bootstrapKey: {
    env: 'FLYWHEEL_BOOTSTRAP_KEY',
    allowed:
      "'fw_sk_' followed by at least 43 characters of A-Z, a-z, 0-9, '-' or '_' (32 random bytes, base64url)",
    secret: true,
    parse: optional(text(isApiKeyFormat)),
    defaultValue: undefined,
  } satisfies SettingDefinition<string | undefined>,
  encryptionKey: {
    env: 'FLYWHEEL_ENCRYPTION_KEY',
    allowed: '32 random bytes as 64 hex characters or base64 (make one with: openssl rand -base64 32)',
    secret: true,
    parse: optional(
      text((value) => /^[0-9a-fA-F]{64}$/.test(value) || /^[A-Za-z0-9+/_-]{43}=?$/.test(value)),
    ),
    defaultValue: undefined,
  } satisfies SettingDefinition<string | undefined>,
  allowedHosts: {
    env: 'FLYWHEEL_ALLOWED_HOSTS',
    file: 'allowed_hosts',
    allowed: 'a comma-separated list of hosts or host:port, e.g. localhost:11434,ollama.internal',
    parse: (raw: unknown): SettingParse<string[]> => {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
      if (!items?.every((item) => typeof item === 'string')) return invalid;
      const hosts = (items as string[]).map((item) => item.trim()).filter(Boolean);
      return hosts.every((host) => /^[A-Za-z0-9.:[\]_-]+$/.test(host)) ? ok(hosts) : invalid;
    },
    defaultValue: [] as string[],
  } satisfies SettingDefinition<string[]>,
  logLevel: {
    flag: 'log-level',
    env: 'FLYWHEEL_LOG_LEVEL',
    file: 'log_level',
    allowed: `one of ${logLevels.join(', ')}`,
    parse: (raw: unknown): SettingParse<LogLevel> =>
      typeof raw === 'string' && (logLevels as readonly string[]).includes(raw.trim())
        ? ok(raw.trim() as LogLevel)
        : invalid,
    defaultValue: 'info' as LogLevel,
  } satisfies SettingDefinition<LogLevel>,
  bodyLimitBytes: {
    env: 'FLYWHEEL_BODY_LIMIT_BYTES',
    file: 'server.body_limit_bytes',
    allowed: 'a whole number of bytes from 1024 to 1073741824',
    parse: integer(1024, 1_073_741_824),
    defaultValue: 1_048_576,
  } satisfies SettingDefinition<number>,
  ingestBodyLimitBytes: {
    env: 'FLYWHEEL_INGEST_BODY_LIMIT_BYTES',
    file: 'tracing.ingest_body_limit_bytes',
    allowed: 'a whole number of bytes from 1024 to 1073741824',
    parse: integer(1024, 1_073_741_824),
    defaultValue: 10_485_760,
  } satisfies SettingDefinition<number>,
  ingestMaxPendingEvents: {
    env: 'FLYWHEEL_INGEST_MAX_PENDING_EVENTS',
    file: 'tracing.max_pending_events',
    allowed: 'a whole number from 100 to 10000000',
    parse: integer(100, 10_000_000),
    defaultValue: 50_000,
  } satisfies SettingDefinition<number>,
  retentionDays: {
    env: 'FLYWHEEL_RETENTION_DAYS',
    file: 'tracing.retention_days',
    allowed: 'a whole number of days from 0 (keep forever) to 36500',
    parse: integer(0, 36_500),
    defaultValue: 0,
  } satisfies SettingDefinition<number>,
};

export type SettingName = keyof typeof settingDefinitions;
