import { describe, expect, it } from 'vitest';
import { BASE_MS, CAP_MS, backoffMs, nextStep, parseRetryAfter } from './schedule.js';

describe('webhook retry schedule', () => {
  it.each([
    [1, BASE_MS],
    [2, BASE_MS * 4],
    [3, BASE_MS * 16],
    [5, BASE_MS * 256],
    [8, CAP_MS],
    [12, CAP_MS],
  ])('attempt %i waits %i ms within ±10%%', (n, ms) => {
    expect(backoffMs(n, () => 0)).toBe(Math.round(ms * 0.9));
    expect(backoffMs(n, () => 1)).toBe(Math.round(ms * 1.1));
    expect(backoffMs(n, () => 0.5)).toBe(ms);
  });

  it('adds up to about a day before giving up', () => {
    let total = 0;
    for (let n = 1; n <= 9; n++) total += backoffMs(n, () => 0.5);
    expect(total / 3_600_000).toBeGreaterThan(24);
    expect(total / 3_600_000).toBeLessThan(30);
  });

  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [410, 'gone'],
    [301, 'retry'],
    [302, 'retry'],
    [500, 'retry'],
    [null, 'retry'],
  ] as const)('status %s -> %s (3xx is a failure, never followed)', (status, kind) => {
    expect(nextStep({ status, failedAttempts: 1, firstAttemptAt: 0, now: 0, maxAgeMs: 86_400_000, rand: () => 0.5 }).kind).toBe(kind);
  });

  it('honours Retry-After (seconds or date) when longer, capped at a day, and gives up past the age limit', () => {
    expect(nextStep({ status: 429, retryAfter: '120', failedAttempts: 1, firstAttemptAt: 0, now: 1000, maxAgeMs: 86_400_000, rand: () => 0.5 })).toEqual({ kind: 'retry', atMs: 121_000 });
    expect(nextStep({ status: 503, retryAfter: '1', failedAttempts: 1, firstAttemptAt: 0, now: 0, maxAgeMs: 86_400_000, rand: () => 0.5 })).toEqual({ kind: 'retry', atMs: BASE_MS });
    expect(nextStep({ status: 429, retryAfter: '999999', failedAttempts: 1, firstAttemptAt: 0, now: 0, maxAgeMs: 10 * 86_400_000, rand: () => 0.5 })).toEqual({ kind: 'retry', atMs: 86_400_000 });
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(nextStep({ status: 500, failedAttempts: 9, firstAttemptAt: 0, now: 20 * 3_600_000, maxAgeMs: 26 * 3_600_000, rand: () => 0.5 }).kind).toBe('give_up');
  });
});
