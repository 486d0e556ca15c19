import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import { BasinModel } from '../model/network.js';
import { levelOf } from '../model/levels.js';
import type { FloodForecast } from './flood.js';
import { bandHalfWidth, floodRun } from './run.js';

const model = new BasinModel(BASIN_STATIONS);
const T = Date.parse('2026-07-10T00:00:00Z');

describe('forecast bands', () => {
  it.each([
    ['water_level', 1, 30, undefined, 1.645 * Math.hypot(0.05, 0.02)],
    ['water_level', 72, 30, undefined, 1.645 * Math.hypot(0.05, 1.44)],
    ['discharge', 10, 50_000, undefined, 1.645 * Math.hypot(1500, 1500)],
    ['water_level', 24, 30, 0.4, 1.645 * 0.4],
  ] as const)('%s at lead %d h (value %d, skill RMSE %s)', (metric, lead, value, rmse, want) => {
    expect(bandHalfWidth(metric, lead, value, rmse)).toBeCloseTo(want, 9);
  });
});

describe('flood run', () => {
  const hankou = model.references.get('hankou')!;
  const warning = levelOf(hankou, 'warning', T)!;
  const f: FloodForecast = {
    issuedAt: T,
    horizonH: 3,
    gauges: [
      { station: 'hankou', river: 'Yangtze', km: 624, discharge: [50_000, 52_000, 54_000], stage: [warning - 0.1, warning + 0.05, warning + 0.2], rating: null, crossings: [{ level: 'warning', value: warning, at: T + 2 * 3_600_000, stage: warning + 0.05 }] },
      { station: 'yichang', river: 'Yangtze', km: 0, discharge: [30_000, 30_000, 30_000], stage: null, rating: null, crossings: [] },
    ],
  };
  const run = floodRun(f, model.references, 'abcdef0123456789');

  it('names the run by issue hour and inputs, and stores discharge and stage points', () => {
    expect(run.id).toBe('flood-2026-07-10T00-abcdef0123');
    expect(run.points.filter((p) => p.station === 'hankou')).toHaveLength(6);
    expect(run.points.filter((p) => p.station === 'yichang').map((p) => p.metric)).toEqual(['discharge', 'discharge', 'discharge']);
    expect(run.points[0]).toMatchObject({ station: 'hankou', metric: 'discharge', leadH: 1, validAt: T + 3_600_000, value: 50_000 });
  });

  it('lists every gauge level in force, crossed or not, under the rules\' level names', () => {
    const byLevel = Object.fromEntries(run.crossings.filter((c) => c.station === 'hankou').map((c) => [c.level, c.crossingAt]));
    expect(byLevel).toEqual({ fortification: null, warning: T + 2 * 3_600_000, guaranteed: null, historical_max: null });
    expect(run.crossings.every((c) => c.forecastId === run.id && c.issuedAt === T)).toBe(true);
    expect(run.crossings.some((c) => c.station === 'yichang')).toBe(false); // no stage: no crossings
  });
});
