import { describe, expect, it } from 'vitest';
import { byStation, esc, formatValue } from './format';

describe('viewer formatting', () => {
  it.each([
    ['water_level', 27.456, '27.46', 'm'],
    ['discharge', 51234.6, '51235', 'm3/s'],
    ['nh3n', 0.12345, '0.123', 'mg/L'],
    ['ph', 7, '7.00', '[pH]'],
  ] as const)('%s %d is shown as %s %s', (metric, value, text, unit) => {
    expect(formatValue({ metric, value })).toEqual({ text, unit });
  });

  it('escapes markup from station names', () => {
    expect(esc('<img src=x onerror="1">&')).toBe('&#60;img src=x onerror=&#34;1&#34;&#62;&#38;');
  });

  it('groups readings by station', () => {
    const r = (station: string, metric: 'ph' | 'do') => ({ station, metric, value: 1, time: '', quality: 'pass' as const, receivedAt: '' });
    const g = byStation([r('a', 'ph'), r('b', 'ph'), r('a', 'do')]);
    expect([...g.keys()]).toEqual(['a', 'b']);
    expect(g.get('a')!.map((x) => x.metric)).toEqual(['ph', 'do']);
  });
});
