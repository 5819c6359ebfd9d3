/** The tables of Flywheel, as Kysely sees them. One schema for SQLite and PostgreSQL. */
export interface DatabaseSchema {
  projects: ProjectsTable;
  api_keys: ApiKeysTable;
  instance_meta: InstanceMetaTable;
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
