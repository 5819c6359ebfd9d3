/**
 * What a part of a page shows while its data loads: a spinner and a sentence, announced politely
 * to screen readers.
 *
 * @example
 * if (metrics.isPending) return <LoadingState label="Loading metrics…" />;
 */
export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
