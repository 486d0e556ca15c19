import { describe, expect, it } from 'vitest';
import { cumulativeKm, haversineKm, pointAlong, snapToLine, type LonLat } from './geo.js';
import { BASIN_STATIONS, RIVER_AXES, riverKmOf, riverPoint, SNAP_MAX_KM } from './catalogue/index.js';

describe('geo helpers', () => {
  it.each([
    // Wuhan (Hankou) to Yichang: ~290 km great-circle.
    [[114.29, 30.58], [111.29, 30.69], 280, 300],
    [[0, 0], [1, 0], 111.1, 111.3],
    [[10, 10], [10, 10], 0, 0],
  ] as [LonLat, LonLat, number, number][])('haversine %j → %j', (a, b, lo, hi) => {
    const d = haversineKm(a, b);
    expect(d).toBeGreaterThanOrEqual(lo);
    expect(d).toBeLessThanOrEqual(hi);
  });

  const line: LonLat[] = [[0, 0], [1, 0], [1, 1]];
  it('snaps to the nearest segment and measures along the line', () => {
    const s = snapToLine([0.5, 0.1], line);
    expect(s.point[0]).toBeCloseTo(0.5, 6);
    expect(s.point[1]).toBeCloseTo(0, 6);
    expect(s.alongKm).toBeCloseTo(haversineKm([0, 0], [0.5, 0]), 3);
    expect(s.offsetKm).toBeCloseTo(haversineKm([0.5, 0], [0.5, 0.1]), 3);
  });

  it('pointAlong inverts snapToLine along the line and clamps at the ends', () => {
    const total = cumulativeKm(line).at(-1)!;
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      const p = pointAlong(line, total * f);
      expect(snapToLine(p, line).alongKm).toBeCloseTo(total * f, 3);
    }
    expect(pointAlong(line, -5)).toEqual([0, 0]);
    expect(pointAlong(line, total + 5)).toEqual([1, 1]);
  });
});

describe('catalogue river axes', () => {
  it('has anchors increasing in both catalogue km and line km', () => {
    for (const axis of Object.values(RIVER_AXES)) {
      expect(axis.anchors.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < axis.anchors.length; i++) {
        expect(axis.anchors[i]![0]).toBeGreaterThan(axis.anchors[i - 1]![0]);
        expect(axis.anchors[i]![1]).toBeGreaterThan(axis.anchors[i - 1]![1]);
      }
    }
  });

  it('places estimated river gauges on their line and sourced ones near it, in river-km order', () => {
    for (const river of ['Yangtze', 'Han'] as const) {
      const gauges = BASIN_STATIONS.filter((s) => s.kind === 'hydrology_gauge' && s.river === river).sort((a, b) => a.riverKm! - b.riverKm!);
      let lastKm = -Infinity;
      for (const g of gauges) {
        const snap = riverKmOf(river, [g.location.lon, g.location.lat]);
        // a sourced position (Hankou) keeps its place: the Natural Earth line is generalised
        expect(snap.offsetKm, g.id).toBeLessThan(g.location.approximate ? 0.05 : SNAP_MAX_KM);
        expect(snap.km, g.id).toBeGreaterThan(lastKm);
        lastKm = snap.km;
      }
    }
  });

  it.each([['Yangtze', 0], ['Yangtze', 300], ['Han', 200], ['Han', 600]] as const)('riverPoint(%s, %i) lies on the line at that km', (river, km) => {
    const p = riverPoint(river, km);
    const back = riverKmOf(river, p);
    expect(back.offsetKm).toBeLessThan(0.01);
    expect(back.km).toBeCloseTo(km, 0);
  });
});
