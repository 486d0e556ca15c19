/**
 * The normal (non-flood) scenario raises no reservoir alarm: judged with the reservoirs' own level
 * kinds (schemas levelsAt: seasonal 汛限 flood limit, 正常蓄水 normal pool, 防洪高 flood-control
 * high), never with gauge kinds. Over a whole year, every 6 h: all year at or below the normal pool
 * and below the flood-control high level (the twin's yellow and orange), and in the flood season
 * within FLOOD_LIMIT_TOL_M of its flood limit.
 */
import { describe, expect, it } from 'vitest';
import { levelsAt } from '@basin/schemas';
import { resolveScenario } from './scenario.js';
import { SignalModel } from './signals.js';
import { selectStations } from './stations.js';

const HOUR = 3_600_000;
/**
 * In the flood season a reservoir is held at its flood limit (汛限); operation keeps it there within
 * centimetres, which the twin shows as blue ("using flood storage"), not as a warning. A normal
 * year stays within this band; a flood scenario rises metres above it.
 */
const FLOOD_LIMIT_TOL_M = 0.3;
const T0 = Date.UTC(2026, 0, 1);
const reservoirs = selectStations({ seed: 3 }).filter((s) => s.station.referenceLevels?.type === 'reservoir' && s.metrics.includes('water_level'));
const model = new SignalModel(resolveScenario('normal'), 3, T0, HOUR);

describe('normal scenario: no reservoir above its levels', () => {
  it('has reservoirs to judge', () => {
    expect(reservoirs.length).toBeGreaterThan(0);
  });
  it.each(reservoirs.map((s) => [s.id, s] as const))('%s over a year', (_id, s) => {
    const i = s.metrics.indexOf('water_level');
    const alarms: string[] = [];
    let maxOverLimit = -Infinity;
    for (let h = 0; h < 365 * 24; h += 6) {
      const t = T0 + h * HOUR;
      const z = model.sample(s, t)[i]!;
      const lv = levelsAt(s.station, t);
      if (!lv || lv.type !== 'reservoir') throw new Error(`${s.id}: no reservoir levels`);
      const day = new Date(t).toISOString().slice(0, 13);
      if (lv.floodLimit) maxOverLimit = Math.max(maxOverLimit, z - lv.floodLimit.value);
      if (lv.normalPool && z > lv.normalPool.value + 1e-9) alarms.push(`${day} ${z.toFixed(2)} m above normal pool ${lv.normalPool.value}`);
      if (lv.floodControlHigh && z >= lv.floodControlHigh.value) alarms.push(`${day} ${z.toFixed(2)} m at flood-control high ${lv.floodControlHigh.value}`);
    }
    expect(alarms.slice(0, 5), `${alarms.length} alarms`).toEqual([]);
    expect(maxOverLimit).toBeLessThanOrEqual(FLOOD_LIMIT_TOL_M);
  });
});
