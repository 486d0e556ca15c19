import { describe, expect, it } from 'vitest';
import { METRICS, METRIC_CODES, isMetricCode, metricsOfMedium } from './metrics.js';

describe('metric catalogue', () => {
  it('covers every metric the platform needs', () => {
    const required = ['water_level', 'discharge', 'water_temp', 'ph', 'do', 'conductivity', 'turbidity', 'codmn', 'nh3n', 'tp', 'tn',
      'pm25', 'pm10', 'so2', 'no2', 'co', 'o3', 'air_temp', 'humidity', 'rainfall',
      'soil_moisture', 'soil_temp', 'soil_ph', 'cd', 'hg', 'as', 'pb', 'cr', 'cu', 'ni', 'zn'];
    for (const c of required) expect(METRICS, c).toHaveProperty(c);
  });

  it.each(METRIC_CODES.map((c) => [c]))('%s has a sane definition', (code) => {
    const m = METRICS[code];
    expect(m.code).toBe(code);
    expect(m.validMin).toBeLessThan(m.validMax);
    expect(m.nameZh).toMatch(/\S/);
    expect(m.unit).toMatch(/\S/);
  });

  it.each([
    ['ph', '[pH]', 'water'],
    ['do', 'mg/L', 'water'],
    ['pm25', 'ug/m3', 'air'],
    ['co', 'mg/m3', 'air'],
    ['cd', 'mg/kg', 'soil'],
    ['discharge', 'm3/s', 'hydro'],
    ['water_temp', 'Cel', 'water'],
  ] as const)('%s is measured in %s (%s)', (code, unit, medium) => {
    expect(METRICS[code].unit).toBe(unit);
    expect(METRICS[code].medium).toBe(medium);
  });

  it('groups metrics by medium and recognises codes', () => {
    expect(metricsOfMedium('soil').map((m) => m.code)).toContain('pb');
    expect(isMetricCode('nh3n')).toBe(true);
    expect(isMetricCode('toString')).toBe(false);
    expect(isMetricCode('NH3N')).toBe(false);
  });
});
