import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import { BasinModel } from '../model/network.js';
import { ManualClock } from './clock.js';
import { LiveState, type StateEvent } from './live.js';
import { basinSummary } from './summary.js';

const T0 = Date.parse('2026-07-10T00:00:00Z');
const MIN = 60_000;
const H = 3_600_000;

describe('live state', () => {
  it('keeps the latest value per metric with its trend per hour, ignoring duplicates and older readings', () => {
    const clock = new ManualClock(T0 + 2 * H);
    const s = new LiveState(clock, { staleMs: 30 * MIN, historyMs: 3 * H });
    s.apply([0, 1, 2].map((h) => ({ station: 'hankou', metric: 'water_level' as const, value: 27 + 0.1 * h, ts: T0 + h * H, quality: 'pass' as const })));
    const m = s.stations.get('hankou')!.metrics.get('water_level')!;
    expect(m.value).toBeCloseTo(27.2);
    expect(m.trendPerH).toBeCloseTo(0.1, 6);
    expect(s.apply([{ station: 'hankou', metric: 'water_level', value: 99, ts: T0 + 2 * H, quality: 'pass' }])).toEqual([]);
    s.apply([{ station: 'hankou', metric: 'water_level', value: 26.5, ts: T0 + 0.5 * H, quality: 'suspect' }]);
    expect(m.value).toBeCloseTo(27.2);
    expect(m.quality).toBe('pass');
  });

  it('goes offline exactly at the staleness deadline, and on a last will', () => {
    const clock = new ManualClock(T0);
    const s = new LiveState(clock, { staleMs: 10 * MIN, historyMs: H });
    const events: StateEvent[] = [];
    s.subscribe((e) => events.push(e));
    s.apply([{ station: 'a', metric: 'ph', value: 7, ts: T0, quality: 'pass' }]);
    expect(s.stations.get('a')!.online).toBe(true);
    clock.advance(4 * MIN);
    s.apply([{ station: 'a', metric: 'ph', value: 7.1, ts: T0 + 4 * MIN, quality: 'pass' }]);
    clock.advance(14 * MIN - 1 - 4 * MIN);
    expect(s.stations.get('a')!.online).toBe(true);
    clock.advance(1);
    expect(s.stations.get('a')!.online).toBe(false);
    expect(events.filter((e) => e.type === 'online').map((e) => [e.type === 'online' && e.online, e.type === 'online' && e.at - T0])).toEqual([[true, 0], [false, 14 * MIN]]);
    s.apply([{ station: 'a', metric: 'ph', value: 7.1, ts: T0 + 15 * MIN, quality: 'pass' }]);
    expect(s.stations.get('a')!.online).toBe(true);
    s.applyDevice(['a'], 'offline', T0 + 15 * MIN + 1);
    expect(s.stations.get('a')!.online).toBe(false);
    s.stop();
  });

  it('summarises reaches and the basin under the standards', () => {
    const model = new BasinModel(BASIN_STATIONS);
    const clock = new ManualClock(T0);
    const s = new LiveState(clock, { staleMs: 30 * MIN, historyMs: H });
    s.apply([
      { station: 'hankou', metric: 'water_level', value: 27.5, ts: T0, quality: 'pass' },
      { station: 'wq-qixing', metric: 'nh3n', value: 1.2, ts: T0, quality: 'pass' },
      { station: 'wq-qixing', metric: 'tn', value: 9, ts: T0, quality: 'pass' },
      { station: 'air-wuhan', metric: 'pm25', value: 75, ts: T0, quality: 'pass' },
    ]);
    const sum = basinSummary(model, s, T0);
    const reach = sum.reaches['yangtze:han-mouth-huangshi']!;
    const n = model.stationsOf('yangtze:han-mouth-huangshi').length;
    expect(reach).toMatchObject({ stations: n, online: 2, behind: n - 2, worstWaterClass: 'IV', floodColour: 'yellow' });
    expect(sum.basin.aqiByCity['湖北省武汉市']).toMatchObject({ aqi: 114, category: 'lightly_polluted' });
    expect(sum.basin.stations).toBe(BASIN_STATIONS.length);
    s.stop();
  });
});
