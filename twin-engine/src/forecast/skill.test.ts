import { describe, expect, it } from 'vitest';
import { bucketStats, errorStats, leadBucket, verifyCrossing } from './skill.js';

const H = 3_600_000;
const T = Date.parse('2026-07-10T00:00:00Z');
/** Hourly observations from the issue hour: values per hour index. */
const series = (vs: number[]) => vs.map((v, i) => ({ t: T + i * H, v }));

describe('lead buckets', () => {
  it.each([
    [1, '1-6h'], [6, '1-6h'], [7, '7-12h'], [12, '7-12h'], [13, '13-24h'], [24, '13-24h'], [25, '25-48h'], [48, '25-48h'], [49, '49-72h'], [72, '49-72h'], [73, '>72h'],
  ])('lead %d h -> %s', (lead, label) => expect(leadBucket(lead)).toBe(label));
});

describe('error statistics', () => {
  it.each([
    { pairs: [], want: null },
    { pairs: [{ forecast: 2, observed: 1 }], want: { n: 1, mae: 1, rmse: 1, bias: 1 } },
    { pairs: [{ forecast: 2, observed: 1 }, { forecast: 0, observed: 3 }], want: { n: 2, mae: 2, rmse: Math.sqrt(5), bias: -1 } },
    { pairs: [{ forecast: 5, observed: 5 }, { forecast: 4, observed: 4 }], want: { n: 2, mae: 0, rmse: 0, bias: 0 } },
  ])('%j', ({ pairs, want }) => {
    const s = errorStats(pairs);
    if (want === null) return expect(s).toBeNull();
    expect(s!.n).toBe(want.n);
    expect(s!.mae).toBeCloseTo(want.mae, 12);
    expect(s!.rmse).toBeCloseTo(want.rmse, 12);
    expect(s!.bias).toBeCloseTo(want.bias, 12);
  });
});

describe('crossing verification', () => {
  const c = (crossingAt: number | null) => ({ issuedAt: T, crossingAt, threshold: 27.3, horizonH: 4 });
  const rising = series([27.0, 27.1, 27.2, 27.3, 27.5]); // reaches the level at +3 h
  const flat = series([27.0, 27.1, 27.2, 27.29, 27.2]);
  it.each([
    { name: 'predicted 1 h early: hit, timing −1 h, lead 3 h', c: c(T + 2 * H), obs: rising, until: T + 4 * H, want: { outcome: 'hit', observedAt: T + 3 * H, timingErrorH: -1, leadH: 3 } },
    { name: 'not predicted but observed: miss', c: c(null), obs: rising, until: T + 3 * H, want: { outcome: 'miss', observedAt: T + 3 * H, timingErrorH: null, leadH: null } },
    { name: 'predicted, window observed to its end without crossing: false alarm', c: c(T + 2 * H), obs: flat, until: T + 4 * H, want: { outcome: 'false_alarm', observedAt: null, timingErrorH: null, leadH: null } },
    { name: 'not predicted, not observed: correct negative', c: c(null), obs: flat, until: T + 4 * H, want: { outcome: 'correct_negative', observedAt: null, timingErrorH: null, leadH: null } },
    { name: 'window not observed to its end: undecided', c: c(T + 2 * H), obs: flat.slice(0, 4), until: T + 3 * H, want: null },
    { name: 'a crossing after the window is not a hit', c: c(T + 2 * H), obs: [...flat, { t: T + 5 * H, v: 28 }], until: T + 5 * H, want: { outcome: 'false_alarm', observedAt: null, timingErrorH: null, leadH: null } },
    { name: 'level already reached at issue: nothing to verify', c: c(null), obs: series([27.3, 27.4]), until: T + 4 * H, want: null },
    { name: 'exactly at the level counts as crossed', c: c(T + 3 * H), obs: rising, until: T + 3 * H, want: { outcome: 'hit', observedAt: T + 3 * H, timingErrorH: 0, leadH: 3 } },
  ])('$name', ({ c: crossing, obs, until, want }) => {
    expect(verifyCrossing(crossing, obs, until)).toEqual(want);
  });
});

describe('lead bucket statistics', () => {
  it('pools per-hour sums into buckets, in bucket order', () => {
    const rows = [
      { leadH: 30, n: 2, sumAbs: 4, sumSq: 10, sum: -2 },
      { leadH: 1, n: 1, sumAbs: 1, sumSq: 1, sum: 1 },
      { leadH: 6, n: 3, sumAbs: 3, sumSq: 3, sum: -3 },
      { leadH: 7, n: 0, sumAbs: 0, sumSq: 0, sum: 0 },
    ];
    expect(bucketStats(rows)).toEqual([
      { leadBucket: '1-6h', n: 4, mae: 1, rmse: 1, bias: -0.5 },
      { leadBucket: '25-48h', n: 2, mae: 2, rmse: Math.sqrt(5), bias: -1 },
    ]);
  });
});
