import type { LabelMoveRecord, PromptRecord, PromptVersionDiff, PromptVersionRecord } from '@flywheel/core';
import type { LabelMoveBody, PromptDiffBody, PromptSummaryBody, PromptVersionBody } from '@flywheel/spec';

/** A version as the API shows it. */
export function toPromptVersionBody(version: PromptVersionRecord): PromptVersionBody {
  return {
    name: version.name,
    type: version.type,
    version: version.version,
    template: version.template,
    config: version.config,
    commit_message: version.commitMessage,
    variables: version.variables,
    labels: version.labels,
    created_by: { key_id: version.createdBy.keyId, key_name: version.createdBy.keyName },
    created_at: version.createdAt,
  };
}

export function toPromptSummaryBody(prompt: PromptRecord): PromptSummaryBody {
  return {
    name: prompt.name,
    type: prompt.type,
    latest_version: prompt.latestVersion,
    labels: prompt.labels,
    created_at: prompt.createdAt,
    updated_at: prompt.updatedAt,
  };
}

export function toLabelMoveBody(move: LabelMoveRecord): LabelMoveBody {
  return {
    label: move.label,
    from_version: move.fromVersion,
    to_version: move.toVersion,
    moved_by: { key_id: move.movedBy.keyId, key_name: move.movedBy.keyName },
    moved_at: move.movedAt,
  };
}

export function toPromptDiffBody(name: string, { from, to, diff }: PromptVersionDiff): PromptDiffBody {
  return {
    name,
    from: { version: from.version },
    to: { version: to.version },
    template: {
      lines: diff.lines.map((line) => ({
        op: line.op,
        text: line.text,
        from_line: line.fromLine,
        to_line: line.toLine,
      })),
      added: diff.added,
      removed: diff.removed,
    },
    config: diff.config.map((change) => ({
      path: change.path,
      change: change.change,
      ...('from' in change ? { from: change.from } : {}),
      ...('to' in change ? { to: change.to } : {}),
    })),
  };
}
