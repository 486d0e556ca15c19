import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { LatestJson } from './latest-json.js';
import { LiveState, type StateReading } from './live.js';

const T0 = Date.parse('2026-07-10T00:00:00Z');
const reading = (s: number, metric: 'water_level' | 'nh3n', value: number, min: number): StateReading => ({ station: `s-${String(s).padStart(3, '0')}`, metric, value, ts: T0 + min * 60_000, quality: 'pass', receivedAt: T0 + min * 60_000 + 500 });

/** What the answer must be: every station's every metric, by station then metric. */
function expected(live: LiveState): unknown[] {
  return live.snapshot().flatMap((s) => Object.keys(s.metrics).sort().map((metric) => {
    const m = live.stations.get(s.station)!.metrics.get(metric as 'nh3n')!;
    return { station: s.station, metric, value: m.value, time: new Date(m.ts).toISOString(), quality: m.quality, receivedAt: new Date(m.receivedAt).toISOString() };
  }));
}

describe('LatestJson', () => {
  it('rebuilds exactly the changed parts of a many-block answer', () => {
    const live = new LiveState(new ManualClock(T0), { staleMs: 3_600_000, historyMs: 7_200_000 });
    const lj = new LatestJson(live);
    live.apply(Array.from({ length: 300 }, (_, s) => reading(s, 'water_level', s, 0)), false);
    expect(JSON.parse(lj.text(null, null))).toEqual(expected(live));
    const steps: StateReading[][] = [
      [reading(5, 'water_level', 99, 1)], // first block
      [reading(299, 'nh3n', 0.5, 1), reading(150, 'water_level', -1, 2)], // a new metric in the last block, a middle block
      [reading(7, 'water_level', 12, -5)], // late: no change
      [reading(1000, 'nh3n', 1.5, 3)], // a new station: blocks re-formed
      [reading(1000, 'nh3n', 1.7, 4)],
    ];
    for (const step of steps) {
      live.apply(step, false);
      expect(JSON.parse(lj.text(null, null))).toEqual(expected(live));
    }
    expect(JSON.parse(lj.text(['s-150', 's-005', 's-150'], null))).toEqual(expected(live).filter((r) => ['s-005', 's-150'].includes((r as { station: string }).station)));
    expect(JSON.parse(lj.text(null, 'nh3n'))).toEqual(expected(live).filter((r) => (r as { metric: string }).metric === 'nh3n'));
    live.stop();
  });
});
