import { describe, expect, it } from 'vitest';
import { HJ212_MN_MAX, MnIndex, deriveMn, fnv1a32, mnOf } from './mn.js';
import { BASIN_STATIONS } from './catalogue/index.js';
import { Station } from './station.js';

describe('MN <-> station', () => {
  it.each([
    ['hankou', 'HANKOU'],
    ['wq-zongguan', 'WQ-ZONGGUAN'],
    ['abcdefghijklmnopqrstuvwx', 'ABCDEFGHIJKLMNOPQRSTUVWX'],
    ['syn-yangtze-00001-water-quality', `SYN-YANGTZE-000~${fnv1a32('syn-yangtze-00001-water-quality').toString(16).toUpperCase().padStart(8, '0')}`],
  ])('deriveMn(%s) = %s', (id, mn) => {
    expect(deriveMn(id)).toBe(mn);
    expect(deriveMn(id).length).toBeLessThanOrEqual(HJ212_MN_MAX);
  });

  it('prefers an explicit MN', () => {
    expect(mnOf({ id: 'hankou', mn: '010000A8900016F000169DC0' })).toBe('010000A8900016F000169DC0');
    expect(mnOf({ id: 'hankou', mn: null })).toBe('HANKOU');
  });

  it('resolves derived, hashed and explicit MNs back to their stations, case-insensitively', () => {
    const long = Array.from({ length: 2000 }, (_, i) => ({ id: `syn-${String(i).padStart(5, '0')}-some-long-synthetic-suffix` }));
    const stations = [...BASIN_STATIONS, ...long, { id: 'logger-x', mn: '010000A8900016F000169DC0' }];
    const index = new MnIndex(stations);
    expect(index.conflicts).toEqual([]);
    for (const s of stations) expect(index.stationOf(mnOf(s))).toBe(s.id);
    expect(index.stationOf('hankou')).toBe('hankou');
    expect(index.stationOf('NO-SUCH')).toBeNull();
  });

  it('reports two stations claiming one MN', () => {
    const index = new MnIndex([{ id: 'a', mn: 'X1' }, { id: 'b', mn: 'x1' }]);
    expect(index.conflicts).toEqual([{ mn: 'X1', stations: ['a', 'b'] }]);
    expect(index.stationOf('X1')).toBe('a');
  });

  it('gives every catalogue station its MN, and the schema rejects MNs HJ 212 cannot carry', () => {
    for (const s of BASIN_STATIONS) expect(s.mn).toBe(deriveMn(s.id));
    const base = BASIN_STATIONS[0]!;
    for (const bad of ['', 'A'.repeat(25), 'A;B', 'A=B', 'A&&B', 'A B', '##A']) expect(Station.safeParse({ ...base, mn: bad }).success, bad).toBe(false);
  });
});
