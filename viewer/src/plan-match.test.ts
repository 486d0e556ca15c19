import { describe, expect, it } from 'vitest';
import { ContingencyPlan, type ContingencyPlanInput, type StoredPlan } from '@basin/schemas';
import { plansForAlert, taskFromPlan, tasksOfPlanTask, type AlertForPlans } from './plan-match';

const plan = (over: Partial<ContingencyPlanInput> & { id: string }, version = 1): StoredPlan => ({
  version,
  plan: ContingencyPlan.parse({
    name: { zh: '预案', en: 'Plan' },
    source: 'test',
    match: { alertTypes: ['pollution'], minSeverity: 'yellow', scope: { kinds: ['water_intake'], adminUnits: ['湖北省武汉市'] } },
    tasks: [{ key: 'notify', team: { zh: '应急办', en: 'Emergency office' }, action: { zh: '通知水厂', en: 'Notify the utility' }, deadlineMinutes: 30 }],
    ...over,
  }),
});

const alert = (over: Partial<AlertForPlans> = {}): AlertForPlans => ({
  ruleId: 'nh3n', kind: 'pollution', severity: 'orange', station: 'wh-intake', reach: null, river: '长江', adminUnit: '湖北省武汉市江岸区', riverChief: null, ...over,
});
const intake = { id: 'wh-intake', kind: 'water_intake' } as const;

describe('plansForAlert', () => {
  it.each([
    ['type, severity and scope match', alert(), intake, ['p']],
    ['another alert type', alert({ kind: 'flood' }), intake, []],
    ['below the minimum severity', alert({ severity: 'blue' }), intake, []],
    ['station of another kind', alert(), { id: 'wh-intake', kind: 'water_quality' } as const, []],
    ['station unknown to the wall', alert(), null, []],
    ['outside the administrative unit', alert({ adminUnit: '湖北省荆州市' }), intake, []],
    ['no administrative unit on the alert', alert({ adminUnit: null }), intake, []],
  ])('%s', (_, a, st, want) => {
    expect(plansForAlert([plan({ id: 'p' })], a, st).map((p) => p.plan.id)).toEqual(want);
  });

  it('a plan bound to rules matches only their alerts', () => {
    const p = plan({ id: 'p', match: { alertTypes: ['pollution'], minSeverity: 'yellow', rules: ['other-rule'] } });
    expect(plansForAlert([p], alert(), intake)).toEqual([]);
    expect(plansForAlert([p], alert({ ruleId: 'other-rule' }), intake)).toHaveLength(1);
  });

  it('only the newest version of a plan counts', () => {
    const v1 = plan({ id: 'p' }, 1);
    const v2 = plan({ id: 'p', match: { alertTypes: ['flood'], minSeverity: 'yellow' } }, 2);
    expect(plansForAlert([v2, v1], alert(), intake)).toEqual([]);
    expect(plansForAlert([v1], alert(), intake)).toEqual([v1]);
  });
});

describe('taskFromPlan', () => {
  const now = Date.parse('2026-07-01T00:00:00Z');
  it.each([
    ['subject', 'subject' as const, { station: 'wh-intake', location: null }],
    ['named station', { station: 'hankou' }, { station: 'hankou', location: null }],
    ['point', { lon: 114.3, lat: 30.6, name: '武汉关' }, { station: null, location: '武汉关' }],
  ])('location: %s', (_, location, want) => {
    const t = plan({ id: 'p' }).plan.tasks[0]!;
    expect(taskFromPlan({ ...t, location }, 'wh-intake', now)).toEqual({
      team: '应急办 / Emergency office', action: '通知水厂 / Notify the utility', ...want, deadline: '2026-07-01T00:30:00.000Z',
    });
  });

  it('finds the alert tasks that carry the plan task action', () => {
    const t = plan({ id: 'p' }).plan.tasks[0]!;
    const tasks = [
      { id: '1', alertId: 7, action: '通知水厂 / Notify the utility' },
      { id: '2', alertId: 8, action: '通知水厂 / Notify the utility' },
      { id: '3', alertId: 7, action: 'other' },
      { id: '4', alertId: null, action: '通知水厂 / Notify the utility' },
    ];
    expect(tasksOfPlanTask(t, '7', tasks).map((x) => x.id)).toEqual(['1']);
  });
});
