import type { PromptConfig, PromptTemplate, PromptType } from '@flywheel/spec';

/** Who did something to a prompt: the API key, by id and by its name at the time. */
export interface PromptActor {
  keyId: string;
  keyName: string;
}

/** A prompt: a name in a project, a type fixed at its first save, and its newest version number. */
export interface PromptRecord {
  id: string;
  projectId: string;
  name: string;
  type: PromptType;
  /** The newest version; versions run 1…latestVersion with no gaps. */
  latestVersion: number;
  /** label → version, `latest` included. */
  labels: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

/** One immutable version of a prompt. */
export interface PromptVersionRecord {
  projectId: string;
  name: string;
  type: PromptType;
  version: number;
  template: PromptTemplate;
  config: PromptConfig;
  commitMessage: string | null;
  /** Variables the template uses, detected at save. */
  variables: string[];
  /** Labels pointing at this version when it was read. */
  labels: string[];
  createdBy: PromptActor;
  createdAt: string;
}

/** One move of a label. `fromVersion` null: the label was new; `toVersion` null: it was removed. */
export interface LabelMoveRecord {
  label: string;
  fromVersion: number | null;
  toVersion: number | null;
  movedBy: PromptActor;
  movedAt: string;
}

/** What a save stores; the store allocates the version number. */
export interface NewPromptVersion {
  /** Used when this save creates the prompt. */
  promptId: string;
  projectId: string;
  name: string;
  type: PromptType;
  template: PromptTemplate;
  config: PromptConfig;
  commitMessage: string | null;
  variables: string[];
  /** Labels to move to the new version besides `latest`. */
  labels: string[];
  actor: PromptActor;
  createdAt: string;
  /**
   * When given, the save succeeds only while the newest version is this one (null: only while
   * the prompt does not exist).
   */
  baseVersion?: number | null;
}

/** Which version to read: by number, or the one a label points at. */
export type PromptVersionRef = { version: number } | { label: string };
