import { describe, expect, it } from 'vitest';
import { ContingencyPlan, newestPlans, planMatches, type StoredPlan } from './plans.js';
import { inScope, type RuleScope, type ScopeSubject } from './rules.js';

const hankou: ScopeSubject = { id: 'hankou', kind: 'hydrology_gauge', reach: 'yangtze:han-mouth-huangshi', river: 'Yangtze', admin: '湖北省武汉市江岸区', riverChief: '武汉市市长' };
const unknown: ScopeSubject = { id: null, kind: null, reach: null, river: null, admin: null, riverChief: null };

describe('inScope', () => {
  it.each<[string, RuleScope, ScopeSubject, boolean]>([
    ['no filter: everything', {}, hankou, true],
    ['no filter: even an unknown subject', {}, unknown, true],
    ['station listed', { stations: ['hankou', 'shashi'] }, hankou, true],
    ['station not listed', { stations: ['shashi'] }, hankou, false],
    ['station filter, no station', { stations: ['hankou'] }, unknown, false],
    ['kind', { kinds: ['hydrology_gauge'] }, hankou, true],
    ['other kind', { kinds: ['reservoir'] }, hankou, false],
    ['kind filter, no kind', { kinds: ['hydrology_gauge'] }, unknown, false],
    ['reach', { reaches: ['yangtze:han-mouth-huangshi'] }, hankou, true],
    ['river', { rivers: ['Han'] }, hankou, false],
    ['admin unit by prefix', { adminUnits: ['湖北省武汉市'] }, hankou, true],
    ['admin unit of another city', { adminUnits: ['湖北省荆州市'] }, hankou, false],
    ['admin filter, no admin unit', { adminUnits: ['湖北省'] }, unknown, false],
    ['river chief', { riverChiefs: ['武汉市市长'] }, hankou, true],
    ['every filter must match', { kinds: ['hydrology_gauge'], rivers: ['Han'] }, hankou, false],
  ])('%s', (_name, scope, subject, want) => {
    expect(inScope(scope, subject)).toBe(want);
  });
});

const plan = (id: string, version: number, match: object): StoredPlan => ({
  version,
  plan: ContingencyPlan.parse({
    id,
    name: { zh: id, en: id },
    source: 'test',
    match,
    tasks: [{ key: 't', team: { zh: '队', en: 'team' }, action: { zh: '巡查', en: 'patrol' }, deadlineMinutes: 60 }],
  }),
});

describe('plans', () => {
  const p = plan('wuhan-flood', 1, { alertTypes: ['flood'], minSeverity: 'orange', scope: { adminUnits: ['湖北省武汉市'] } });
  it.each([
    ['type, severity and scope match', { alertType: 'flood', severity: 'orange', ruleId: 'r', subject: hankou }, true],
    ['a more severe alert matches', { alertType: 'flood', severity: 'red', ruleId: 'r', subject: hankou }, true],
    ['a less severe alert does not', { alertType: 'flood', severity: 'yellow', ruleId: 'r', subject: hankou }, false],
    ['another alert type does not', { alertType: 'pollution', severity: 'red', ruleId: 'r', subject: hankou }, false],
    ['outside the scope does not', { alertType: 'flood', severity: 'red', ruleId: 'r', subject: { ...hankou, admin: '湖北省荆州市' } }, false],
  ] as const)('%s', (_name, alert, want) => {
    expect(planMatches(p.plan, alert)).toBe(want);
  });

  it('matches only the rules a plan names', () => {
    const q = plan('only-r1', 1, { alertTypes: ['flood'], minSeverity: 'blue', rules: ['r1'], scope: {} });
    expect(planMatches(q.plan, { alertType: 'flood', severity: 'blue', ruleId: 'r1', subject: hankou })).toBe(true);
    expect(planMatches(q.plan, { alertType: 'flood', severity: 'blue', ruleId: 'r2', subject: hankou })).toBe(false);
  });

  it('keeps the newest version of each plan', () => {
    const got = newestPlans([plan('a', 1, { alertTypes: ['flood'], minSeverity: 'blue', scope: {} }), plan('a', 3, { alertTypes: ['flood'], minSeverity: 'blue', scope: {} }), plan('b', 2, { alertTypes: ['flood'], minSeverity: 'blue', scope: {} }), plan('a', 2, { alertTypes: ['flood'], minSeverity: 'blue', scope: {} })]);
    expect(got.map((x) => `${x.plan.id}@${x.version}`).sort()).toEqual(['a@3', 'b@2']);
  });
});
