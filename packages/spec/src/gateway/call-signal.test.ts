import { describe, expect, it } from 'vitest';
import { createCallController } from './call-signal.js';

describe('createCallController', () => {
  it('aborts once, with the given reason, calling each listener once', () => {
    const controller = createCallController();
    const calls: string[] = [];
    const first = () => calls.push('first');
    const second = () => calls.push('second');
    controller.signal.addEventListener('abort', first, { once: true });
    controller.signal.addEventListener('abort', first);
    controller.signal.addEventListener('abort', second);
    controller.signal.removeEventListener('abort', second);
    expect(controller.signal.aborted).toBe(false);
    const reason = new Error('client went away');
    controller.abort(reason);
    controller.abort(new Error('later'));
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBe(reason);
    expect(calls).toEqual(['first']);
    // A listener added after the abort is never called (as on an AbortSignal).
    controller.signal.addEventListener('abort', second);
    controller.abort(reason);
    expect(calls).toEqual(['first']);
  });

  it('gives an AbortError when aborted without a reason', () => {
    const controller = createCallController();
    controller.abort();
    expect(controller.signal.reason).toBeInstanceOf(DOMException);
    expect((controller.signal.reason as DOMException).name).toBe('AbortError');
  });
});
