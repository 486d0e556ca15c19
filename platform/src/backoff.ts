import { PlatformErrors } from './errors.js';

/**
 * Reconnect delays: exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015): the n-th consecutive failure waits a uniformly random time in
 * [0, min(maxMs, baseMs * 2^n)), so clients that lose the same broker at the same moment (10,000
 * simulator lanes, several ingest workers) come back spread over the window instead of at once.
 * Pure: the random source is injected (tests pass a fixed one).
 *
 * Why not the `exponential-backoff` library (which the ingest commit retry uses): a reconnect loop
 * is event-driven — the delay is chosen when a connection is lost, possibly long after it was
 * established, the count starts over on CONNACK, and the simulator's MQTT 5 → 3.1.1 fallback
 * retries at once. `backOff(request)` owns one promise-returning operation and its retries and
 * exposes no delay calculator (its jitter also reads Math.random, which a table test cannot fix),
 * so each loop keeps its shape and takes its delays from here.
 */
export interface BackoffOptions {
  /** Window of the first retry (ms). */
  baseMs: number;
  /** Largest window (ms). */
  maxMs: number;
  /** Uniform in [0, 1); Math.random by default. */
  random?: () => number;
}

export class ReconnectBackoff {
  private failures = 0;
  private readonly random: () => number;

  constructor(private readonly o: BackoffOptions) {
    if (!(o.baseMs > 0) || !(o.maxMs >= o.baseMs)) throw PlatformErrors.BACKOFF_INVALID(o.baseMs, o.maxMs);
    this.random = o.random ?? Math.random;
  }

  /** Consecutive failures so far. */
  get attempts(): number {
    return this.failures;
  }

  /** The window of the next delay: min(maxMs, baseMs * 2^failures). */
  window(): number {
    // 2^31 ms is already beyond any maxMs: stop doubling there (no overflow to Infinity).
    return Math.min(this.o.maxMs, this.o.baseMs * 2 ** Math.min(this.failures, 31));
  }

  /** Delay before the next attempt (ms, an integer), counting one more failure. */
  next(): number {
    const d = Math.floor(this.random() * this.window());
    this.failures++;
    return d;
  }

  /** A connection succeeded: the next failure starts from the first window again. */
  reset(): void {
    this.failures = 0;
  }
}
