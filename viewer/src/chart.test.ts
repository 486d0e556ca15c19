import { describe, expect, it } from 'vitest';
import { bandOf, bandPath, chartSvg, domainOf, downsample, linePath } from './chart';

describe('charts', () => {
  it('downsampling keeps each bucket’s extremes in time order', () => {
    const pts = Array.from({ length: 1000 }, (_, i) => ({ t: i, v: i === 500 ? 99 : i === 501 ? -99 : Math.sin(i / 50) }));
    const d = downsample(pts, 50);
    expect(d.length).toBeLessThanOrEqual(100);
    expect(d.some((p) => p.v === 99)).toBe(true);
    expect(d.some((p) => p.v === -99)).toBe(true);
    for (let i = 1; i < d.length; i++) expect(d[i]!.t).toBeGreaterThanOrEqual(d[i - 1]!.t);
    expect(downsample(pts.slice(0, 10), 50)).toHaveLength(10);
  });
  it('domain covers points and reference levels with padding', () => {
    const d = domainOf([{ t: 0, v: 10 }, { t: 1, v: 20 }], 0, 1, [25]);
    expect(d.v0).toBeCloseTo(9.25);
    expect(d.v1).toBeCloseTo(25.75);
    expect(domainOf([], 0, 1)).toEqual({ t0: 0, t1: 1, v0: 0, v1: 1 });
  });
  it('paths map time to x and value to y (y down)', () => {
    const d = { t0: 0, t1: 10, v0: 0, v1: 100 };
    expect(linePath([{ t: 0, v: 0 }, { t: 10, v: 100 }], d, 200, 50)).toBe('M0.0,50.0L200.0,0.0');
    expect(bandPath([{ t: 0, v: 0 }], [{ t: 0, v: 100 }], d, 200, 50)).toBe('M0.0,50.0L0.0,0.0Z');
  });
  it('draws reference levels inside the domain only', () => {
    const svg = chartSvg({ points: [{ t: 0, v: 1 }], domain: { t0: 0, t1: 1, v0: 0, v1: 10 }, w: 100, h: 10, levels: [{ value: 5, label: '警戒 5', color: '#ff0' }, { value: 50, label: '保证 50', color: '#f80' }] });
    expect(svg).toContain('警戒 5');
    expect(svg).not.toContain('保证 50');
  });
  it('a forecast series becomes a band (bounds where given, else the value)', () => {
    const b = bandOf([
      { validAt: '2026-07-01T01:00:00Z', value: 27, lower: 26.8, upper: 27.3 },
      { validAt: '2026-07-01T02:00:00Z', value: 27.2, lower: null, upper: null },
    ]);
    const t1 = Date.parse('2026-07-01T01:00:00Z');
    const t2 = t1 + 3_600_000;
    expect(b).toEqual({
      mid: [{ t: t1, v: 27 }, { t: t2, v: 27.2 }],
      lower: [{ t: t1, v: 26.8 }, { t: t2, v: 27.2 }],
      upper: [{ t: t1, v: 27.3 }, { t: t2, v: 27.2 }],
    });
    expect(bandOf([])).toBeNull();
  });
  it('draws the now line only inside the time domain', () => {
    const base = { points: [{ t: 0, v: 1 }], domain: { t0: 0, t1: 10, v0: 0, v1: 10 }, w: 100, h: 10 };
    expect(chartSvg({ ...base, now: 5 })).toContain('x1="50.0" x2="50.0"');
    expect(chartSvg({ ...base, now: 20 })).not.toContain('stroke-dasharray="2 3"');
  });
});
