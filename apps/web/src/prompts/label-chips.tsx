import { latestLabel } from '@flywheel/spec';

/**
 * Labels as small chips, `production` first and `latest` last. Given a map (label → version) each
 * chip names its version; given a list, the labels alone.
 */
export function LabelChips({ labels }: { labels: Record<string, number> | readonly string[] }) {
  const entries: Array<[string, number | undefined]> = Array.isArray(labels)
    ? labels.map((label) => [label, undefined])
    : Object.entries(labels);
  if (entries.length === 0) return <span className="muted">none</span>;
  entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return (
    <ul className="prompts-chips" aria-label="Labels">
      {entries.map(([label, version]) => (
        <li key={label} className="prompts-chip" data-label={label}>
          {version === undefined ? label : `${label} → v${version}`}
        </li>
      ))}
    </ul>
  );
}

function rank(label: string): number {
  if (label === 'production') return 0;
  if (label === latestLabel) return 2;
  return 1;
}
