/**
 * A first-in-first-out ring buffer of fixed capacity. `push` is O(1) and refuses when full, so a
 * producer that outruns its consumer costs bounded memory; the caller decides what a refusal means.
 */
export interface BoundedQueue<T> {
  /** Items held. */
  readonly length: number;
  /** Items it can hold. */
  readonly capacity: number;
  /** Appends `item`; `false` (and nothing stored) when full. */
  push(item: T): boolean;
  /** The item `index` places from the head, without removing it. */
  peek(index: number): T | undefined;
  /** Removes up to `count` items from the head and returns them, oldest first. */
  take(count: number): T[];
}

/**
 * A {@link BoundedQueue} holding at most `capacity` items.
 *
 * @example
 * const queue = createBoundedQueue<string>(2);
 * queue.push('a'); queue.push('b');
 * queue.push('c'); // false: full
 * queue.take(10); // ['a', 'b']
 */
export function createBoundedQueue<T>(capacity: number): BoundedQueue<T> {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError(`capacity must be a whole number >= 1, got ${capacity}`);
  // Grown on demand up to `capacity`, so a large cap costs nothing until it is used.
  let slots: Array<T | undefined> = new Array(Math.min(capacity, 1024));
  let head = 0;
  let length = 0;

  function grow() {
    const next: Array<T | undefined> = new Array(Math.min(capacity, slots.length * 2));
    for (let index = 0; index < length; index++) next[index] = slots[(head + index) % slots.length];
    slots = next;
    head = 0;
  }

  return {
    get length() {
      return length;
    },
    capacity,
    push(item) {
      if (length === capacity) return false;
      if (length === slots.length) grow();
      slots[(head + length) % slots.length] = item;
      length++;
      return true;
    },
    peek(index) {
      return index < 0 || index >= length ? undefined : slots[(head + index) % slots.length];
    },
    take(count) {
      const taken: T[] = [];
      const n = Math.min(count, length);
      for (let index = 0; index < n; index++) {
        const position = (head + index) % slots.length;
        taken.push(slots[position] as T);
        // Let the garbage collector have what the consumer now owns.
        slots[position] = undefined;
      }
      head = (head + n) % slots.length;
      length -= n;
      return taken;
    },
  };
}
