/**
 * Per-terminal circuit breaker: after a run of link failures the terminal is skipped for a
 * cool-down, then one probe decides whether it is back. A dead terminal thus costs one probe
 * per cool-down instead of a timeout per request, and never slows the rest of its bus.
 */

/** Breaker state. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Breaker tuning. */
export interface BreakerOptions {
  /** Consecutive link failures that open the breaker (default 3). */
  failureThreshold?: number;
  /** First cool-down, ms (default 30 s); doubles after each failed probe. */
  cooldownMs?: number;
  /** Longest cool-down, ms (default 10 min). */
  maxCooldownMs?: number;
  /** Clock, ms (injectable for tests). */
  now?: () => number;
}

/** A circuit breaker for one terminal. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private cooldown: number;
  private probing = false;
  private current: BreakerState = 'closed';
  private readonly now: () => number;
  private readonly threshold: number;
  private readonly baseCooldown: number;
  private readonly maxCooldown: number;

  /** Create a closed breaker. */
  constructor(options: BreakerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.threshold = options.failureThreshold ?? 3;
    this.baseCooldown = options.cooldownMs ?? 30_000;
    this.maxCooldown = options.maxCooldownMs ?? 600_000;
    this.cooldown = this.baseCooldown;
  }

  /** Current state (an open breaker whose cool-down elapsed reads as half-open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.cooldown) return 'half-open';
    return this.current;
  }

  /** When the breaker will let a probe through, if open. */
  get retryAt(): number | undefined {
    return this.current === 'open' ? this.openedAt + this.cooldown : undefined;
  }

  /**
   * Whether a request may go now. In half-open only one probe at a time is allowed; the caller
   * must report its outcome with {@link success} or {@link failure}.
   */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.probing) return false;
    this.probing = true;
    this.current = 'half-open';
    return true;
  }

  /** The terminal answered. */
  success(): void {
    this.failures = 0;
    this.probing = false;
    this.current = 'closed';
    this.cooldown = this.baseCooldown;
  }

  /** The terminal did not answer (timeout, link failure). */
  failure(): void {
    this.failures++;
    if (this.current === 'half-open') {
      this.probing = false;
      this.cooldown = Math.min(this.cooldown * 2, this.maxCooldown);
      this.trip();
    } else if (this.current === 'closed' && this.failures >= this.threshold) {
      this.trip();
    }
  }

  /** A request that went through ended without telling anything about the link (e.g. a Modbus exception). */
  release(): void {
    if (this.probing) {
      this.probing = false;
      this.success();
    }
  }

  private trip(): void {
    this.current = 'open';
    this.openedAt = this.now();
  }
}
