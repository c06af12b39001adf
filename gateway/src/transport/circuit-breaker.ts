/**
 * A circuit breaker per department (hand-written: a few lines of state, deterministic under test, no timer
 * of its own). Closed: requests go through; after `failureThreshold` consecutive failed fetches it opens.
 * Open: requests fail fast without being sent. Once `cooldownMs` has passed it is half-open: one request at
 * a time is let through as a probe; the probe's success closes the breaker, its failure opens it again for
 * another cool-down. Any success while closed resets the run of failures.
 */
import type { BreakerSnapshot } from "./department-health";

export interface CircuitBreakerOptions {
  /** Consecutive failed fetches that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open before a probe is let through, milliseconds. */
  cooldownMs: number;
  now?: () => number;
  /** Told when the breaker opens (`reopened`: again, after a failed probe) and when it closes. */
  onChange?: (s: BreakerSnapshot, how: { reopened: boolean }) => void;
}

/** What `acquire` hands out: report how the fetch ended, exactly once (later calls are ignored). */
export interface BreakerPermit {
  success(): void;
  failure(): void;
  /** The fetch ended without saying anything about the department (e.g. cancelled): frees a probe slot. */
  release(): void;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;
  private lastSuccessAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(readonly name: string, private readonly opts: CircuitBreakerOptions) {
    this.now = opts.now ?? Date.now;
  }

  get state(): BreakerSnapshot["state"] {
    if (this.openedAt === null) return "closed";
    return this.now() - this.openedAt >= this.opts.cooldownMs ? "half_open" : "open";
  }

  /** A permit to send one fetch, or null to fail fast (open, or half-open with a probe already out). */
  acquire(): BreakerPermit | null {
    const state = this.state;
    if (state === "open") return null;
    if (state === "half_open") {
      if (this.probing) return null;
      this.probing = true;
    }
    const probe = state === "half_open";
    let done = false;
    const settle = (ok: boolean | null) => {
      if (done) return;
      done = true;
      if (probe) this.probing = false;
      if (ok === null) return;
      if (ok) {
        const wasOpen = this.openedAt !== null;
        this.failures = 0;
        this.openedAt = null;
        this.lastSuccessAt = this.now();
        if (wasOpen) this.changed(false);
      } else {
        this.failures++;
        // A failed probe reopens for a full cool-down; so does reaching the threshold while closed. A failure
        // of a fetch let through before the breaker opened does not extend the cool-down.
        if (probe || (this.openedAt === null && this.failures >= this.opts.failureThreshold)) {
          this.openedAt = this.now();
          this.changed(probe);
        }
      }
    };
    return { success: () => settle(true), failure: () => settle(false), release: () => settle(null) };
  }

  private changed(reopened: boolean) {
    try {
      this.opts.onChange?.(this.snapshot(), { reopened });
    } catch {
      /* an observer's failure changes nothing */
    }
  }

  /**
   * Opens the breaker for `ms` because another gateway found the department failing (its breaker opened):
   * requests fail fast here too until then, and a probe follows as usual. Never shortens an open period;
   * observers are not told (the change came from elsewhere and must not be announced back). Ignored when
   * the department answered this gateway within the last cool-down: its own evidence wins over a peer's
   * (a peer cut off from the department must not keep it failing fast everywhere).
   */
  openFor(ms: number): void {
    if (!(ms > 0) || this.now() - this.lastSuccessAt < this.opts.cooldownMs) return;
    const openedAt = this.now() + Math.min(ms, this.opts.cooldownMs) - this.opts.cooldownMs;
    if (this.openedAt === null || openedAt > this.openedAt) this.openedAt = openedAt;
  }

  /** How long the breaker stays open before its next probe, milliseconds (0 when closed or half-open). */
  remainingMs(): number {
    return this.openedAt === null ? 0 : Math.max(0, this.openedAt + this.opts.cooldownMs - this.now());
  }

  /** Whether requests are failing fast right now (a retry should not be attempted). */
  isOpen(): boolean {
    return this.openedAt !== null;
  }

  snapshot(): BreakerSnapshot {
    return { subgraph: this.name, state: this.state, failures: this.failures, ...(this.openedAt !== null ? { openedAt: new Date(this.openedAt).toISOString() } : {}) };
  }
}
