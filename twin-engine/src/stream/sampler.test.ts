import { describe, expect, it } from 'vitest';
import type { StateEvent, StateReading } from '../state/live.js';
import { StreamSampler } from './sampler.js';

const S = 10_000;
const r = (station: string, metric: 'water_level' | 'nh3n', ts: number, value = 1): StateReading => ({ station, metric, ts, value, quality: 'pass' });
const readings = (...rs: StateReading[]): StateEvent => ({ type: 'reading', station: rs[0]!.station, readings: rs });

describe('StreamSampler: readings', () => {
  it.each([
    // [name, readings offered in order, dedup keys expected]
    ['first reading of a bucket is sent', [r('a', 'water_level', 0)], ['reading:a:water_level:0']],
    ['a second reading in the same bucket is not', [r('a', 'water_level', 0), r('a', 'water_level', S - 1)], ['reading:a:water_level:0']],
    ['the next bucket is sent again', [r('a', 'water_level', S - 1), r('a', 'water_level', S)], ['reading:a:water_level:0', 'reading:a:water_level:1']],
    ['a late reading of an older bucket is not', [r('a', 'water_level', 3 * S), r('a', 'water_level', S)], ['reading:a:water_level:3']],
    ['metrics are sampled separately', [r('a', 'water_level', 0), r('a', 'nh3n', 1)], ['reading:a:water_level:0', 'reading:a:nh3n:0']],
    ['stations are sampled separately', [r('a', 'water_level', 0), r('b', 'water_level', 1)], ['reading:a:water_level:0', 'reading:b:water_level:0']],
  ] as const)('%s', (_name, rs, keys) => {
    const s = new StreamSampler(S);
    const out = rs.flatMap((x) => s.offer(readings(x)));
    expect(out.map((e) => e.dedupKey)).toEqual(keys);
  });

  it('carries the reading in the event', () => {
    const [e] = new StreamSampler(S).offer(readings({ station: 'hankou', metric: 'water_level', ts: Date.UTC(2020, 6, 12), value: 28.77, quality: 'suspect' }));
    expect(e).toEqual({
      topic: 'reading',
      type: 'reading',
      station: 'hankou',
      dedupKey: `reading:hankou:water_level:${Date.UTC(2020, 6, 12) / S}`,
      data: { station: 'hankou', metric: 'water_level', value: 28.77, time: '2020-07-12T00:00:00.000Z', quality: 'suspect' },
    });
  });

  it('refuses a non-positive sample period', () => {
    expect(() => new StreamSampler(0)).toThrow(RangeError);
  });
});

describe('StreamSampler: online transitions', () => {
  it.each([
    [{ online: false, lastTs: 5000, deviceSince: null }, 'station.offline', 'station:a:offline:5000:-'],
    [{ online: true, lastTs: 6000, deviceSince: 100 }, 'station.online', 'station:a:online:6000:100'],
    [{ online: false, lastTs: null, deviceSince: 7000 }, 'station.offline', 'station:a:offline:-:7000'],
  ] as const)('%o → %s', (t, type, key) => {
    const [e] = new StreamSampler(S).offer({ type: 'online', station: 'a', at: 123, ...t });
    expect(e!.type).toBe(type);
    expect(e!.topic).toBe('station');
    // the key rests on the data only, not on the local clock (`at`), so every process writes the same
    expect(e!.dedupKey).toBe(key);
  });
});
