import {
  type CreatePromptVersionRequest,
  FlywheelError,
  latestLabel,
  promptLabelSchema,
  templateVariables,
} from '@flywheel/spec';
import { newId } from '../ids/new-id.js';
import type { Stores } from '../ports/stores.js';
import type {
  LabelMoveRecord,
  PromptActor,
  PromptRecord,
  PromptVersionRecord,
  PromptVersionRef,
} from './prompt.js';
import { diffPromptVersions, type PromptDiff } from './prompt-diff.js';

/** The key acting on prompts: who (for the audit trail) and whether it may move protected labels. */
export interface PromptCaller extends PromptActor {
  isAdmin: boolean;
}

/** Two versions and what changed between them. */
export interface PromptVersionDiff {
  from: PromptVersionRecord;
  to: PromptVersionRecord;
  diff: PromptDiff;
}

/** The prompt registry's rules over a {@link PromptStore}: validation, protection, audit. */
export interface PromptService {
  /** Saves a new immutable version (creating the prompt on its first save). */
  save(
    projectId: string,
    request: CreatePromptVersionRequest,
    caller: PromptCaller,
  ): Promise<PromptVersionRecord>;
  list(projectId: string, options: { folder?: string; limit: number }): Promise<PromptRecord[]>;
  /** One version; throws `prompt_not_found` naming what is missing. */
  get(projectId: string, name: string, ref: PromptVersionRef): Promise<PromptVersionRecord>;
  /** Every version, newest first; throws `prompt_not_found` for an unknown prompt. */
  versions(projectId: string, name: string): Promise<PromptVersionRecord[]>;
  /** Points a label at a version (null removes it); null when it already pointed there. */
  moveLabel(
    projectId: string,
    name: string,
    label: string,
    version: number | null,
    caller: PromptCaller,
  ): Promise<LabelMoveRecord | null>;
  labelMoves(projectId: string, name: string): Promise<LabelMoveRecord[]>;
  /** Diff of two versions named by number (`3`) or label (`production`). */
  diff(projectId: string, name: string, from: string, to: string): Promise<PromptVersionDiff>;
  protectedLabels(projectId: string): Promise<string[]>;
  setProtectedLabels(projectId: string, labels: string[]): Promise<void>;
}

/** What {@link createPromptService} needs. */
export interface PromptServiceDeps {
  stores: Stores;
  /** The clock (tests pass their own). */
  now?: () => Date;
}

/**
 * The prompt registry service.
 *
 * @example
 * const prompts = createPromptService({ stores });
 * const v1 = await prompts.save(projectId, { name: 'support/triage', type: 'text', template: 'Hi {{name}}' }, caller);
 */
export function createPromptService(deps: PromptServiceDeps): PromptService {
  const { stores } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  async function requireMovable(projectId: string, labels: string[], caller: PromptCaller) {
    if (labels.includes(latestLabel)) {
      throw new FlywheelError(
        'validation_failed',
        `'${latestLabel}' always points at the newest version and cannot be moved by hand.`,
      );
    }
    if (caller.isAdmin || labels.length === 0) return;
    const protectedLabels = await stores.prompts.getProtectedLabels(projectId);
    const blocked = labels.filter((label) => protectedLabels.includes(label));
    if (blocked.length > 0) {
      throw new FlywheelError(
        'label_protected',
        `The label${blocked.length > 1 ? 's' : ''} ${blocked.map((label) => `'${label}'`).join(', ')} ${blocked.length > 1 ? 'are' : 'is'} protected in this project: only a key with the 'admin' scope may move ${blocked.length > 1 ? 'them' : 'it'}.`,
      );
    }
  }

  async function get(projectId: string, name: string, ref: PromptVersionRef) {
    const version = await stores.prompts.getVersion(projectId, name, ref);
    if (version) return version;
    const prompt = await stores.prompts.getPrompt(projectId, name);
    if (!prompt) throw notFound(name);
    throw new FlywheelError(
      'prompt_not_found',
      'version' in ref
        ? `Prompt '${name}' has no version ${ref.version} (its newest is ${prompt.latestVersion}).`
        : `No version of prompt '${name}' has the label '${ref.label}'. Labels: ${describeLabels(prompt)}.`,
    );
  }

  return {
    async save(projectId, request, caller) {
      const labels = [...new Set(request.labels ?? [])];
      await requireMovable(projectId, labels, caller);
      // Parsing here refuses a broken template at save time, with its line and column.
      const variables = templateVariables(request.template);
      return stores.transaction((tx) =>
        tx.prompts.createVersion({
          promptId: newId('prm'),
          projectId,
          name: request.name,
          type: request.type,
          template: request.template,
          config: request.config ?? {},
          commitMessage: request.commit_message ?? null,
          variables,
          labels,
          actor: { keyId: caller.keyId, keyName: caller.keyName },
          createdAt: now(),
          ...(request.base_version !== undefined ? { baseVersion: request.base_version } : {}),
        }),
      );
    },
    list: (projectId, options) => stores.prompts.listPrompts(projectId, options),
    get,
    async versions(projectId, name) {
      const versions = await stores.prompts.listVersions(projectId, name);
      if (versions.length === 0) throw notFound(name);
      return versions;
    },
    async moveLabel(projectId, name, label, version, caller) {
      await requireMovable(projectId, [label], caller);
      return stores.transaction((tx) =>
        tx.prompts.moveLabel(
          projectId,
          name,
          label,
          version,
          { keyId: caller.keyId, keyName: caller.keyName },
          now(),
        ),
      );
    },
    async labelMoves(projectId, name) {
      if (!(await stores.prompts.getPrompt(projectId, name))) throw notFound(name);
      return stores.prompts.listLabelMoves(projectId, name);
    },
    async diff(projectId, name, from, to) {
      const [fromVersion, toVersion] = await Promise.all([
        get(projectId, name, parseRef(from, 'from')),
        get(projectId, name, parseRef(to, 'to')),
      ]);
      return { from: fromVersion, to: toVersion, diff: diffPromptVersions(fromVersion, toVersion) };
    },
    protectedLabels: (projectId) => stores.prompts.getProtectedLabels(projectId),
    async setProtectedLabels(projectId, labels) {
      if (labels.includes(latestLabel)) {
        throw new FlywheelError(
          'validation_failed',
          `'${latestLabel}' moves by itself on every save; it cannot be protected.`,
        );
      }
      await stores.transaction((tx) => tx.prompts.setProtectedLabels(projectId, [...new Set(labels)].sort()));
    },
  };
}

/**
 * A version named on a command line or in a query: digits are a version number, anything else a
 * label.
 */
export function parsePromptRef(raw: string, what = 'version'): PromptVersionRef {
  return parseRef(raw, what);
}

function parseRef(raw: string, what: string): PromptVersionRef {
  if (/^\d+$/.test(raw)) {
    const version = Number(raw);
    if (Number.isSafeInteger(version) && version > 0) return { version };
  } else if (promptLabelSchema.safeParse(raw).success) {
    return { label: raw };
  }
  throw new FlywheelError(
    'validation_failed',
    `Invalid request query: ${what}: '${raw}' is neither a version number (1, 2, …) nor a label (e.g. production).`,
  );
}

function notFound(name: string): FlywheelError {
  return new FlywheelError(
    'prompt_not_found',
    `This project has no prompt named '${name}'. GET /api/prompts lists them.`,
  );
}

function describeLabels(prompt: PromptRecord): string {
  return Object.entries(prompt.labels)
    .map(([label, version]) => `${label} → ${version}`)
    .join(', ');
}
