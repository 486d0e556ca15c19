import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS, type Station } from '@basin/schemas';
import { standardsClassifiers } from './classifiers.js';
import type { RuleStation } from './types.js';

const byId = new Map<string, Station>(BASIN_STATIONS.map((s) => [s.id, s]));
const c = standardsClassifiers(() => byId);
const rs = (id: string): RuleStation => {
  const s = byId.get(id)!;
  return { id, kind: s.kind, reach: null, river: s.river, admin: s.jurisdiction.admin, riverChief: s.jurisdiction.riverChief };
};
const JULY = Date.parse('2026-07-15T00:00:00+08:00');
const JANUARY = Date.parse('2026-01-15T00:00:00+08:00');

describe('standards classifiers for the rule engine', () => {
  it('river gauge colours from 警戒 / 保证 / historical maximum (Shashi 43.0 / 45.0 / 45.22)', () => {
    expect(c.floodLevels(rs('shashi'), JULY)).toEqual({ blue: 42, yellow: 43, orange: 45, red: 45.22 });
  });
  it('reservoirs by their own levels: Three Gorges in winter has no flood limit, normal pool is not a warning', () => {
    expect(c.floodLevels(rs('three-gorges'), JANUARY)).toEqual({ yellow: 175.01 });
    expect(c.floodLevels(rs('three-gorges'), JULY)).toEqual({ blue: 145.01, yellow: 175.01 });
  });
  it('GB 3838 per parameter, lake limits at lakes', () => {
    expect(c.waterClass(rs('wq-zongguan'), 'nh3n', 1.0)).toBe('III');
    expect(c.waterClass(rs('wq-zongguan'), 'nh3n', 1.01)).toBe('IV');
    expect(c.waterClass(rs('wq-zongguan'), 'water_temp', 30)).toBeNull();
  });
  it('HJ 633 category by the version in force', () => {
    expect(c.aqiCategory(rs('air-wuhan'), { pm25: 30 }, JULY)).toBe(1);
    expect(c.aqiCategory(rs('air-wuhan'), { pm25: 300, o3: 50 }, JULY)).toBeGreaterThanOrEqual(5);
    expect(c.aqiCategory(rs('air-wuhan'), {}, JULY)).toBeNull();
  });
});
