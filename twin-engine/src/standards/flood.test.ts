import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import { referenceOf } from '../model/levels.js';
import { floodStatus } from './flood.js';

const st = (id: string) => referenceOf(BASIN_STATIONS.find((s) => s.id === id)!)!;
const JULY = Date.parse('2026-07-15T00:00:00Z');
const NOV = Date.parse('2026-11-15T00:00:00Z');
const e = 0.001;

describe('flood status (SL 758 colours)', () => {
  // Hankou: warning 27.3, guaranteed 29.73, historical max 29.73
  it.each([
    [26.3 - e, 'normal', null], [26.3, 'near_warning', 'blue'], [27.3 - e, 'near_warning', 'blue'], [27.3, 'above_warning', 'yellow'],
    [29.73 - e, 'above_warning', 'yellow'], [29.73, 'above_historical_max', 'red'],
  ])('Hankou at %d m is %s', (h, state, colour) => {
    expect(floodStatus(st('hankou'), h, JULY)).toMatchObject({ state, colour });
  });

  // Yichang: warning 53, guaranteed 55.73, historical max 55.92 (guaranteed below the record)
  it.each([
    [53 - e, 'near_warning', 'blue'], [53, 'above_warning', 'yellow'], [55.73 - e, 'above_warning', 'yellow'], [55.73, 'above_guaranteed', 'orange'],
    [55.92 - e, 'above_guaranteed', 'orange'], [55.92, 'above_historical_max', 'red'],
  ])('Yichang at %d m is %s', (h, state, colour) => {
    expect(floodStatus(st('yichang'), h, JULY)).toMatchObject({ state, colour });
  });

  it('reports the margin to the level', () => {
    expect(floodStatus(st('hankou'), 27.8, JULY).reference).toEqual({ kind: 'warning', value: 27.3, marginM: 0.5 });
  });

  it('judges reservoirs by their own levels: the normal pool is normal outside the flood season', () => {
    expect(floodStatus(st('three-gorges'), 175, NOV)).toMatchObject({ state: 'normal', colour: null });
    expect(floodStatus(st('three-gorges'), 145, JULY)).toMatchObject({ state: 'below_flood_limit', colour: null });
    expect(floodStatus(st('three-gorges'), 145 + e, JULY)).toMatchObject({ state: 'above_flood_limit', colour: 'blue' });
    expect(floodStatus(st('three-gorges'), 175 + e, NOV)).toMatchObject({ state: 'above_normal_pool', colour: 'yellow' });
    // Danjiangkou: summer limit 160 m to 20 Aug, autumn 163.5 m from 1 Sep
    expect(floodStatus(st('danjiangkou'), 162, JULY)).toMatchObject({ state: 'above_flood_limit' });
    expect(floodStatus(st('danjiangkou'), 162, Date.parse('2026-09-15T00:00:00Z'))).toMatchObject({ state: 'below_flood_limit' });
  });
});
