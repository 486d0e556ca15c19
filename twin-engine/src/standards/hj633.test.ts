import { describe, expect, it } from 'vitest';
import { aqi, aqiCategory, hj633VersionAt, iaqi, type AirPollutant, type Averaging, type Hj633Version } from './hj633.js';

const e = 1e-6;
// [version, pollutant, averaging, concentration, IAQI]: every breakpoint, and just above/below it.
const ROWS: [Hj633Version, AirPollutant, Averaging, number, number | null][] = [
  // PM2.5 24 h 2012: 0 35 75 115 150 250 350 500
  ['HJ633-2012', 'pm25', '24h', 0, 0], ['HJ633-2012', 'pm25', '24h', 35, 50], ['HJ633-2012', 'pm25', '24h', 35 + e, 51],
  ['HJ633-2012', 'pm25', '24h', 75 - e, 100], ['HJ633-2012', 'pm25', '24h', 75, 100], ['HJ633-2012', 'pm25', '24h', 75 + e, 101],
  ['HJ633-2012', 'pm25', '24h', 115, 150], ['HJ633-2012', 'pm25', '24h', 115 + e, 151], ['HJ633-2012', 'pm25', '24h', 150, 200],
  ['HJ633-2012', 'pm25', '24h', 150 + e, 201], ['HJ633-2012', 'pm25', '24h', 250, 300], ['HJ633-2012', 'pm25', '24h', 250 + e, 301],
  ['HJ633-2012', 'pm25', '24h', 350, 400], ['HJ633-2012', 'pm25', '24h', 350 + e, 401], ['HJ633-2012', 'pm25', '24h', 500, 500],
  ['HJ633-2012', 'pm25', '24h', 600, 500],
  // PM2.5 24 h 2026: 60 is the IAQI-100 node
  ['HJ633-2026', 'pm25', '24h', 35, 50], ['HJ633-2026', 'pm25', '24h', 60 - e, 100], ['HJ633-2026', 'pm25', '24h', 60, 100],
  ['HJ633-2026', 'pm25', '24h', 60 + e, 101], ['HJ633-2026', 'pm25', '24h', 75, 114], ['HJ633-2026', 'pm25', '24h', 115, 150],
  ['HJ633-2026', 'pm25', '24h', 115 + e, 151],
  // PM10 24 h: 2012 150 -> 100; 2026 120 -> 100
  ['HJ633-2012', 'pm10', '24h', 50, 50], ['HJ633-2012', 'pm10', '24h', 150, 100], ['HJ633-2012', 'pm10', '24h', 150 + e, 101],
  ['HJ633-2026', 'pm10', '24h', 120 - e, 100], ['HJ633-2026', 'pm10', '24h', 120, 100], ['HJ633-2026', 'pm10', '24h', 120 + e, 101],
  ['HJ633-2026', 'pm10', '24h', 150, 112], ['HJ633-2026', 'pm10', '24h', 250, 150], ['HJ633-2026', 'pm10', '24h', 600, 500],
  // PM uses the 24 h table for hourly values
  ['HJ633-2026', 'pm25', '1h', 60, 100],
  // SO2 24 h (475 is the IAQI-150 node, not 650) and 1 h
  ['HJ633-2012', 'so2', '24h', 50, 50], ['HJ633-2012', 'so2', '24h', 150, 100], ['HJ633-2012', 'so2', '24h', 475, 150],
  ['HJ633-2012', 'so2', '24h', 475 + e, 151], ['HJ633-2012', 'so2', '24h', 800, 200], ['HJ633-2012', 'so2', '24h', 1600, 300],
  ['HJ633-2012', 'so2', '24h', 2620, 500], ['HJ633-2012', 'so2', '1h', 150, 50], ['HJ633-2012', 'so2', '1h', 500, 100],
  ['HJ633-2012', 'so2', '1h', 650, 150], ['HJ633-2012', 'so2', '1h', 800, 200], ['HJ633-2012', 'so2', '1h', 800 + e, null],
  ['HJ633-2026', 'so2', '1h', 800, 200], ['HJ633-2026', 'so2', '1h', 800 + e, 200], ['HJ633-2026', 'so2', '1h', 2000, 200],
  // NO2
  ['HJ633-2026', 'no2', '24h', 40, 50], ['HJ633-2026', 'no2', '24h', 40 + e, 51], ['HJ633-2026', 'no2', '24h', 80, 100],
  ['HJ633-2026', 'no2', '1h', 100, 50], ['HJ633-2026', 'no2', '1h', 200, 100], ['HJ633-2026', 'no2', '1h', 3840, 500],
  // CO (mg/m3)
  ['HJ633-2012', 'co', '24h', 2, 50], ['HJ633-2012', 'co', '24h', 4, 100], ['HJ633-2012', 'co', '24h', 4 + e, 101],
  ['HJ633-2012', 'co', '1h', 5, 50], ['HJ633-2012', 'co', '1h', 10, 100], ['HJ633-2012', 'co', '1h', 150, 500],
  // O3 1 h and 8 h
  ['HJ633-2026', 'o3', '1h', 160, 50], ['HJ633-2026', 'o3', '1h', 200, 100], ['HJ633-2026', 'o3', '1h', 200 + e, 101],
  ['HJ633-2026', 'o3', '1h', 1200, 500], ['HJ633-2012', 'o3', '8h', 100, 50], ['HJ633-2012', 'o3', '8h', 160, 100],
  ['HJ633-2012', 'o3', '8h', 265, 200], ['HJ633-2012', 'o3', '8h', 800, 300], ['HJ633-2012', 'o3', '8h', 800 + e, null],
  ['HJ633-2026', 'o3', '8h', 800 + e, 300], ['HJ633-2026', 'o3', '8h', 1000, 300],
];

