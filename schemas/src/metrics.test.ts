import { describe, expect, it } from 'vitest';
import { METRICS, METRIC_CODES, isMetricCode, metricsOfMedium, validRange } from './metrics.js';
import { STATION_BY_ID } from './catalogue/index.js';

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

describe('validRange per station', () => {
  it.each([
    ['enshi', 415.5, true],
    ['enshi', 420.64, true],
    ['enshi', 200, false],
    ['hankou', 14.46, true], // 2021 minimum
    ['hankou', 29.73, true],
    ['hankou', 415.5, false],
    ['three-gorges', 145, true],
    ['three-gorges', 172, true],
    ['danjiangkou', 170, true],
  ])('%s water level %s m valid: %s', (id, value, ok) => {
    const r = validRange(STATION_BY_ID.get(id), 'water_level');
    expect(r.basis).toBe('station');
    expect(value >= r.min && value <= r.max).toBe(ok);
  });

  it('keeps the global range for other metrics and stations without levels', () => {
    expect(validRange(STATION_BY_ID.get('enshi'), 'rainfall')).toMatchObject({ min: METRICS.rainfall.validMin, max: METRICS.rainfall.validMax, basis: 'metric' });
    expect(validRange(STATION_BY_ID.get('wq-zongguan'), 'water_level').basis).toBe('metric');
    expect(validRange(undefined, 'water_level')).toMatchObject({ min: -10, max: 250 });
  });

  it('marks stages beyond the historical maximum as suspect before invalid', () => {
    const r = validRange(STATION_BY_ID.get('enshi'), 'water_level');
    expect(r.suspect![1]).toBeGreaterThan(420.64);
    expect(r.suspect![1]).toBeLessThan(r.max);
  });
});
