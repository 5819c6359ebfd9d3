import { jsonDepthExceeds, maxJsonDepth } from '@flywheel/spec';
import type { OtlpAttributes, OtlpValue } from './otlp-types.js';

/** Largest count a stored integer column takes (PostgreSQL `integer`). */
const maxCount = 2_147_483_647;

/** Deepest dotted path rebuilt into nested objects; the rest of a longer key stays dotted. */
const maxPathDepth = 8;

/**
 * Typed, forgiving reads of span attributes that remember which keys a mapped field took, so the
 * rest can be kept as plain attributes without repeating what already has a column. Values of an
 * unexpected type are coerced where that is unambiguous (a number where a string was expected)
 * and otherwise read as absent: instrumentations disagree, and a span is never refused for it.
 */
export class AttributeReader {
  private readonly taken = new Set<string>();

  /** @param attributes the span's attributes (null prototype, as the decoders build them) */
  constructor(private readonly attributes: OtlpAttributes) {}

  /** The raw value of `key`, without taking it. */
  peek(key: string): OtlpValue | undefined {
    return Object.hasOwn(this.attributes, key) ? this.attributes[key] : undefined;
  }

  /** The value of `key` as a non-empty string, without taking it. */
  peekString(key: string): string | undefined {
    const value = this.peek(key);
    if (typeof value === 'string') return value === '' ? undefined : value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return undefined;
  }

  /** The first of `keys` that holds a non-empty string (see {@link peekString}); takes it. */
  string(...keys: string[]): string | undefined {
    for (const key of keys) {
      const value = this.peekString(key);
      if (value !== undefined) return this.take(key, value);
    }
    return undefined;
  }

  /** The first of `keys` that holds a finite number (or numeric string); takes it. */
  number(...keys: string[]): number | undefined {
    for (const key of keys) {
      const value = toNumber(this.peek(key));
      if (value !== undefined) return this.take(key, value);
    }
    return undefined;
  }

  /** The first of `keys` that holds a count that fits a stored integer; takes it. */
  count(...keys: string[]): number | undefined {
    for (const key of keys) {
      const value = toNumber(this.peek(key));
      if (value !== undefined && Number.isInteger(value) && value >= 0 && value <= maxCount)
        return this.take(key, value);
    }
    return undefined;
  }

  /**
   * The first of `keys` that is set, with JSON text parsed (see {@link parseJsonText}) and
   * structured values as they are; takes it.
   */
  json(...keys: string[]): unknown {
    for (const key of keys) {
      const value = this.peek(key);
      if (value === undefined || value === null || value === '') continue;
      // Lists of JSON texts occur too (the Vercel AI SDK's `ai.values`, `ai.prompt.tools`).
      const parsed = Array.isArray(value)
        ? value.map((item) => (typeof item === 'string' ? parseJsonText(item) : item))
        : typeof value === 'string'
          ? parseJsonText(value)
          : value;
      return this.take(key, parsed);
    }
    return undefined;
  }

  /**
   * Rebuilds flattened, indexed attributes (`prefix.0.role`, `prefix.0.content`, `prefix.1.role`)
   * into a list of objects (`[{ role, content }, { role }]`), in index order; takes those keys.
   * Undefined when there are none.
   */
  indexed(prefix: string): unknown[] | undefined {
    const head = `${prefix}.`;
    const nodes = new WeakSet<object>();
    const items = new Map<number, Record<string, unknown>>();
    for (const key of Object.keys(this.attributes)) {
      if (!key.startsWith(head)) continue;
      const match = /^(\d{1,9})\.(.+)$/.exec(key.slice(head.length));
      if (!match) continue;
      const index = Number(match[1]);
      let item = items.get(index);
      if (item === undefined) {
        item = newNode(nodes);
        items.set(index, item);
      }
      if (setPath(item, match[2]!.split('.'), this.attributes[key], nodes)) this.taken.add(key);
    }
    if (items.size === 0) return undefined;
    return [...items.entries()]
      .sort(([left], [right]) => left - right)
      .map(([, item]) => listsFromIndexes(item, nodes));
  }

  /** Marks `key` as mapped, so {@link rest} leaves it out. */
  take<T>(key: string, value: T): T {
    this.taken.add(key);
    return value;
  }

  /** The attributes no mapped field took. */
  rest(): Array<[string, OtlpValue]> {
    return Object.keys(this.attributes)
      .filter((key) => !this.taken.has(key))
      .map((key) => [key, this.attributes[key] as OtlpValue]);
  }
}

function toNumber(value: OtlpValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  return undefined;
}

/**
 * Text that looks like a JSON object, array or string is parsed; anything else, JSON that does
 * not parse, or JSON nested deeper than storage accepts stays text. (Numbers and words stay
 * text: `"42"` as a prompt is more likely text than JSON.)
 */
export function parseJsonText(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[' && first !== '"') return text;
  try {
    const parsed: unknown = JSON.parse(text);
    return jsonDepthExceeds(parsed, maxJsonDepth) ? text : parsed;
  } catch {
    return text;
  }
}

// Keys come from the sender; every node has a null prototype, so no key can reach
// Object.prototype. Depth is capped so a key with a thousand dots stays a flat key. Nodes are
// tracked in `nodes` so attribute values (kvlists are null-prototype objects too) are never
// mistaken for them, nor modified. Returns false when the value has no place (its path is
// already an object), so the caller leaves that attribute as it is.
function setPath(
  target: Record<string, unknown>,
  path: string[],
  value: unknown,
  nodes: WeakSet<object>,
): boolean {
  let node = target;
  const last = Math.min(path.length, maxPathDepth) - 1;
  for (let index = 0; index < last; index++) {
    const segment = path[index]!;
    const next = node[segment];
    if (next === undefined) {
      const child = newNode(nodes);
      node[segment] = child;
      node = child;
    } else if (isNode(next, nodes)) node = next;
    else {
      // `a.b` already holds a value: keep `a.b.c` beside it, under its remaining dotted path.
      node[path.slice(index).join('.')] = value;
      return true;
    }
  }
  const key = path.slice(last).join('.');
  if (isNode(node[key], nodes)) return false;
  node[key] = value;
  return true;
}

function newNode(nodes: WeakSet<object>): Record<string, unknown> {
  const node = Object.create(null) as Record<string, unknown>;
  nodes.add(node);
  return node;
}

function isNode(value: unknown, nodes: WeakSet<object>): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && nodes.has(value);
}

/** Nodes built by {@link setPath} whose keys are all indexes become lists, in index order. */
function listsFromIndexes(node: unknown, nodes: WeakSet<object>): unknown {
  if (!isNode(node, nodes)) return node;
  const keys = Object.keys(node);
  for (const key of keys) node[key] = listsFromIndexes(node[key], nodes);
  if (keys.length === 0 || !keys.every((key) => /^\d{1,9}$/.test(key))) return node;
  return keys.sort((left, right) => Number(left) - Number(right)).map((key) => node[key]);
}
