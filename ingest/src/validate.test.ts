import { describe, expect, it } from 'vitest';
import { STATION_BY_ID, validRange, type Reading } from '@basin/schemas';
import { validateReading } from './validate.js';
import { QcEngine } from './qc.js';

const limits = { maxFutureMs: 60_000, maxPastMs: 86_400_000 };
const NOW = Date.UTC(2024, 6, 1);
const r = (station: string, value: number): Reading => ({ station, metric: 'water_level', value, ts: NOW - 60_000, quality: 'not_evaluated', seq: null });

describe('water level ranged per station', () => {
  it.each([
    ['enshi', 415.5, null],
    ['enshi', 120, 'out_of_range'],
    ['hankou', 27.3, null],
    ['hankou', 415.5, 'out_of_range'],
  ])('%s %s m -> %s', (id, value, reason) => {
    expect(validateReading(r(id, value), STATION_BY_ID, limits, NOW)?.reason ?? null).toBe(reason);
  });

  it('QC passes Enshi at its warning level with the station range, fails it with the global one', () => {
    const ranged = new QcEngine(5, {}, undefined, (id, metric) => {
      const v = validRange(STATION_BY_ID.get(id), metric);
      return v.basis === 'station' ? { fail: [v.min, v.max], suspect: v.suspect ?? [v.min, v.max] } : null;
    });
    expect(ranged.evaluateBatch([r('enshi', 415.5)])[0]!.flag).toBe('pass');
    expect(new QcEngine(5).evaluateBatch([r('enshi', 415.5)])[0]!.flag).toBe('fail');
  });
});
