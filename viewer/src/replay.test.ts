import { describe, expect, it } from 'vitest';
import { lastAtOrBefore, latestAt, primaryMetric, replaySeries, replayStep, timeAtStep, type ReplaySeries } from './replay';

describe('timeline replay', () => {
  it.each([
    [[10, 20, 30], 5, -1],
    [[10, 20, 30], 10, 0],
    [[10, 20, 30], 25, 1],
    [[10, 20, 30], 30, 2],
    [[10, 20, 30], 99, 2],
    [[], 10, -1],
  ])('lastAtOrBefore(%j, %d) = %d', (t, at, want) => {
    expect(lastAtOrBefore(t, at)).toBe(want);
  });

  const s: ReplaySeries[] = [
    { station: 'hankou', metric: 'water_level', t: [1000, 2000, 3000], v: [20, 21, 22], q: ['pass', 'suspect', 'pass'] },
    { station: 'shashi', metric: 'water_level', t: [2500], v: [40], q: ['pass'] },
  ];
  it('gives each series its newest reading at the moment, none before its first', () => {
    expect(latestAt(s, 2200)).toEqual([{ station: 'hankou', metric: 'water_level', value: 21, time: new Date(2000).toISOString(), quality: 'suspect', receivedAt: new Date(2000).toISOString() }]);
    expect(latestAt(s, 5000).map((r) => [r.station, r.value])).toEqual([['hankou', 22], ['shashi', 40]]);
    expect(latestAt(s, 0)).toEqual([]);
  });

  it.each([
    [0, 1000],
    [1440, 2440],
    [720, 1720],
    [-5, 1000],
    [2000, 2440],
  ])('slider step %d is time %d', (step, want) => {
    expect(timeAtStep(1000, 2440, step, 1440)).toBe(want);
  });

  it.each([
    [['discharge', 'water_level'], 'water_level'],
    [['ph', 'nh3n'], 'nh3n'],
    [['so2', 'pm25'], 'pm25'],
    [['soil_ph'], 'soil_ph'],
  ] as const)('primary metric of %j is %s', (metrics, want) => {
    expect(primaryMetric({ metrics: [...metrics] })).toBe(want);
  });

  it.each([
    // [window, stations, step s]: 5 min unless stations × steps would pass the row budget
    [86_400_000, 1, 300],
    [86_400_000, 130, 300],
    [86_400_000, 200, 432],
    [86_400_000, 10_000, 21_600],
    [86_400_000, 50_000, 86_400],
    [3_600_000, 10_000, 900],
  ])('replayStep(%d ms, %d stations) = %d s', (windowMs, stations, want) => {
    const step = replayStep(windowMs, stations);
    expect(step).toBe(want);
    expect(stations * Math.ceil(windowMs / 1000 / step)).toBeLessThanOrEqual(Math.max(40_000, stations));
  });

  it("keeps each station's primary metric from one window answer", () => {
    const stations = [{ id: 'hankou', metrics: ['water_level', 'discharge'] }, { id: 'yichang', metrics: ['discharge'] }, { id: 'quiet', metrics: ['ph'] }] as const;
    const p = (time: string, value: number) => ({ time, value, quality: 'pass' as const });
    const series = replaySeries(stations.map((s) => ({ id: s.id, metrics: [...s.metrics] })), {
      series: [
        { station: 'hankou', metric: 'discharge', points: [p('2026-07-10T08:00:00Z', 30000)] },
        { station: 'hankou', metric: 'water_level', points: [p('2026-07-10T07:00:00Z', 27.1), { time: '2026-07-10T08:00:00Z', value: 27.5 }] },
        { station: 'yichang', metric: 'discharge', points: [p('2026-07-10T08:00:00Z', 51000)] },
      ],
    });
    expect(series).toEqual([
      { station: 'hankou', metric: 'water_level', t: [Date.parse('2026-07-10T07:00:00Z'), Date.parse('2026-07-10T08:00:00Z')], v: [27.1, 27.5], q: ['pass', 'not_evaluated'] },
      { station: 'yichang', metric: 'discharge', t: [Date.parse('2026-07-10T08:00:00Z')], v: [51000], q: ['pass'] },
    ]);
  });
});
