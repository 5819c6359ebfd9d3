import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startCallDeadline } from './call-deadline.js';

const timeouts = { connectMs: 1000, firstTokenMs: 300, idleMs: 100, totalMs: 10_000 };

describe('call deadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('restarts the idle timer on every re-arm, and aborts naming the phase that overran', () => {
    const deadline = startCallDeadline(new AbortController().signal, timeouts);
    deadline.arm('first_token', timeouts.firstTokenMs);
    vi.advanceTimersByTime(250);
    deadline.arm('idle', timeouts.idleMs);
    for (let event = 0; event < 5; event++) {
      vi.advanceTimersByTime(90);
      deadline.arm('idle', timeouts.idleMs);
    }
    // 700 ms in, past the first-token timeout, but every gap was shorter than the idle timeout.
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(99);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.reason()).toMatchObject({ code: 'upstream_timeout', phase: 'idle' });
    deadline.dispose();
  });

  it('replaces the timer when the phase or its length changes', () => {
    const deadline = startCallDeadline(new AbortController().signal, timeouts);
    deadline.arm('idle', 100);
    vi.advanceTimersByTime(50);
    deadline.arm('idle', 500);
    vi.advanceTimersByTime(450);
    expect(deadline.signal.aborted).toBe(false);
    deadline.arm('first_token', 20);
    vi.advanceTimersByTime(20);
    expect(deadline.reason()).toMatchObject({ phase: 'first_token' });
    deadline.dispose();
  });

  it('stops every timer when disposed', () => {
    const deadline = startCallDeadline(new AbortController().signal, timeouts);
    deadline.arm('idle', 100);
    deadline.arm('idle', 100);
    deadline.dispose();
    vi.advanceTimersByTime(20_000);
    expect(deadline.signal.aborted).toBe(false);
  });
});
