import type {
  LabelMoveRecord,
  NewPromptVersion,
  PromptActor,
  PromptRecord,
  PromptVersionRecord,
  PromptVersionRef,
} from '../prompts/prompt.js';

/**
 * Storage of prompts, their immutable versions, labels and the labels' audit trail, scoped by
 * project. Writes assume they run inside `Stores.transaction`, so a save's version, its labels
 * and their audit rows commit together.
 */
export interface PromptStore {
  /**
   * Saves the next version: number = newest + 1, allocated so that concurrent saves never share
   * or skip a number. Moves `latest` and `input.labels` to it, each move audited. Throws
   * FlywheelError `conflict` when the prompt exists with another type, and
   * `prompt_version_conflict` when `baseVersion` is given and is not the newest version.
   */
  createVersion(input: NewPromptVersion): Promise<PromptVersionRecord>;
  /** Prompts by name; `folder` keeps those under `folder/`. */
  listPrompts(projectId: string, options: { folder?: string; limit: number }): Promise<PromptRecord[]>;
  getPrompt(projectId: string, name: string): Promise<PromptRecord | undefined>;
  getVersion(
    projectId: string,
    name: string,
    ref: PromptVersionRef,
  ): Promise<PromptVersionRecord | undefined>;
  /** Every version, newest first. */
  listVersions(projectId: string, name: string): Promise<PromptVersionRecord[]>;
  /**
   * Points `label` at `version` (null removes it) and audits the move. Returns the move, or null
   * when the label already pointed there. Throws `prompt_not_found` when the prompt or the
   * version does not exist.
   */
  moveLabel(
    projectId: string,
    name: string,
    label: string,
    version: number | null,
    actor: PromptActor,
    at: string,
  ): Promise<LabelMoveRecord | null>;
  /** The label moves of a prompt, newest first. */
  listLabelMoves(projectId: string, name: string): Promise<LabelMoveRecord[]>;
  /** Labels only admin keys may move. */
  getProtectedLabels(projectId: string): Promise<string[]>;
  setProtectedLabels(projectId: string, labels: string[]): Promise<void>;
}
