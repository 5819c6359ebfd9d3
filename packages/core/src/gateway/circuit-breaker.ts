/** Options of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (default 5). */
  failureThreshold?: number;
  /** How long an open circuit refuses traffic before one probe is let through (ms, default 30,000). */
  cooldownMs?: number;
  /** Current time in ms; injectable for tests. */
  now?: () => number;
}

/** The state of one target's circuit. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A per-target circuit breaker. Closed: traffic flows, consecutive retryable failures are
 * counted. Open: traffic is refused until the cooldown ends. Half-open: exactly one probe goes
 * through; its success closes the circuit, its failure opens it again.
 */
export interface CircuitBreaker {
  /** Whether a request may go to this target now (takes the probe slot when half-open). */
  tryAcquire(): boolean;
  /** Whether a request could go now, without taking the probe slot. */
  isAvailable(): boolean;
  onSuccess(): void;
  onFailure(): void;
  state(): CircuitState;
  /** Ms until an open circuit lets a probe through (0 when available). */
  retryInMs(): number;
}

/** A new, closed circuit breaker. */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const now = options.now ?? (() => Date.now());
  let failures = 0;
  let openedAt: number | undefined;
  let probing = false;

  const state = (): CircuitState => {
    if (openedAt === undefined) return 'closed';
    return now() - openedAt >= cooldownMs ? 'half-open' : 'open';
  };
  return {
    tryAcquire() {
      const current = state();
      if (current === 'closed') return true;
      if (current === 'open' || probing) return false;
      probing = true;
      return true;
    },
    isAvailable() {
      const current = state();
      return current === 'closed' || (current === 'half-open' && !probing);
    },
    onSuccess() {
      failures = 0;
      openedAt = undefined;
      probing = false;
    },
    onFailure() {
      failures++;
      if (probing || failures >= threshold) openedAt = now();
      probing = false;
    },
    state,
    retryInMs() {
      return openedAt === undefined ? 0 : Math.max(0, cooldownMs - (now() - openedAt));
    },
  };
}
