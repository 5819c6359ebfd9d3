/** The tables of Flywheel, as Kysely sees them. One schema for SQLite and PostgreSQL. */
export interface DatabaseSchema {
  projects: ProjectsTable;
  api_keys: ApiKeysTable;
  instance_meta: InstanceMetaTable;
  traces: TracesTable;
  spans: SpansTable;
  provider_credentials: ProviderCredentialsTable;
}

export interface ProjectsTable {
  id: string;
  name: string;
  /** ISO-8601 UTC; text in both engines so ordering and round-trips are identical. */
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  project_id: string;
  name: string;
  hash: string;
  prefix: string;
  suffix: string;
  /** JSON array of scopes. */
  scopes: string;
  /** 0 or 1: SQLite has no boolean and better-sqlite3 binds none. */
  instance_admin: number;
  created_at: string;
  revoked_at: string | null;
}

export interface InstanceMetaTable {
  key: string;
  value: string;
}

export interface TracesTable {
  project_id: string;
  id: string;
  name: string;
  start_time: string;
  end_time: string | null;
  status: string;
  user_id: string | null;
  session_id: string | null;
  environment: string | null;
  release: string | null;
  /** JSON array. */
  tags: string;
  /** JSON object. */
  metadata: string;
  /** JSON. */
  input: string | null;
  /** JSON. */
  output: string | null;
}

export interface SpansTable {
  project_id: string;
  id: string;
  trace_id: string;
  parent_id: string | null;
  kind: string;
  name: string;
  start_time: string;
  end_time: string | null;
  duration_ms: number | null;
  status: string;
  status_message: string | null;
  input: string | null;
  output: string | null;
  model: string | null;
  provider: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  reasoning_tokens: number | null;
  usage_estimated: number | null;
  cost: number | null;
  time_to_first_token_ms: number | null;
  /** JSON object. */
  attributes: string;
}

export interface ProviderCredentialsTable {
  id: string;
  project_id: string;
  name: string;
  provider: string;
  base_url: string | null;
  api_key_sealed: string;
  api_key_display: string;
  created_at: string;
}
