import { describe, expect, it } from 'vitest';
import { createBoundedQueue } from './bounded-queue.js';

describe('bounded queue', () => {
  it('refuses items beyond its capacity and keeps order', () => {
    const queue = createBoundedQueue<number>(3);
    expect([queue.push(1), queue.push(2), queue.push(3), queue.push(4)]).toEqual([true, true, true, false]);
    expect(queue.take(2)).toEqual([1, 2]);
    expect(queue.push(5)).toBe(true);
    expect(queue.peek(0)).toBe(3);
    expect(queue.peek(1)).toBe(5);
    expect(queue.peek(2)).toBeUndefined();
    expect(queue.take(10)).toEqual([3, 5]);
    expect(queue.length).toBe(0);
  });

  it('grows past its first allocation and wraps around', () => {
    const queue = createBoundedQueue<number>(5_000);
    for (let index = 0; index < 3_000; index++) queue.push(index);
    expect(queue.take(2_500)).toHaveLength(2_500);
    for (let index = 3_000; index < 7_500; index++) expect(queue.push(index)).toBe(true);
    expect(queue.push(-1)).toBe(false);
    const all = queue.take(5_000);
    expect(all[0]).toBe(2_500);
    expect(all.at(-1)).toBe(7_499);
    expect(all.every((value, index) => value === 2_500 + index)).toBe(true);
  });

  it('refuses a capacity below one', () => {
    expect(() => createBoundedQueue(0)).toThrow(RangeError);
  });
});
