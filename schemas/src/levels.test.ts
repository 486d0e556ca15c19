import { describe, expect, it } from 'vitest';
import { ReferenceLevels, cstDate, inSeason, levelsAt, type GaugeLevelsInForce, type ReservoirLevelsInForce } from './levels.js';
import { STATION_BY_ID } from './catalogue/index.js';

const st = (id: string) => {
  const s = STATION_BY_ID.get(id);
  if (!s) throw new Error(`no station ${id}`);
  return s;
};
const gauge = (id: string, date: string) => levelsAt(st(id), date) as GaugeLevelsInForce;
const reservoir = (id: string, date: string | number) => levelsAt(st(id), date) as ReservoirLevelsInForce;

describe('levelsAt: gauge revisions', () => {
  it.each([
    ['jianli', '1999-06-01', 35.0],
    ['jianli', '2005-06-01', 35.0],
    ['jianli', '2016-10-03', 35.0],
    ['jianli', '2016-10-04', 35.5],
    ['jianli', '2020-07-25', 35.5],
    ['jianli', '2023-02-08', 35.7],
    ['jianli', '2026-07-01', 35.7],
    ['luoshan', '2002-09-05', 31.5],
    ['luoshan', '2020-07-01', 32.0],
    ['hankou', '1998-08-19', 27.3],
    ['enshi', '2024-07-01', 415.5],
  ])('%s warning on %s is %s m', (id, date, warning) => {
    expect(gauge(id, date).warning?.value).toBe(warning);
  });

  it('Jianli 设防 34.0 → 34.5 m and the guaranteed level 37.23 m (confirmed 2020-07-25)', () => {
    expect(gauge('jianli', '2018-01-01').fortification?.value).toBe(34.0);
    expect(gauge('jianli', '2024-01-01').fortification?.value).toBe(34.5);
    expect(gauge('jianli', '2024-01-01').guaranteed).toMatchObject({ value: 37.23, effectiveFrom: '2020-07-25' });
  });

  it('carries datum, date and source on every level', () => {
    const l = gauge('hankou', '2024-07-04');
    expect(l.warning).toMatchObject({ value: 27.3, datum: 'wusong_frozen', estimate: false });
    expect(l.warning?.source).toMatch(/江河水情/);
    expect(l.historicalMax).toMatchObject({ value: 29.73, date: '1954-08-18' });
    expect(gauge('xiantao', '2024-01-01').warning?.datum).toBe('unknown'); // Han datum not found
  });

  it('reports the Chenglingji 32.5 / 33.0 m ambiguity instead of picking silently', () => {
    const l = gauge('chenglingji', '2024-07-01');
    expect(l.warning?.value).toBe(32.5); // conservative: warns first
    expect(l.ambiguities).toHaveLength(1);
    expect(l.ambiguities[0]).toMatchObject({ kind: 'warning', values: [32.5, 33.0] });
    expect(l.ambiguities[0]!.records.map((r) => r.authority)).toEqual(['长江委 / 湖南省', '湖北省水利厅']);
    // before the 2023 table there is one value only
    expect(gauge('chenglingji', '2020-07-05').ambiguities).toEqual([]);
  });
});

describe('levelsAt: reservoirs', () => {
  it.each([
    ['three-gorges', '2024-01-15', null, 175],
    ['three-gorges', '2024-06-09', null, 175],
    ['three-gorges', '2024-06-10', 145, 175],
    ['three-gorges', '2020-08-20', 145, 175],
    ['three-gorges', '2024-09-10', 145, 175],
    ['three-gorges', '2024-10-15', null, 175],
    ['danjiangkou', '2024-06-20', null, 170],
    ['danjiangkou', '2024-06-21', 160, 170],
    ['danjiangkou', '2024-08-25', null, 170],
    ['danjiangkou', '2024-09-01', 163.5, 170],
    ['danjiangkou', '2024-10-10', 163.5, 170],
    ['danjiangkou', '2015-07-01', 160, 157],
  ])('%s on %s: flood limit %s m, normal pool %s m', (id, date, floodLimit, normalPool) => {
    const l = reservoir(id, date);
    expect(l.type).toBe('reservoir');
    expect(l.floodLimit?.value ?? null).toBe(floodLimit);
    expect(l.normalPool?.value).toBe(normalPool);
    if (floodLimit !== null) expect(l.floodSeason).toEqual(l.floodLimit?.season);
  });

  it('reads the season in China Standard Time', () => {
    // 2024-06-09T16:00Z is 10 June 00:00 in Beijing
    expect(reservoir('three-gorges', Date.UTC(2024, 5, 9, 16)).floodLimit?.value).toBe(145);
    expect(reservoir('three-gorges', Date.UTC(2024, 5, 9, 15, 59)).floodLimit).toBeNull();
  });

  it('keeps reservoir kinds apart from gauge kinds', () => {
    expect(st('three-gorges').levels).toBeNull();
    expect(st('danjiangkou').levels).toBeNull();
    const d = reservoir('danjiangkou', '2024-11-30');
    expect(d.dead?.value).toBe(150);
    expect(d.historicalMax).toMatchObject({ value: 170, date: '2021', alsoOn: ['2024-11'] });
  });

  it('has no levels for a station without them', () => {
    expect(levelsAt(st('air-wuhan'), '2024-01-01')).toBeNull();
  });
});

describe('level helpers', () => {
  it.each([
    [{ from: '06-10', to: '09-10' }, '2024-06-10', true],
    [{ from: '06-10', to: '09-10' }, '2024-09-11', false],
    [{ from: '11-01', to: '02-28' }, '2024-01-15', true],
    [{ from: '11-01', to: '02-28' }, '2024-10-31', false],
  ])('inSeason(%j, %s) = %s', (season, day, want) => expect(inSeason(season, day)).toBe(want));

  it('cstDate converts epoch ms to the Beijing calendar date', () => {
    expect(cstDate(Date.UTC(2024, 0, 1, 16))).toBe('2024-01-02');
    expect(cstDate('2024-03-05')).toBe('2024-03-05');
    expect(() => cstDate('not a date')).toThrow(RangeError);
  });

  it('rejects levels without a datum or source', () => {
    expect(ReferenceLevels.safeParse({ type: 'gauge', levels: [{ kind: 'warning', value: 1, source: 'x' }] }).success).toBe(false);
    expect(ReferenceLevels.safeParse({ type: 'gauge', levels: [{ kind: 'flood_limit', value: 1, datum: 'local', source: 'x' }] }).success).toBe(false);
  });
});
