import type { ApiKeyScope } from '@flywheel/spec';

/** An API key as stored: the secret itself is never kept, only its keyed hash. */
export interface ApiKeyRecord {
  /** Stable id, `key_…`; safe to show and log. */
  id: string;
  /** The project the key acts in. */
  projectId: string;
  /** What the key is for, chosen by its creator. */
  name: string;
  /** Hex HMAC-SHA-256 of the full key under the server secret. */
  hash: string;
  /** The first characters of the key, for display. */
  prefix: string;
  /** The last characters of the key, for display. */
  suffix: string;
  /** What the key may do. */
  scopes: ApiKeyScope[];
  /** Whether the key may manage every project of the instance. */
  instanceAdmin: boolean;
  /** ISO-8601 UTC creation time. */
  createdAt: string;
  /** ISO-8601 UTC revocation time, or null while the key is valid. */
  revokedAt: string | null;
}
