import { describe, expect, it } from 'vitest';
import { forEachRange, nextRange, type MetaRange } from './meta-range.js';

const all = (meta: string) => {
  const out: [string, number, number][] = [];
  forEachRange(meta, (id, first, last) => out.push([id, first, last]));
  return out;
};

describe('meta ranges', () => {
  it.each([
    ['', []],
    ['st-1:1:3', [['st-1', 1, 3]]],
    ['a:b:1:2', [['a:b', 1, 2]]],
    ['st-1:5:9;st-2:1:1', [['st-1', 5, 9], ['st-2', 1, 1]]],
    ['bad;st-2:7:8', [['st-2', 7, 8]]],
    [':1:2;x:3:4', [['x', 3, 4]]],
    ['st:1:;st:2:3', [['st', 1, 0], ['st', 2, 3]]],
    ['st:1234567890123456789:1', [['st', Number('1234567890123456789'), 1]]],
    ['st: 1:x', [['st', 1, Number.NaN]]],
  ] as [string, [string, number, number][]][])('%j', (meta, want) => {
    expect(all(meta)).toEqual(want);
  });

  it('walks with a cursor and reports the end with -1', () => {
    const r: MetaRange = { id: '', first: 0, last: 0 };
    const i = nextRange('a:1:2;b:3:4', 0, r);
    expect([i, r.id, r.first, r.last]).toEqual([6, 'a', 1, 2]);
    expect(nextRange('a:1:2;b:3:4', i, r)).toBe(12);
    expect(r).toEqual({ id: 'b', first: 3, last: 4 });
    expect(nextRange('a:1:2;b:3:4', 12, r)).toBe(-1);
  });
});
