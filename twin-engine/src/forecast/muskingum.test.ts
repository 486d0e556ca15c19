import { describe, expect, it } from 'vitest';
import { coefficients, route, subReaches } from './muskingum.js';

describe('Muskingum routing', () => {
  it('coefficients sum to one and are non-negative within the stability range', () => {
    const { n, k } = subReaches({ kH: 24, x: 0.2 }, 1);
    expect(2 * k * 0.2).toBeLessThanOrEqual(1);
    expect(n).toBe(10);
    const c = coefficients(k, 0.2, 1);
    expect(c[0] + c[1] + c[2]).toBeCloseTo(1, 12);
    for (const x of c) expect(x).toBeGreaterThanOrEqual(-1e-12);
  });

  it('delays the peak by about K, attenuates it and keeps the volume', () => {
    const inflow = Array.from({ length: 400 }, (_, t) => 1000 + 9000 * Math.exp(-0.5 * ((t - 60) / 12) ** 2));
    const out = route(inflow, { kH: 48, x: 0.2 });
    const peakT = out.indexOf(Math.max(...out));
    expect(peakT).toBeGreaterThan(60 + 40);
    expect(peakT).toBeLessThan(60 + 56);
    expect(Math.max(...out)).toBeLessThan(10_000);
    const vol = (s: number[]) => s.reduce((a, b) => a + b - 1000, 0);
    expect(vol(out) / vol(inflow)).toBeCloseTo(1, 2);
  });

  it('passes a steady flow unchanged', () => {
    expect(route([500, 500, 500, 500], { kH: 10, x: 0.25 })).toEqual([500, 500, 500, 500]);
  });
});
