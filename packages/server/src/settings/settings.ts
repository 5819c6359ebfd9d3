import type { GatewayConfig } from './gateway-config.js';

/** Everything the server and CLI read from flags, the environment and the config file. */
export interface Settings {
  /** Interface to listen on (default `127.0.0.1`). */
  host: string;
  /** TCP port (default 4000; 0 picks a free one). */
  port: number;
  /** Folder for the SQLite database and the generated server secret (default `./.flywheel`). */
  dataDir: string;
  /** `postgres://…` to keep data in PostgreSQL instead of SQLite. */
  databaseUrl: string | undefined;
  /** Secret for hashing API keys; generated into the data dir when unset. */
  secret: string | undefined;
  /** The first admin key, instead of a random one (automation and tests). */
  bootstrapKey: string | undefined;
  /** Log level of the structured (pino) log. */
  logLevel: LogLevel;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  bodyLimitBytes: number;
  /** Largest body of `/api/ingest` and `/otlp/v1/traces`, in bytes, after decompression (default 10 MiB). */
  ingestBodyLimitBytes: number;
  /** Ingested events waiting to be committed, at most, before requests get 429 (default 50,000). */
  ingestMaxPendingEvents: number;
  /** Traces older than this many days are deleted in the background; 0 keeps them forever. */
  retentionDays: number;
  /** The config file that was read, if any. */
  configPath: string | undefined;
  /** Key that encrypts provider secrets stored through the API (32 bytes, base64 or hex). */
  encryptionKey: string | undefined;
  /** Hosts (or host:port) that provider base URLs set through the API may reach although private. */
  allowedHosts: string[];
  /** Model routes, prices and gateway options from the config file. */
  gateway: GatewayConfig;
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