describe('HJ 633 IAQI', () => {
  it.each(ROWS)('%s %s %s %d -> %s', (v, p, a, c, expected) => {
    expect(iaqi(v, p, a, c)?.iaqi).toBe(expected);
  });

  it('names the replacement period where 2012 does not compute the IAQI', () => {
    expect(iaqi('HJ633-2012', 'so2', '1h', 900)?.useInstead).toBe('24h');
    expect(iaqi('HJ633-2012', 'o3', '8h', 900)?.useInstead).toBe('1h');
  });

  it('has no table for impossible periods', () => {
    expect(iaqi('HJ633-2026', 'o3', '24h', 100)).toBeNull();
    expect(iaqi('HJ633-2026', 'pm25', '8h', 100)).toBeNull();
  });

  it('switches to HJ 633-2026 at 2026-03-01 00:00 China time', () => {
    expect(hj633VersionAt(Date.parse('2026-02-28T15:59:59.999Z'))).toBe('HJ633-2012');
    expect(hj633VersionAt(Date.parse('2026-02-28T16:00:00Z'))).toBe('HJ633-2026');
  });
});

describe('AQI', () => {
  it.each([
    [0, 'excellent', '#00E400'], [50, 'excellent', '#00E400'], [51, 'good', '#FFFF00'], [100, 'good', '#FFFF00'],
    [101, 'lightly_polluted', '#FF7E00'], [150, 'lightly_polluted', '#FF7E00'], [151, 'moderately_polluted', '#FF0000'],
    [200, 'moderately_polluted', '#FF0000'], [201, 'heavily_polluted', '#99004C'], [300, 'heavily_polluted', '#99004C'],
    [301, 'severely_polluted', '#7E0023'], [500, 'severely_polluted', '#7E0023'],
  ] as const)('AQI %d is %s', (v, cat, colour) => {
    expect(aqiCategory(v)).toMatchObject({ category: cat, colour });
  });

  it('is the highest IAQI, with the primary pollutant(s) above 50', () => {
    const r = aqi('HJ633-2026', [
      { pollutant: 'pm25', averaging: '24h', value: 75 },
      { pollutant: 'pm10', averaging: '24h', value: 150 },
      { pollutant: 'no2', averaging: '24h', value: 40 },
    ])!;
    expect(r.aqi).toBe(114);
    expect(r.primary).toEqual(['pm25']);
    expect(r.category.categoryZh).toBe('轻度污染');
    expect(r.exceeding).toEqual([]);
  });

  it('lists tied primary pollutants, none at or below 50, and 2012 exceeding pollutants', () => {
    expect(aqi('HJ633-2012', [{ pollutant: 'pm25', averaging: '24h', value: 75 }, { pollutant: 'pm10', averaging: '24h', value: 150 }])!.primary).toEqual(['pm25', 'pm10']);
    expect(aqi('HJ633-2012', [{ pollutant: 'pm25', averaging: '24h', value: 35 }])!.primary).toEqual([]);
    expect(aqi('HJ633-2012', [{ pollutant: 'pm25', averaging: '24h', value: 120 }, { pollutant: 'pm10', averaging: '24h', value: 160 }])!.exceeding).toEqual(['pm25', 'pm10']);
  });

  it('2012: SO2 1 h above 800 uses the 24 h SO2 IAQI; 2026: IAQI 200', () => {
    const inputs = [{ pollutant: 'so2', averaging: '1h', value: 900 }, { pollutant: 'so2', averaging: '24h', value: 475 }] as const;
    expect(aqi('HJ633-2012', inputs)!.aqi).toBe(150);
    expect(aqi('HJ633-2026', inputs)!.aqi).toBe(200);
  });
});
