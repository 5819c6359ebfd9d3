import {
  type CallSignal,
  createCallController,
  type PhaseTimeouts,
  UpstreamError,
  type UpstreamPhase,
} from '@flywheel/spec';

/**
 * The clock of one upstream call: a signal that fires when the caller aborts, when the
 * total time runs out, or when the phase currently armed (first token, idle) overruns. The
 * abort reason is an `UpstreamError` naming the phase, so callers can tell a stall from a
 * slow answer.
 */
export interface CallDeadline {
  readonly signal: CallSignal;
  /** Starts (or restarts) the timer of a phase, replacing the previous one. */
  arm(phase: Extract<UpstreamPhase, 'first_token' | 'idle'>, ms: number): void;
  /** The UpstreamError that aborted the call, if a timeout did; otherwise the caller's reason. */
  reason(): unknown;
  /** Aborts the call (the consumer stopped reading); a no-op once aborted. */
  abort(reason: unknown): void;
  /** Stops every timer; call when the call is over. */
  dispose(): void;
}

/** Starts the deadline of a call now. */
export function startCallDeadline(parent: CallSignal, timeouts: PhaseTimeouts): CallDeadline {
  const controller = createCallController();
  let phaseTimer: ReturnType<typeof setTimeout> | undefined;
  let armed: { phase: string; ms: number } | undefined;
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onParentAbort = () => abort(parent.reason);
  if (parent.aborted) abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const totalTimer = setTimeout(
    () =>
      abort(
        new UpstreamError(
          'upstream_timeout',
          `The provider did not finish within the total timeout of ${timeouts.totalMs} ms.`,
          {
            retryable: true,
            phase: 'total',
          },
        ),
      ),
    timeouts.totalMs,
  );
  return {
    signal: controller.signal,
    arm(phase, ms) {
      // A stream re-arms its idle timer after every event: restarting the same timer is cheaper
      // than clearing it and making a new one (a timer object and a closure per event).
      if (phaseTimer !== undefined && armed?.phase === phase && armed.ms === ms) {
        phaseTimer.refresh();
        return;
      }
      if (phaseTimer !== undefined) clearTimeout(phaseTimer);
      armed = { phase, ms };
      phaseTimer = setTimeout(() => {
        const what =
          phase === 'first_token'
            ? 'sent nothing within the first-token timeout'
            : 'stalled longer than the idle timeout';
        abort(
          new UpstreamError('upstream_timeout', `The provider ${what} (${ms} ms).`, {
            retryable: true,
            phase,
          }),
        );
      }, ms);
    },
    reason: () => controller.signal.reason,
    abort,
    dispose() {
      clearTimeout(totalTimer);
      if (phaseTimer !== undefined) clearTimeout(phaseTimer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
