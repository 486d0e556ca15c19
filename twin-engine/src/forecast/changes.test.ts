import { describe, expect, it } from 'vitest';
import type { ForecastCrossing } from '@basin/schemas';
import { crossingChanges } from './changes.js';

const H = 3_600_000;
const c = (station: string, crossingAt: number | null, level: ForecastCrossing['level'] = 'warning'): ForecastCrossing => ({ forecastId: 'f', station, level, issuedAt: 0, crossingAt });

describe('crossing changes between runs', () => {
  it.each([
    { name: 'first prediction of a crossing', prev: [], next: [c('a', 10 * H)], news: ['a'] },
    { name: 'no crossing before or now', prev: [c('a', null)], next: [c('a', null)], news: [] },
    { name: 'same time again', prev: [c('a', 10 * H)], next: [c('a', 10 * H)], news: [] },
    { name: 'moved less than the tolerance', prev: [c('a', 10 * H)], next: [c('a', 10 * H + H - 1)], news: [] },
    { name: 'moved by the tolerance', prev: [c('a', 10 * H)], next: [c('a', 11 * H)], news: ['a'] },
    { name: 'earlier by the tolerance', prev: [c('a', 10 * H)], next: [c('a', 9 * H)], news: ['a'] },
    { name: 'withdrawn', prev: [c('a', 10 * H)], next: [c('a', null)], news: ['a'] },
    { name: 'another level of the same station is its own', prev: [c('a', 10 * H)], next: [c('a', 10 * H), c('a', 20 * H, 'guaranteed')], news: ['a:guaranteed'] },
  ])('$name', ({ prev, next, news }) => {
    expect(crossingChanges(prev, next, H).map((x) => (x.level === 'warning' ? x.station : `${x.station}:${x.level}`))).toEqual(news);
  });
});
