import { describe, expect, it } from 'vitest';
import { displayUnit, esc, formatAge, formatClock, formatDateTime, formatValue, inLang } from './format';

describe('viewer formatting', () => {
  it.each([
    ['water_level', 27.456, '27.46', 'm'],
    ['discharge', 51234.6, '51235', 'm³/s'],
    ['nh3n', 0.12345, '0.123', 'mg/L'],
    ['ph', 7, '7.00', ''],
    ['water_temp', 18.04, '18.0', '°C'],
    ['pm25', 35.4, '35', 'µg/m³'],
    ['co', 0.8, '0.80', 'mg/m³'],
    ['conductivity', 412.2, '412', 'µS/cm'],
    ['turbidity', 3.21, '3.2', 'NTU'],
    ['humidity', 64.5, '65', '%'],
    ['water_temp', -0.04, '0.0', '°C'],
  ] as const)('%s %d is shown as "%s %s"', (metric, value, text, unit) => {
    expect(formatValue(metric, value)).toEqual({ text, unit });
  });

  it('never shows a UCUM code', () => {
    for (const u of ['Cel', 'ug/m3', 'm3/s', '[pH]', 'uS/cm', '[NTU]', 'mg/m3', '%RH']) expect(displayUnit(u)).not.toBe(u);
    expect(displayUnit('mg/L')).toBe('mg/L');
  });

  it('shows times in China Standard Time (UTC+8) by default', () => {
    expect(formatDateTime('2026-12-01T16:05:09Z')).toBe('2026-12-02 00:05:09');
    expect(formatClock(Date.parse('2026-12-01T03:04:05Z'))).toBe('11:04');
    expect(formatClock(Date.parse('2026-12-01T03:04:05Z'), 'UTC', true)).toBe('03:04:05');
  });

  it.each([
    [5_000, '5秒前', '5 s ago'],
    [59_999, '59秒前', '59 s ago'],
    [61_000, '1分钟前', '1 min ago'],
    [3 * 3_600_000, '3小时前', '3 h ago'],
    [2 * 86_400_000, '2天前', '2 d ago'],
    [-5_000, '0秒前', '0 s ago'],
  ])('age %d ms reads %s / %s', (ms, zh, en) => {
    expect(formatAge(ms, 'zh')).toBe(zh);
    expect(formatAge(ms, 'en')).toBe(en);
  });

  it('escapes markup from station names', () => {
    expect(esc('<img src=x onerror="1">&')).toBe('&#60;img src=x onerror=&#34;1&#34;&#62;&#38;');
  });

  it.each([
    ['环境应急监测队 / Environmental emergency monitoring team', 'zh', '环境应急监测队'],
    ['环境应急监测队 / Environmental emergency monitoring team', 'en', 'Environmental emergency monitoring team'],
    ['巡堤 / 查险', 'en', '巡堤 / 查险'],
    ['Patrol A / B', 'zh', 'Patrol A / B'],
    ['市防汛办', 'en', '市防汛办'],
  ] as const)('inLang(%s, %s)', (text, lang, want) => {
    expect(inLang(text, lang)).toBe(want);
  });
});
