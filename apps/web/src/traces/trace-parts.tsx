import type { SpanNodeBody } from '@flywheel/spec';

const statusLabels: Record<SpanNodeBody['status'], string> = { ok: 'OK', error: 'Error', unset: 'Unset' };

/** A trace's or span's status as a labelled badge (colour is never the only cue). */
export function StatusBadge({ status }: { status: SpanNodeBody['status'] }) {
  return (
    <span className="status-badge" data-status={status}>
      {statusLabels[status]}
    </span>
  );
}
