import { describe, expect, it } from 'vitest';
import type { StationForecast } from '@basin/schemas';
import { floodWave, hoursFrom } from './flood-wave';

const H = 3_600_000;
const fc = (station: string, stages: number[], crossings: StationForecast['crossings'] = []): StationForecast => ({
  station,
  forecastId: 'f1',
  issuedAt: new Date(0).toISOString(),
  modelVersion: 'm',
  series: { water_level: stages.map((v, i) => ({ validAt: new Date(i * H).toISOString(), leadH: i, value: v, lower: null, upper: null })) },
  crossings,
});
const stations = new Map([
  ['shashi', { location: { lon: 112.25, lat: 30.3 }, levels: { setup: 42, warning: 43, guaranteed: 45, historicalMax: 45.22 } }],
  ['hankou', { location: { lon: 114.3, lat: 30.6 }, levels: { setup: 25, warning: 27.3, guaranteed: 29.73, historicalMax: 29.73 } }],
  ['noLevels', { location: { lon: 113, lat: 30 }, levels: null }],
]) as never;

describe('floodWave (the forecast wave gauge by gauge)', () => {
  it('peak, its flood level and the first level crossed; ordered by when each gauge peaks', () => {
    const wave = floodWave(
      [
        fc('hankou', [26, 27, 27.4, 27.5]),
        fc('shashi', [42, 43.5, 44, 43.8], [
          { forecastId: 'f1', station: 'shashi', level: 'guaranteed', issuedAt: 0, crossingAt: null },
          { forecastId: 'f1', station: 'shashi', level: 'warning', issuedAt: 0, crossingAt: H },
        ]),
        fc('noLevels', [1, 2]),
        fc('unknown', [1, 2]),
      ],
      stations,
    );
    expect(wave.map((w) => [w.station, w.peak, w.peakAt / H, w.flood, w.crossing])).toEqual([
      ['noLevels', 2, 1, null, null],
      ['shashi', 44, 2, 'yellow', { level: 'warning', at: H }],
      ['hankou', 27.5, 3, 'yellow', null],
    ]);
  });
  it('a gauge without a stage series is left out', () => {
    expect(floodWave([{ ...fc('shashi', []), series: {} }], stations)).toEqual([]);
  });
  it.each([
    [0, 6 * H, '+6 h'],
    [6 * H, 4 * H, '−2 h'],
    [0, 20 * 60_000, '+0 h'],
  ])('hoursFrom(%d, %d) = %s', (now, at, text) => {
    expect(hoursFrom(now, at)).toBe(text);
  });
});
