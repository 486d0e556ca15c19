import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS, type LatestReading } from '@basin/schemas';
import { computeKpis, isOverdue, sortAlerts, statusByStation } from './kpi';
import { newestUnseen } from './command';
import { screenOptions } from './config';
import { presetDestination, wallScale } from './globe-math';

const now = Date.parse('2026-07-10T00:00:00Z');
const iso = (t: number) => new Date(t).toISOString();
const r = (station: string, metric: LatestReading['metric'], value: number, ago = 60_000): LatestReading => ({
  station, metric, value, time: new Date(now - ago).toISOString(), quality: 'pass', receivedAt: new Date(now - ago).toISOString(),
});

describe('KPIs', () => {
  it('counts stations online and gauges above their warning level', () => {
    const latest = [r('hankou', 'water_level', 28.0), r('shashi', 'water_level', 42.5), r('jianli', 'water_level', 36, 3_600_000)];
    const status = statusByStation(BASIN_STATIONS, latest, now);
    const k = computeKpis(BASIN_STATIONS, status, null, null, now);
    expect(k.stations).toBe(BASIN_STATIONS.length);
    expect(k.online).toBe(2); // jianli is stale
    expect(k.gaugesAboveWarning).toBe(1); // hankou 28.0 >= 27.3; shashi 42.5 < 43.0
    expect(k.alertsBySeverity).toBeNull();
    expect(k.tasksOverdue).toBeNull();
  });
  it("counts online by the API's live state when the wall has it (a station missing from it is offline)", () => {
    const latest = [r('hankou', 'water_level', 28.0), r('shashi', 'water_level', 42.5), r('jianli', 'water_level', 36, 3_600_000)];
    const online = new Map([['hankou', false], ['jianli', true]]);
    const status = statusByStation(BASIN_STATIONS, latest, now, online);
    expect(status.get('hankou')!.liveness).toBe('stale');
    expect(status.get('jianli')!.liveness).toBe('live');
    expect(status.get('shashi')!.liveness).toBe('stale');
    expect(computeKpis(BASIN_STATIONS, status, null, null, now).online).toBe(1);
  });
  it('counts active alerts by colour and overdue open tasks', () => {
    const k = computeKpis([], new Map(), [
      { severity: 'red', state: 'firing' }, { severity: 'red', state: 'acknowledged' }, { severity: 'blue', state: 'resolved' },
    ], [
      { state: 'accepted', deadline: iso(now - 1) }, { state: 'done', deadline: iso(now - 1) }, { state: 'open', deadline: iso(now + 1) }, { state: 'open', deadline: null },
    ], now);
    expect(k.alertsBySeverity).toEqual({ red: 2, orange: 0, yellow: 0, blue: 0 });
    expect(k.tasksOverdue).toBe(1);
    expect(k.tasksOpen).toBe(3);
    expect(isOverdue({ state: 'accepted', deadline: iso(now) }, now)).toBe(false);
    expect(isOverdue({ state: 'overdue', deadline: null }, now)).toBe(true);
  });
  it('orders alerts by severity, firing before acknowledged, oldest first', () => {
    const a = (id: string, severity: 'red' | 'yellow', state: 'firing' | 'acknowledged' | 'dispatched', t: number) => ({ id, severity, state, openedAt: iso(t) });
    const sorted = sortAlerts([a('1', 'yellow', 'firing', 1), a('2', 'red', 'acknowledged', 1), a('3', 'red', 'firing', 5), a('4', 'red', 'firing', 2), a('5', 'red', 'dispatched', 0)]);
    expect(sorted.map((x) => x.id)).toEqual(['4', '3', '2', '5', '1']);
  });
  it('flies to the most severe new firing alert', () => {
    const alerts = [
      { id: 'a', severity: 'yellow' as const, state: 'firing' as const, openedAt: iso(1) },
      { id: 'b', severity: 'red' as const, state: 'firing' as const, openedAt: iso(2) },
      { id: 'c', severity: 'red' as const, state: 'acknowledged' as const, openedAt: iso(3) },
    ];
    expect(newestUnseen(alerts, new Set())?.id).toBe('b');
    expect(newestUnseen(alerts, new Set(['b']))?.id).toBe('a');
    expect(newestUnseen(alerts, new Set(['a', 'b']))).toBeNull();
  });
});

describe('screen options and camera', () => {
  it.each([
    ['', { wall: false, lang: 'zh', light: false, resolutionScale: 1, tour: false }],
    ['?wall=1', { wall: true, lang: 'zh', light: false, resolutionScale: 1, tour: true }],
    ['?wall&lang=en&light=1&tour=0&scale=0.5', { wall: true, lang: 'en', light: true, resolutionScale: 0.5, tour: false }],
  ])('%s', (q, want) => expect(screenOptions(q)).toEqual(want));
  it('puts the camera south of the preset centre so a pitched view looks at it', () => {
    const d = presetDestination({ lon: 114.3, lat: 30.0, height: 100_000, pitch: -45 });
    expect(d.lon).toBe(114.3);
    expect(d.lat).toBeCloseTo(30 - 100_000 / 111_320, 6);
  });
});

describe('wallScale (the globe grows with the wall as its panes do)', () => {
  it.each([
    [false, 3840, 1],
    [true, 1920, 1],
    [true, 1366, 1],
    [true, 2560, 4 / 3],
    [true, 3840, 2],
  ])('wall %s at %i px: ×%d', (wall, width, scale) => {
    expect(wallScale(wall, width)).toBeCloseTo(scale, 6);
  });
});
