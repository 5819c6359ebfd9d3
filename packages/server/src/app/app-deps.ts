import type {
  ApiKeyService,
  DatasetService,
  ExperimentResultRecord,
  PromptService,
  Stores,
} from '@flywheel/core';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { GatewayDeps } from '../gateway/gateway-deps.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { TracingDeps } from '../tracing/tracing-deps.js';

/** Everything the app needs, passed in by a composition root (`main.ts` or a test). */
export interface AppDeps {
  stores: Stores;
  apiKeys: ApiKeyService;
  /** Flywheel's version, shown by `/health`. */
  version: string;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  /**
   * Largest body of `/api/ingest`, `/otlp/v1/traces` and `POST /api/datasets/<name>/items` after
   * decompression (default 10 MiB).
   */
  ingestBodyLimitBytes?: number;
  /** The OpenAI-compatible gateway (`/v1/*`); absent, those routes answer 404. */
  gateway?: GatewayDeps;
  /** Ingestion (`/api/ingest`, `/otlp/v1/traces`) and trace queries; absent, those routes answer 404. */
  tracing?: TracingDeps;
  /**
   * Appends experiment results (`POST /api/experiments/:id/results`); default: a transaction on
   * `stores`. `main.ts` passes the writer thread's, so a batch's commit never blocks requests.
   */
  appendExperimentResults?: AppendExperimentResults;
  /** The prompt registry (`/api/prompts`); default: one over `stores`. */
  prompts?: PromptService;
  /** Datasets (`/api/datasets`); default: one over `stores`. */
  datasets?: DatasetService;
  /** Stored provider credentials (`/api/providers`). */
  providerCredentials?: ProviderCredentialDeps;
  /**
   * Folder of the built web UI (`apps/web/dist`), served at `/` with a single-page-app fallback.
   * Read once when the app is created. Absent: no UI routes (an API-only app, as in most tests);
   * a folder without `index.html`: `/` answers a short text saying to run `npm run build`.
   */
  webDir?: string;
  /** A pino logger instance, pino options, or false for no log (default). */
  logger?: FastifyBaseLogger | FastifyServerOptions['logger'];
}

/** What the provider credential routes need. */
export interface ProviderCredentialDeps {
  /** Seals API keys; undefined when FLYWHEEL_ENCRYPTION_KEY is not set (saving is then refused). */
  secretBox: SecretBox | undefined;
  /** Throws `unsafe_url` for a base URL that points at a private or otherwise disallowed place. */
  checkUrl(url: string): URL;
  /** Called after a credential of the project changed, so cached models are rebuilt. */
  onChange(projectId: string): void;
}

/** Appends results to a running experiment and resolves with how many were stored (committed). */
export type AppendExperimentResults = (
  projectId: string,
  experimentId: string,
  results: ExperimentResultRecord[],
) => Promise<number>;
