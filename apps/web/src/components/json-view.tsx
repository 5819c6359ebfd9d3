import { useState } from 'react';

/**
 * JSON (a model's input or output, metadata, attributes) pretty-printed, with objects and arrays
 * folding open and shut by button. Everything is rendered as text: a string holding `<script>`
 * shows those characters, it never becomes markup.
 *
 * @example
 * <JsonView value={span.output} label="Output" collapseDepth={1} />
 */
export function JsonView({
  value,
  label,
  collapseDepth = 2,
}: {
  value: unknown;
  /** What the value is ("Output"); names the fold buttons for screen readers. */
  label: string;
  /** Objects and arrays this deep or deeper start folded (0: fold everything). */
  collapseDepth?: number;
}) {
  return (
    <div className="json-view">
      <JsonNode value={value} name={undefined} path={label} depth={0} collapseDepth={collapseDepth} last />
    </div>
  );
}

interface NodeProps {
  value: unknown;
  /** The key in the parent object; undefined for array items and the root. */
  name: string | undefined;
  /** Names from the root, for the fold buttons' accessible names. */
  path: string;
  depth: number;
  collapseDepth: number;
  last: boolean;
}

function JsonNode({ value, name, path, depth, collapseDepth, last }: NodeProps) {
  const isArray = Array.isArray(value);
  const isObject = typeof value === 'object' && value !== null;
  const [open, setOpen] = useState(depth < collapseDepth);
  const comma = last ? '' : ',';
  const key =
    name === undefined ? null : (
      <>
        <span className="json-key">{JSON.stringify(name)}</span>:{' '}
      </>
    );
  if (!isObject) {
    return (
      <div>
        {key}
        <Primitive value={value} />
        {comma}
      </div>
    );
  }
  const entries: Array<[string | undefined, unknown]> = isArray
    ? value.map((item) => [undefined, item])
    : Object.entries(value);
  const [opening, closing] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div>
        {key}
        {opening}
        {closing}
        {comma}
      </div>
    );
  }
  const count = isArray
    ? `${entries.length} ${entries.length === 1 ? 'item' : 'items'}`
    : `${entries.length} ${entries.length === 1 ? 'key' : 'keys'}`;
  return (
    <div>
      <button
        type="button"
        className="json-toggle"
        aria-expanded={open}
        aria-label={`${open ? 'Fold' : 'Unfold'} ${path} (${count})`}
        onClick={() => setOpen(!open)}
      >
        {open ? '▾' : '▸'}
      </button>
      {key}
      {opening}
      {open ? (
        <ul>
          {entries.map(([childName, child], index) => (
            <li key={childName ?? index}>
              <JsonNode
                value={child}
                name={childName}
                path={`${path} › ${childName ?? index}`}
                depth={depth + 1}
                collapseDepth={collapseDepth}
                last={index === entries.length - 1}
              />
            </li>
          ))}
        </ul>
      ) : (
        <span className="muted"> … {count} </span>
      )}
      {closing}
      {comma}
    </div>
  );
}

function Primitive({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span className="json-string">&quot;{value}&quot;</span>;
  if (typeof value === 'number') return <span className="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="json-boolean">{String(value)}</span>;
  if (value === null) return <span className="json-null">null</span>;
  // undefined (a field left out) and anything JSON cannot hold.
  return <span className="json-null">{String(value)}</span>;
}
