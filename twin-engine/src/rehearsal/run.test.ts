import { describe, expect, it } from 'vitest';
import { RuleDefinition, StoredRule, type StoredPlan } from '@basin/schemas';
import { compare, rehearse, type PredictedSeries } from './run.js';
import { loadPlanFiles } from '../plans/files.js';
import type { Classifiers, RuleStation } from '../rules/types.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 6, 10);
const stations: RuleStation[] = [
  { id: 'shashi', kind: 'hydrology_gauge', reach: 'jingjiang', river: 'Yangtze', admin: '湖北省荆州市', riverChief: null },
  { id: 'hankou', kind: 'hydrology_gauge', reach: 'wuhan', river: 'Yangtze', admin: '湖北省武汉市', riverChief: null },
];
const classifiers: Classifiers = {
  waterClass: () => null,
  aqiCategory: () => null,
  floodLevels: (s) => (s.id === 'shashi' ? { blue: 42, yellow: 43, orange: 45, red: 45.22 } : { blue: 26.3, yellow: 27.3, orange: 29.73 }),
};
const flood = StoredRule.parse({ ...RuleDefinition.parse({ id: 'flood', name: { zh: '超警', en: 'flood' }, severity: 'yellow', alertType: 'flood', scope: { kinds: ['hydrology_gauge'] }, condition: { type: 'flood_level', atLeast: 'yellow' } }), version: 3 });
const { version: _v, ...floodDef } = flood;
const plans: StoredPlan[] = loadPlanFiles().map((plan) => ({ version: 1, plan }));

/** A wave: base + rise to a peak at `peakH` hours, hourly points over 72 h. */
const wave = (station: string, base: number, peak: number, peakH: number): PredictedSeries => ({
  station, metric: 'water_level',
  points: Array.from({ length: 73 }, (_, h) => [T0 + h * H, base + (peak - base) * Math.exp(-(((h - peakH) / 18) ** 2))] as [number, number]),
});

const inputs = (over = {}) => ({ start: T0, hours: 72, rules: [flood], plans, stations, classifiers, state: [], latest: [], series: [wave('shashi', 41.5, 45.3, 30), wave('hankou', 25, 27.0, 50)], modifiers: [], ...over });

describe('预演 rehearsal', () => {
  it('predicts the alerts, their escalation and the plan tasks, in time order', () => {
    const r = rehearse(inputs());
    const shashi = r.alerts.filter((a) => a.subject === 'shashi').map((a) => [a.kind, a.severity]);
    expect(shashi).toEqual([['open', 'yellow'], ['severity', 'orange'], ['severity', 'red'], ['severity', 'orange'], ['severity', 'yellow'], ['clear', null]]);
    expect(r.alerts.some((a) => a.subject === 'hankou')).toBe(false);
    const times = r.alerts.map((a) => a.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect([...new Set(r.tasks.map((t) => t.planId))].sort()).toEqual(['flood-gauge-yellow', 'flood-jingjiang-orange']);
    expect(r.peaks.find((p) => p.station === 'shashi')!.value).toBeCloseTo(45.3, 2);
  });

  it('modifiers: a changed rule and a gauge offline, compared side by side with the baseline', () => {
    const base = rehearse(inputs());
    const strict = rehearse(inputs({ modifiers: [{ type: 'rule', rule: RuleDefinition.parse({ ...floodDef, condition: { type: 'flood_level', atLeast: 'blue' } }) }, { type: 'gauge_offline', station: 'hankou' }] }));
    // blue now fires (earlier), and Hankou (offline) has no peak
    const c = compare(base, strict);
    const sh = c.alerts.find((a) => a.subject === 'shashi')!;
    expect(sh.deltaMinutes).toBeLessThan(0);
    expect(sh.b!.severity).toBe('blue');
    expect(c.peaks.find((p) => p.station === 'hankou')).toMatchObject({ b: null });
  });

  it('never touches the rule state it was given', () => {
    const state = [{ ruleId: 'flood', subject: 'shashi', ruleVersion: 3, active: true, severity: 'yellow' as const, pendingSince: T0 - H, lastTs: T0 - H }];
    const copy = structuredClone(state);
    rehearse(inputs({ state }));
    expect(state).toEqual(copy);
  });
});
