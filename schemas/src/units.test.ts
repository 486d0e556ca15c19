import { describe, expect, it } from 'vitest';
import { METRICS } from './metrics.js';
import { convertUnit, normaliseUnit, unitsConvertibleTo } from './units.js';

describe('unit conversion to catalogue units', () => {
  it.each([
    [0.5, 'mS/cm', 'uS/cm', 500],
    [500, 'µS/cm', 'uS/cm', 500],
    [500, 'μS/cm', 'uS/cm', 500],
    [1, 'S/m', 'uS/cm', 10_000],
    [300.15, 'K', 'Cel', 27],
    [212, '[degF]', 'Cel', 100],
    [250, 'cm', 'm', 2.5],
    [3600, 'm3/h', 'm3/s', 1],
    [0.012, 'g/L', 'mg/L', 12],
    [0.035, 'mg/m3', 'ug/m3', 35],
    [0.31, '/', '%', 31],
    [7, 'mg/L', 'mg/L', 7],
  ])('%s %s -> %s', (v, from, to, want) => {
    expect(convertUnit(v, from, to)).toBeCloseTo(want, 9);
  });

  it.each([
    ['mS/cm', 'mg/L'],
    ['furlong', 'm'],
    ['Cel', 'K'], // only conversions into catalogue units
    ['', 'm'],
  ])('has no conversion from %j to %j', (from, to) => {
    expect(convertUnit(1, from, to)).toBeNull();
  });

  it('covers every catalogue unit at least with itself', () => {
    for (const m of Object.values(METRICS)) {
      expect(convertUnit(1.5, m.unit, m.unit)).toBe(1.5);
      expect(unitsConvertibleTo(m.unit)[0]).toBe(m.unit);
    }
    expect(normaliseUnit(' µg/m3 ')).toBe('ug/m3');
  });
});
