import type {
  DatasetItemRecord,
  DatasetRecord,
  DatasetVersionRecord,
  DatasetWriteResult,
  TraceItemOutcome,
} from '@flywheel/core';
import type {
  DatasetBody,
  DatasetExportLine,
  DatasetFromTracesBody,
  DatasetItemBody,
  DatasetItemStatus,
  DatasetVersionBody,
  DatasetWriteBody,
} from '@flywheel/spec';

/** A dataset as the API shows it. */
export function toDatasetBody(dataset: DatasetRecord): DatasetBody {
  return {
    id: dataset.id,
    name: dataset.name,
    description: dataset.description,
    metadata: dataset.metadata,
    version: dataset.version,
    item_count: dataset.itemCount,
    created_at: dataset.createdAt,
    updated_at: dataset.updatedAt,
  };
}

/** An item as the API shows it. */
export function toDatasetItemBody(item: DatasetItemRecord): DatasetItemBody {
  return {
    ...toDatasetExportLine(item),
    version: item.version,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
  };
}

/** An item as one line of an export: its content, ready to import again. */
export function toDatasetExportLine(item: DatasetItemRecord): DatasetExportLine {
  return {
    id: item.id,
    input: item.input,
    expected_output: item.expectedOutput,
    metadata: item.metadata,
    source_trace_id: item.sourceTraceId,
    source_span_id: item.sourceSpanId,
  };
}

const writeStatuses: readonly string[] = [
  'created',
  'updated',
  'unchanged',
  'deleted',
] satisfies DatasetItemStatus[];

/** A write's answer: the version after it, counts, and what happened to each item. */
export function toDatasetWriteBody(result: DatasetWriteResult): DatasetWriteBody {
  const items = result.outcomes.filter((outcome): outcome is { id: string; status: DatasetItemStatus } =>
    writeStatuses.includes(outcome.status),
  );
  const count = (status: DatasetItemStatus) => items.filter((item) => item.status === status).length;
  return {
    version: result.dataset.version,
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    deleted: count('deleted'),
    items: items.map((item) => ({ id: item.id, status: item.status })),
  };
}

export function toDatasetVersionBody(version: DatasetVersionRecord): DatasetVersionBody {
  return {
    version: version.version,
    created: version.created,
    updated: version.updated,
    deleted: version.deleted,
    item_count: version.itemCount,
    created_by: { key_id: version.createdBy.keyId, key_name: version.createdBy.keyName },
    created_at: version.createdAt,
  };
}

export function toDatasetFromTracesBody(
  dataset: DatasetRecord,
  outcomes: TraceItemOutcome[],
): DatasetFromTracesBody {
  const count = (...statuses: string[]) =>
    outcomes.filter((outcome) => statuses.includes(outcome.status)).length;
  return {
    version: dataset.version,
    created: count('created'),
    exists: count('exists'),
    failed: count('trace_not_found', 'no_input'),
    items: outcomes.map((outcome) => ({
      trace_id: outcome.traceId,
      item_id: outcome.itemId,
      status: outcome.status,
      ...(outcome.message === undefined ? {} : { message: outcome.message }),
    })),
  };
}
