import { FlywheelError, latestLabel } from '@flywheel/spec';
import type { PromptStore } from '../ports/prompt-store.js';
import type { LabelMoveRecord, PromptRecord, PromptVersionRecord } from '../prompts/prompt.js';
import { versionConflict } from '../prompts/prompt-errors.js';

/** The prompt registry's data in memory. */
export interface MemoryPromptState {
  /** `${projectId}\0${name}` → prompt. */
  prompts: Map<string, PromptRecord>;
  /** Same key → versions in order (index = version - 1). */
  versions: Map<string, PromptVersionRecord[]>;
  /** Same key → label moves, oldest first. */
  moves: Map<string, LabelMoveRecord[]>;
  protectedLabels: Map<string, string[]>;
}

export function emptyPromptState(): MemoryPromptState {
  return { prompts: new Map(), versions: new Map(), moves: new Map(), protectedLabels: new Map() };
}

export function clonePromptState(state: MemoryPromptState): MemoryPromptState {
  return {
    prompts: new Map(
      [...state.prompts].map(([key, prompt]) => [key, { ...prompt, labels: { ...prompt.labels } }]),
    ),
    versions: new Map([...state.versions].map(([key, versions]) => [key, [...versions]])),
    moves: new Map([...state.moves].map(([key, moves]) => [key, [...moves]])),
    protectedLabels: new Map(state.protectedLabels),
  };
}

/** The in-memory {@link PromptStore}; passes the same contract suite as the SQL stores. */
export function createMemoryPromptStore(current: () => MemoryPromptState): PromptStore {
  const keyOf = (projectId: string, name: string) => `${projectId}\u0000${name}`;

  function withLabels(prompt: PromptRecord, version: PromptVersionRecord): PromptVersionRecord {
    const labels = Object.entries(prompt.labels)
      .filter(([, target]) => target === version.version)
      .map(([label]) => label)
      .sort();
    return structuredClone({ ...version, labels });
  }

  function move(
    key: string,
    prompt: PromptRecord,
    label: string,
    version: number | null,
    move: Omit<LabelMoveRecord, 'label' | 'fromVersion' | 'toVersion'>,
  ) {
    const from = prompt.labels[label] ?? null;
    if (from === version) return null;
    if (version === null) delete prompt.labels[label];
    else prompt.labels[label] = version;
    const record: LabelMoveRecord = { label, fromVersion: from, toVersion: version, ...move };
    const moves = current().moves.get(key) ?? [];
    moves.push(record);
    current().moves.set(key, moves);
    return { ...record };
  }

  return {
    async createVersion(input) {
      const key = keyOf(input.projectId, input.name);
      const state = current();
      let prompt = state.prompts.get(key);
      if (prompt && prompt.type !== input.type) {
        throw new FlywheelError(
          'conflict',
          `Prompt '${input.name}' is a ${prompt.type} prompt; a new version must also be ${prompt.type}.`,
        );
      }
      if (input.baseVersion !== undefined && (prompt?.latestVersion ?? null) !== input.baseVersion) {
        throw versionConflict(input.name, prompt?.latestVersion ?? null, input.baseVersion);
      }
      if (!prompt) {
        prompt = {
          id: input.promptId,
          projectId: input.projectId,
          name: input.name,
          type: input.type,
          latestVersion: 0,
          labels: {},
          createdAt: input.createdAt,
          updatedAt: input.createdAt,
        };
        state.prompts.set(key, prompt);
      }
      prompt.latestVersion += 1;
      prompt.updatedAt = input.createdAt;
      const version: PromptVersionRecord = structuredClone({
        projectId: input.projectId,
        name: input.name,
        type: input.type,
        version: prompt.latestVersion,
        template: input.template,
        config: input.config,
        commitMessage: input.commitMessage,
        variables: input.variables,
        labels: [],
        createdBy: input.actor,
        createdAt: input.createdAt,
      });
      const versions = state.versions.get(key) ?? [];
      versions.push(version);
      state.versions.set(key, versions);
      for (const label of [latestLabel, ...input.labels]) {
        move(key, prompt, label, version.version, { movedBy: { ...input.actor }, movedAt: input.createdAt });
      }
      return withLabels(prompt, version);
    },
    async listPrompts(projectId, options) {
      return [...current().prompts.values()]
        .filter(
          (prompt) =>
            prompt.projectId === projectId &&
            (options.folder === undefined ||
              prompt.name.startsWith(`${options.folder.replace(/\/+$/, '')}/`)),
        )
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .slice(0, options.limit)
        .map((prompt) => ({ ...prompt, labels: { ...prompt.labels } }));
    },
    async getPrompt(projectId, name) {
      const prompt = current().prompts.get(keyOf(projectId, name));
      return prompt && { ...prompt, labels: { ...prompt.labels } };
    },
    async getVersion(projectId, name, ref) {
      const key = keyOf(projectId, name);
      const prompt = current().prompts.get(key);
      if (!prompt) return undefined;
      const number = 'version' in ref ? ref.version : prompt.labels[ref.label];
      const version = number === undefined ? undefined : current().versions.get(key)?.[number - 1];
      return version && withLabels(prompt, version);
    },
    async listVersions(projectId, name) {
      const key = keyOf(projectId, name);
      const prompt = current().prompts.get(key);
      if (!prompt) return [];
      return [...(current().versions.get(key) ?? [])].reverse().map((version) => withLabels(prompt, version));
    },
    async moveLabel(projectId, name, label, version, actor, at) {
      const key = keyOf(projectId, name);
      const prompt = current().prompts.get(key);
      if (!prompt) {
        throw new FlywheelError('prompt_not_found', `This project has no prompt named '${name}'.`);
      }
      if (version !== null && version > prompt.latestVersion) {
        throw new FlywheelError(
          'prompt_not_found',
          `Prompt '${name}' has no version ${version} (its newest is ${prompt.latestVersion}).`,
        );
      }
      if (version === null && prompt.labels[label] === undefined) {
        throw new FlywheelError('prompt_not_found', `Prompt '${name}' has no label '${label}'.`);
      }
      return move(key, prompt, label, version, { movedBy: { ...actor }, movedAt: at });
    },
    async listLabelMoves(projectId, name) {
      return [...(current().moves.get(keyOf(projectId, name)) ?? [])]
        .reverse()
        .map((record) => ({ ...record }));
    },
    async getProtectedLabels(projectId) {
      return [...(current().protectedLabels.get(projectId) ?? [])];
    },
    async setProtectedLabels(projectId, labels) {
      current().protectedLabels.set(projectId, [...labels].sort());
    },
  };
}
