import { describe, expect, it } from 'vitest';
import type { LatestReading } from '@basin/schemas';
import { floodLevel, STALE_MS, stationColor, stationStatus, SEVERITY_COLOR, STATE_COLOR } from './status';

const hankou = { setup: 25.0, warning: 27.3, guaranteed: 29.73, historicalMax: 29.73 };
const jianli = { setup: 34.5, warning: 35.7, guaranteed: 37.23, historicalMax: 38.31 };

describe('flood colour from reference levels', () => {
  it.each([
    [jianli, 34.49, null],
    [jianli, 34.5, 'blue'],
    [jianli, 35.69, 'blue'],
    [jianli, 35.7, 'yellow'],
    [jianli, 37.22, 'yellow'],
    [jianli, 37.23, 'orange'],
    [jianli, 38.3, 'orange'],
    [jianli, 38.31, 'red'],
    [hankou, 29.73, 'red'], // guaranteed level equals the record: the record wins
    [{ setup: null, warning: 32.5, guaranteed: 34.4, historicalMax: null }, 32.0, null],
  ] as const)('%o at %d m is %s', (levels, stage, want) => {
    expect(floodLevel(levels, stage)).toBe(want);
  });
  it('no levels or no stage: no colour', () => {
    expect(floodLevel(null, 30)).toBeNull();
    expect(floodLevel(hankou, null)).toBeNull();
  });
});

const reading = (metric: LatestReading['metric'], value: number, time: number, quality: LatestReading['quality'] = 'pass'): LatestReading => ({
  station: 's',
  metric,
  value,
  time: new Date(time).toISOString(),
  quality,
  receivedAt: new Date(time).toISOString(),
});

describe('station status', () => {
  const now = Date.parse('2026-07-01T00:00:00Z');
  it('live, with the stage and the worst QC flag', () => {
    const s = stationStatus({ levels: jianli }, [reading('water_level', 36, now - 60_000), reading('discharge', 30000, now - 30_000, 'suspect')], now);
    expect(s).toMatchObject({ liveness: 'live', flood: 'yellow', stage: 36, worstQuality: 'suspect', newest: now - 30_000 });
  });
  it('stale exactly after the staleness window', () => {
    expect(stationStatus({ levels: null }, [reading('ph', 7, now - STALE_MS)], now).liveness).toBe('live');
    expect(stationStatus({ levels: null }, [reading('ph', 7, now - STALE_MS - 1)], now).liveness).toBe('stale');
  });
  it.each([
    // [API's verdict, reading age, liveness]: the API's online state decides, not the age
    [true, 60_000, 'live'],
    [true, STALE_MS + 60_000, 'live'], // a logger reporting hourly that the server knows is online
    [false, 60_000, 'stale'], // device declared offline (MQTT last will) right after a reading
    [false, STALE_MS + 60_000, 'stale'],
    [null, 60_000, 'live'], // no API state (replay, older server): the 15-min rule
    [null, STALE_MS + 1, 'stale'],
  ] as const)('API online=%s, reading %d ms old: %s', (online, age, want) => {
    expect(stationStatus({ levels: null }, [reading('ph', 7, now - age)], now, online).liveness).toBe(want);
  });
  it('no readings: no data, whatever the API says', () => {
    expect(stationStatus({ levels: null }, [], now, true).liveness).toBe('nodata');
    expect(stationStatus({ levels: null }, [], now, false).liveness).toBe('nodata');
  });
  it('no readings: no data', () => {
    expect(stationStatus({ levels: jianli }, [], now)).toMatchObject({ liveness: 'nodata', flood: null, newest: 0 });
  });
  it('colour: stale greys out even an alert; an alert wins over flood and QC', () => {
    const live = stationStatus({ levels: jianli }, [reading('water_level', 38.5, now)], now);
    expect(stationColor(live, null)).toBe(SEVERITY_COLOR.red);
    expect(stationColor(live, 'yellow')).toBe(SEVERITY_COLOR.yellow);
    const stale = stationStatus({ levels: jianli }, [reading('water_level', 38.5, now - STALE_MS - 1)], now);
    expect(stationColor(stale, 'red')).toBe(STATE_COLOR.stale);
    const bad = stationStatus({ levels: null }, [reading('ph', 7, now, 'fail')], now);
    expect(stationColor(bad, null)).toBe(STATE_COLOR.fail);
  });
});
