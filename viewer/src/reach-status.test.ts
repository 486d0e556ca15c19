import { describe, expect, it } from 'vitest';
import { riverPoint } from '@basin/schemas';
import { reachLine, reachLook, WATER_CLASS_COLOR, type ReachState } from './reach-status';
import { SEVERITY_COLOR, STATE_COLOR } from './status';

const st = (over: Partial<ReachState>): ReachState => ({ stations: 3, online: 3, worstWaterClass: null, floodColour: null, ...over });

describe('reach colours', () => {
  it.each([
    ['flood colour wins over water class', st({ floodColour: 'orange', worstWaterClass: 'V' }), { color: SEVERITY_COLOR.orange, why: 'flood' }],
    ['water class IV', st({ worstWaterClass: 'IV' }), { color: WATER_CLASS_COLOR.IV, why: 'water' }],
    ['worse than V', st({ worstWaterClass: 'worse_than_V' }), { color: WATER_CLASS_COLOR.worse_than_V, why: 'water' }],
    ['every station stale', st({ online: 0 }), { color: STATE_COLOR.stale, why: 'stale' }],
    ['no stations, nothing known', st({ stations: 0, online: 0 }), null],
    ['live, nothing classified', st({}), null],
    ['not in the summary', undefined, null],
  ])('%s', (_, s, want) => {
    expect(reachLook(s)).toEqual(want);
  });
});

describe('reach course', () => {
  it('runs from the reach start to its end on the river line', () => {
    const line = reachLine('Yangtze', 0, 148, 10);
    expect(line).toHaveLength(16);
    expect(line[0]).toEqual(riverPoint('Yangtze', 0));
    expect(line[line.length - 1]).toEqual(riverPoint('Yangtze', 148));
  });
  it.each([
    ['a river without an axis', 'Qing', 0, 10, 0],
    ['outside the line', 'Han', 700, 800, 0],
    ['clipped to the line', 'Han', 640, 700, 7],
  ])('%s', (_, river, a, b, n) => {
    expect(reachLine(river, a, b, 2)).toHaveLength(n);
  });
});
