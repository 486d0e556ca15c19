import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './backoff.js';

/** A random source returning the given values in turn. */
const seq = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length]!;
};

describe('ReconnectBackoff (full jitter)', () => {
  it.each([
    ['lowest draw', 0, [0, 0, 0, 0, 0]],
    ['middle draw', 0.5, [250, 500, 1000, 2000, 2500]],
    ['highest draw', 0.999999, [499, 999, 1999, 3999, 4999]],
  ])('%s: delays within a doubling window capped at maxMs', (_n, r, want) => {
    const b = new ReconnectBackoff({ baseMs: 500, maxMs: 5000, random: () => r });
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(want);
  });

  it('windows double up to the cap and stay there (no overflow after many failures)', () => {
    const b = new ReconnectBackoff({ baseMs: 100, maxMs: 1000, random: () => 0.5 });
    const windows: number[] = [];
    for (let i = 0; i < 6; i++) {
      windows.push(b.window());
      b.next();
    }
    expect(windows).toEqual([100, 200, 400, 800, 1000, 1000]);
    for (let i = 0; i < 2000; i++) b.next();
    expect(b.window()).toBe(1000);
    expect(b.next()).toBe(500);
  });

  it('reset after a successful connection starts from the first window', () => {
    const b = new ReconnectBackoff({ baseMs: 200, maxMs: 5000, random: seq(0.9, 0.9, 0.9, 0.25) });
    expect([b.next(), b.next(), b.next()]).toEqual([180, 360, 720]);
    expect(b.attempts).toBe(3);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(50);
  });

  it('spreads clients that fail together over the window', () => {
    // 1,000 clients losing the broker at once, each with its own draw: no two share a delay slot of 5 ms
    const draws = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
    const delays = draws.map((d) => new ReconnectBackoff({ baseMs: 5000, maxMs: 5000, random: () => d }).next());
    expect(new Set(delays.map((d) => Math.floor(d / 5))).size).toBe(1000);
    expect(Math.min(...delays)).toBeLessThan(5);
    expect(Math.max(...delays)).toBeGreaterThan(4990);
  });

  it.each([
    [{ baseMs: 0, maxMs: 10 }],
    [{ baseMs: 10, maxMs: 5 }],
    [{ baseMs: Number.NaN, maxMs: 5 }],
  ])('refuses %j', (o) => {
    expect(() => new ReconnectBackoff(o)).toThrow(expect.objectContaining({ code: 'BACKOFF_INVALID' }));
  });
});
