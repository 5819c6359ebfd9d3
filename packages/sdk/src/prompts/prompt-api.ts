import {
  type CreatePromptVersionRequest,
  type LabelMoveBody,
  labelMoveSchema,
  type PromptDiffBody,
  type PromptSettingsBody,
  type PromptSummaryBody,
  type PromptVersionBody,
} from '@flywheel/spec';
import { z } from 'zod';

/** The answer of `PUT /api/prompts/<name>/labels/<label>`. */
export const moveLabelResultSchema = z.object({
  moved: z.boolean(),
  label: z.string(),
  version: z.number().int().positive(),
  move: labelMoveSchema.optional(),
});
export type MoveLabelResult = z.infer<typeof moveLabelResultSchema>;

/**
 * The prompt registry's REST API (`client.prompts`). Each method is one request; nothing is
 * cached here (see `client.getPrompt` for the cached read an application uses).
 *
 * @example
 * await flywheel.prompts.create({ name: 'support/triage', type: 'text', template: 'Triage: {{ticket}}' });
 * await flywheel.prompts.moveLabel('support/triage', 'production', 1);
 */
export interface PromptApi {
  /** Saves a new immutable version (creating the prompt on its first save); `latest` moves to it. */
  create(input: CreatePromptVersionRequest): Promise<PromptVersionBody>;
  /** Every prompt of the project, or only those in `folder` (a name prefix up to a `/`). */
  list(options?: { folder?: string }): Promise<PromptSummaryBody[]>;
  /** One version: the one `label` points at (default `production`), or number `version`. Not cached. */
  get(name: string, options?: { label?: string; version?: number }): Promise<PromptVersionBody>;
  /** Every version of a prompt. */
  versions(name: string): Promise<PromptVersionBody[]>;
  /** What changed from one version to another; `from` and `to` are each a version number or a label. */
  diff(name: string, from: string, to: string): Promise<PromptDiffBody>;
  /** Points `label` at `version`; `moved` is false when it already pointed there. */
  moveLabel(name: string, label: string, version: number): Promise<MoveLabelResult>;
  /** Removes a label from the prompt (recorded in the audit trail). */
  removeLabel(name: string, label: string): Promise<void>;
  /** Every move of the prompt's labels. */
  audit(name: string): Promise<LabelMoveBody[]>;
  /** The project's prompt settings (which labels only `admin` keys may move). */
  settings(): Promise<PromptSettingsBody>;
  /** Replaces the project's prompt settings (needs an `admin` key). */
  setSettings(input: PromptSettingsBody): Promise<PromptSettingsBody>;
}

/**
 * The path of a prompt, or of something under it. Names hold `/` (folders), which stay path
 * separators; everything else in each segment is percent-encoded.
 *
 * @example
 * promptPath('support/triage', 'labels', 'production'); // '/api/prompts/support/triage/labels/production'
 */
export function promptPath(name: string, ...rest: string[]): string {
  const segments = [...name.split('/'), ...rest].map(encodeURIComponent);
  return `/api/prompts/${segments.join('/')}`;
}
