/** A project: the unit of tenancy. Every other record belongs to exactly one. */
export interface Project {
  /** Stable id, `proj_…`. */
  id: string;
  /** Human-readable name. */
  name: string;
  /** ISO-8601 UTC creation time. */
  createdAt: string;
}
