/**
 * Step added to the state of {@link seededRandom} before each draw. Exposed with
 * {@link mulberry32Output} so that hot loops can keep the state in a local variable: a closure
 * stores it in a heap context on every call, which costs about 40 % in the bootstrap.
 */
export const MULBERRY32_INCREMENT = 0x6d2b79f5;

/**
 * The 32-bit output of mulberry32 for an already advanced state, as an unsigned integer.
 *
 * @example
 * let state = seed | 0;
 * state = (state + MULBERRY32_INCREMENT) | 0;
 * const index = Math.floor((mulberry32Output(state) / 2 ** 32) * length);
 */
export function mulberry32Output(state: number): number {
  let mixed = Math.imul(state ^ (state >>> 15), state | 1);
  mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
  return (mixed ^ (mixed >>> 14)) >>> 0;
}

/**
 * A seeded pseudo-random generator (mulberry32) returning floats in [0, 1).
 *
 * Statistics that resample must give the same answer twice for the same data, so core never
 * calls `Math.random`. mulberry32 keeps 32 bits of state in the closure: fast, tiny, and good
 * enough for bootstrap resampling (it is not meant for cryptography). Every call of
 * `seededRandom` starts an independent stream; nothing is shared between callers.
 *
 * @param seed Any finite number; it is truncated to 32 bits, so seeds equal modulo 2^32 give the
 *   same stream. Non-finite seeds count as 0.
 * @returns A function yielding the next float in [0, 1) at each call, in multiples of 2^-32.
 * @example
 * const random = seededRandom(42);
 * const roll = Math.floor(random() * 6) + 1; // the same roll on every run
 */
export function seededRandom(seed: number): () => number {
  let state = seedState(seed);
  return () => {
    state = (state + MULBERRY32_INCREMENT) | 0;
    return mulberry32Output(state) / 4294967296;
  };
}

/**
 * The initial state for a seed: the seed truncated to a signed 32-bit integer, 0 when not finite.
 *
 * @example
 * seedState(-1); // -1, the same stream as seedState(2 ** 32 - 1)
 */
export function seedState(seed: number): number {
  return Number.isFinite(seed) ? Math.trunc(seed) | 0 : 0;
}
