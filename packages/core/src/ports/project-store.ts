import type { Project } from '../projects/project.js';

/** Storage of projects. */
export interface ProjectStore {
  /** Stores a new project. */
  create(project: Project): Promise<void>;
  /** The project with this id, if any. */
  get(projectId: string): Promise<Project | undefined>;
  /** Every project of the instance, oldest first. Instance-level: only instance admins reach it. */
  list(): Promise<Project[]>;
}
