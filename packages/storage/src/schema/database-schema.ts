/** The tables of Flywheel, as Kysely sees them. One schema for SQLite and PostgreSQL. */
export interface DatabaseSchema {
  projects: ProjectsTable;
  api_keys: ApiKeysTable;
  instance_meta: InstanceMetaTable;
  traces: TracesTable;
  spans: SpansTable;
  scores: ScoresTable;
  span_rollups: SpanRollupsTable;
  provider_credentials: ProviderCredentialsTable;
  prompts: PromptsTable;
  prompt_versions: PromptVersionsTable;
  prompt_labels: PromptLabelsTable;
  prompt_label_moves: PromptLabelMovesTable;
  prompt_settings: PromptSettingsTable;
  experiments: ExperimentsTable;
  experiment_results: ExperimentResultsTable;
  datasets: DatasetsTable;
  dataset_items: DatasetItemsTable;
  dataset_versions: DatasetVersionsTable;
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

/** Declared fields are null until an event sets them; the rest are kept at write time. */
export interface TracesTable {
  project_id: string;
  id: string;
  name: string | null;
  start_time: string | null;
  end_time: string | null;
  status: string | null;
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
  event_time: string;
  root_name: string | null;
  span_start_min: string | null;
  span_end_max: string | null;
  span_count: number;
  error_count: number;
  /** bigint: PostgreSQL returns it as a string. */
  input_tokens: number | string;
  output_tokens: number | string;
  cost: number | null;
  unknown_cost_count: number;
  /** JSON array. */
  models: string;
  sort_time: string;
  display_name: string;
  display_status: string;
  latency_ms: number | null;
}

export interface SpansTable {
  project_id: string;
  id: string;
  trace_id: string;
  parent_id: string | null;
  kind: string;
  name: string;
  start_time: string | null;
  end_time: string | null;
  duration_ms: number | null;
  status: string;
  status_message: string | null;
  input: string | null;
  output: string | null;
  input_truncated: number;
  output_truncated: number;
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
  prompt_name: string | null;
  prompt_version: number | null;
  event_time: string;
}

export interface ScoresTable {
  project_id: string;
  id: string;
  trace_id: string;
  span_id: string | null;
  name: string;
  data_type: string;
  number_value: number | null;
  string_value: string | null;
  source: string;
  comment: string | null;
  created_at: string;
}

export interface SpanRollupsTable {
  project_id: string;
  bucket: string;
  model: string;
  prompt: string;
  requests: number;
  errors: number;
  input_tokens: number | string;
  output_tokens: number | string;
  cost: number;
  unknown_cost_count: number;
  latency_sum: number;
  latency_count: number;
  /** JSON object: bucket → count. */
  histogram: string;
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

export interface PromptsTable {
  id: string;
  project_id: string;
  name: string;
  type: string;
  latest_version: number;
  created_at: string;
  updated_at: string;
}

export interface PromptVersionsTable {
  prompt_id: string;
  version: number;
  /** JSON: a string or a list of messages. */
  template: string;
  /** JSON object. */
  config: string;
  commit_message: string | null;
  /** JSON list of names. */
  variables: string;
  created_by_key_id: string;
  created_by_key_name: string;
  created_at: string;
}

export interface PromptLabelsTable {
  prompt_id: string;
  label: string;
  version: number;
}

export interface PromptLabelMovesTable {
  prompt_id: string;
  /** 1, 2, … per prompt, in the order of the moves. */
  seq: number;
  label: string;
  from_version: number | null;
  to_version: number | null;
  moved_by_key_id: string;
  moved_by_key_name: string;
  moved_at: string;
}

export interface PromptSettingsTable {
  project_id: string;
  /** JSON list of labels. */
  protected_labels: string;
}

export interface DatasetsTable {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
  /** JSON object. */
  metadata: string;
  /** The version counter: +1 per write that changes items. */
  version: number;
  /** Items live at `version`. */
  item_count: number;
  /** The `seq` the next new item gets. */
  next_seq: number;
  created_at: string;
  updated_at: string;
}

/** One content of an item, live for versions `valid_from` ≤ v < `valid_to` (null: still live). */
export interface DatasetItemsTable {
  dataset_id: string;
  item_id: string;
  valid_from: number;
  valid_to: number | null;
  /** The dataset's project, so item queries are scoped by project too. */
  project_id: string;
  /** The item's place in the dataset, kept by edits. */
  seq: number;
  /** JSON object. */
  input: string;
  /** JSON (`null` when none). */
  expected_output: string;
  /** JSON object. */
  metadata: string;
  source_trace_id: string | null;
  source_span_id: string | null;
  /** When the item was first added. */
  created_at: string;
  /** When this row was stored. */
  updated_at: string;
}

export interface DatasetVersionsTable {
  dataset_id: string;
  version: number;
  created: number;
  updated: number;
  deleted: number;
  item_count: number;
  created_by_key_id: string;
  created_by_key_name: string;
  created_at: string;
}

export interface ExperimentsTable {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
  status: string;
  /** JSON list of targets. */
  targets: string;
  /** JSON list of {name, version}. */
  datasets: string;
  /** JSON object. */
  metadata: string;
  /** JSON object, null while running. */
  summary: string | null;
  /** The `seq` the next stored result gets. */
  next_seq: number;
  created_by_key_id: string;
  created_by_key_name: string;
  created_at: string;
  finished_at: string | null;
}

export interface ExperimentResultsTable {
  experiment_id: string;
  case_key: string;
  prompt_id: string;
  provider_id: string;
  repeat: number;
  seq: number;
  case_index: number;
  /** JSON object. */
  vars: string;
  output: string | null;
  /** JSON {code, message}. */
  error: string | null;
  status: string;
  score: number;
  /** JSON list of assertion outcomes. */
  assertions: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  latency_ms: number | null;
  trace_id: string | null;
  /** 1 when the answer came from the eval cache. */
  cached: number;
}
