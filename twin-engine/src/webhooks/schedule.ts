/**
 * Retry schedule (pure). Attempt n (1-based, n >= 1 failed so far) waits BASE * 4^(n-1), capped at
 * 10 h, times a jitter factor in [1 - JITTER, 1 + JITTER]: 5 s, 20 s, 80 s, 5.3 min, 21 min, 85 min,
 * 5.7 h, 10 h, 10 h — about 28 h in all, after which the delivery is given up (`maxAgeMs`).
 * A Retry-After from the endpoint (429/503) replaces the computed wait when it is longer, capped at
 * a day. Written here rather than with `exponential-backoff`: that library runs an in-process
 * retry loop, while these attempts are scheduled in the database across processes and restarts.
 */
export const BASE_MS = 5_000;
export const CAP_MS = 10 * 3_600_000;
export const JITTER = 0.1;
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export function backoffMs(failedAttempts: number, rand: () => number = Math.random, baseMs = BASE_MS): number {
  const raw = Math.min(CAP_MS, baseMs * 4 ** Math.max(0, failedAttempts - 1));
  return Math.round(raw * (1 - JITTER + 2 * JITTER * rand()));
}

/** Retry-After header (delta-seconds or HTTP date) in ms from `now`, or null. */
export function parseRetryAfter(h: string | undefined, now: number): number | null {
  if (!h) return null;
  const s = h.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

export type Outcome =
  | { kind: 'delivered' }
  | { kind: 'gone' } // 410: the endpoint asks to be removed -> subscription disabled
  | { kind: 'retry'; atMs: number }
  | { kind: 'give_up' };

/** What to do after an attempt (pure): status null = no response (network error, timeout, refused address). */
export function nextStep(input: { status: number | null; retryAfter?: string; failedAttempts: number; firstAttemptAt: number; now: number; maxAgeMs: number; rand?: () => number; baseMs?: number }): Outcome {
  const { status, now } = input;
  if (status !== null && status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  let wait = backoffMs(input.failedAttempts, input.rand, input.baseMs);
  const ra = status === 429 || status === 503 ? parseRetryAfter(input.retryAfter, now) : null;
  if (ra !== null) wait = Math.max(wait, Math.min(ra, MAX_RETRY_AFTER_MS));
  if (now + wait - input.firstAttemptAt > input.maxAgeMs) return { kind: 'give_up' };
  return { kind: 'retry', atMs: now + wait };
}
