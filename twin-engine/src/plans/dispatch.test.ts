import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContingencyPlan, type ContingencyPlanInput, type StoredPlan } from '@basin/schemas';
import { currentPlans, nextOccurrence, nextTaskDeadline, overdueTasks, planMatches, planTasks, reachedDecisions, type PlanAlert } from './dispatch.js';
import { loadDefinitions, loadPlanFiles, loadRuleFiles } from './files.js';
import type { RuleStation } from '../rules/types.js';

const M = 60_000;
const T0 = Date.UTC(2026, 6, 1);
const shashi: RuleStation = { id: 'shashi', kind: 'hydrology_gauge', reach: 'jingjiang', river: 'Yangtze', admin: '湖北省荆州市', riverChief: null };
const intake: RuleStation = { id: 'intake-baishazhou', kind: 'water_intake', reach: 'wuhan', river: 'Yangtze', admin: '湖北省武汉市', riverChief: null };

const plan = (p: Partial<ContingencyPlanInput>, version = 1): StoredPlan => ({
  version,
  plan: ContingencyPlan.parse({
    id: 'p1', name: { zh: '预案', en: 'plan' }, source: 'test',
    match: { alertTypes: ['flood'], minSeverity: 'yellow' },
    tasks: [{ key: 'watch', team: { zh: '队', en: 'team' }, action: { zh: '值班', en: 'duty' }, deadlineMinutes: 60 }],
    ...p,
  }),
});
const alert = (a: Partial<PlanAlert> = {}): PlanAlert => ({ alertId: 'a1', ruleId: 'r1', alertType: 'flood', severity: 'yellow', station: shashi, openedAt: T0, ...a });

describe('plan matching', () => {
  it.each([
    [{}, {}, true],
    [{}, { severity: 'blue' }, false],
    [{}, { severity: 'red' }, true],
    [{}, { alertType: 'pollution' }, false],
    [{ match: { alertTypes: ['flood'], minSeverity: 'yellow', rules: ['r2'] } }, {}, false],
    [{ match: { alertTypes: ['flood'], minSeverity: 'yellow', scope: { stations: ['shashi'] } } }, {}, true],
    [{ match: { alertTypes: ['flood'], minSeverity: 'yellow', scope: { kinds: ['reservoir'] } } }, {}, false],
  ] as const)('%j with alert %j -> %s', (p, a, expected) => {
    expect(planMatches(plan(p as never).plan, alert(a as never))).toBe(expected);
  });

  it('uses the newest version of each plan', () => {
    const v1 = plan({}, 1);
    const v2 = plan({ tasks: [{ key: 'new', team: { zh: '队', en: 't' }, action: { zh: '动', en: 'a' }, deadlineMinutes: 5 }] }, 2);
    expect(currentPlans([v2, v1])).toEqual([v2]);
    expect(planTasks([v1, v2], alert(), T0, new Set()).map((t) => t.taskKey)).toEqual(['new']);
  });
});

describe('tasks from plans', () => {
  const patrol = plan({
    tasks: [
      { key: 'watch', team: { zh: '队', en: 't' }, action: { zh: '值班', en: 'duty' }, deadlineMinutes: 60, escalate: { severity: 'orange', notify: ['HQ'] } },
      { key: 'patrol', team: { zh: '巡堤', en: 'patrol' }, action: { zh: '巡查', en: 'patrol' }, deadlineMinutes: 30, repeatMinutes: 120 },
    ],
  });

  it('creates each task once per alert, with deadlines, and recurring duties per period', () => {
    const first = planTasks([patrol], alert(), T0, new Set());
    expect(first.map((t) => [t.key, t.dueAt - T0])).toEqual([['a1/p1/watch/0', 60 * M], ['a1/p1/patrol/0', 30 * M]]);
    expect(first[0]!.location).toEqual({ station: 'shashi' });
    const keys = new Set(first.map((t) => t.key));
    expect(planTasks([patrol], alert(), T0 + 119 * M, keys)).toEqual([]);
    expect(nextOccurrence([patrol], alert(), T0 + 119 * M)).toBe(T0 + 120 * M);
    const second = planTasks([patrol], alert(), T0 + 121 * M, keys);
    expect(second.map((t) => [t.key, t.createdAt - T0, t.dueAt - T0])).toEqual([['a1/p1/patrol/1', 120 * M, 150 * M]]);
  });

  it('an escalation to a severity that matches more plans adds their tasks only', () => {
    const orange = plan({ id: 'p2', match: { alertTypes: ['flood'], minSeverity: 'orange' } } as never);
    const made = new Set(planTasks([patrol, orange], alert(), T0, new Set()).map((t) => t.key));
    expect([...made].some((k) => k.startsWith('a1/p2'))).toBe(false);
    const added = planTasks([patrol, orange], alert({ severity: 'orange' }), T0 + 10 * M, made);
    expect(added.map((t) => t.key)).toEqual(['a1/p2/watch/0']);
  });

  it('overdue tasks escalate once; the next deadline is exact', () => {
    const tasks = [
      { id: 't1', status: 'pending' as const, dueAt: T0 + 10 * M, escalatedAt: null },
      { id: 't2', status: 'accepted' as const, dueAt: T0 + 5 * M, escalatedAt: null },
      { id: 't3', status: 'done' as const, dueAt: T0, escalatedAt: null },
      { id: 't4', status: 'pending' as const, dueAt: T0, escalatedAt: T0 + M },
    ];
    expect(nextTaskDeadline(tasks)).toBe(T0 + 5 * M);
    expect(overdueTasks(tasks, T0 + 5 * M - 1).map((t) => t.id)).toEqual([]);
    expect(overdueTasks(tasks, T0 + 5 * M).map((t) => t.id)).toEqual(['t2']);
    expect(overdueTasks(tasks, T0 + 10 * M).map((t) => t.id)).toEqual(['t1', 't2']);
  });

  it('decision points are reached at their level', () => {
    const jj = plan({ decisions: [{ station: 'shashi', level: 45.0, decision: { zh: '分洪', en: 'divert' } }] });
    expect(reachedDecisions([jj], alert(), () => 44.99)).toEqual([]);
    expect(reachedDecisions([jj], alert(), () => 45.0).map((d) => d.stage)).toEqual([45.0]);
  });
});

describe('shipped rule and plan files', () => {
  it('validate, with the flood and spill examples in Chinese and English', () => {
    const rules = loadRuleFiles();
    const plans = loadPlanFiles();
    expect(rules.map((r) => r.id)).toEqual(expect.arrayContaining(['flood-level-gauges', 'flood-forecast-warning', 'spill-intake-forecast', 'nh3n-worse-than-iii']));
    expect(plans.map((p) => p.id).sort()).toEqual(['flood-gauge-yellow', 'flood-jingjiang-orange', 'spill-wuhan-intake']);
    const spill = plans.find((p) => p.id === 'spill-wuhan-intake')!;
    expect(planMatches(spill, alert({ alertType: 'pollution', station: intake }))).toBe(true);
    expect(planMatches(spill, alert({ alertType: 'pollution', station: { ...intake, admin: '湖北省鄂州市' } }))).toBe(false);
  });

  it('a bad file is refused with the file and the field named', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'id: x\nname: { zh: x, en: x }\nseverity: purple\ncondition: { type: threshold, metric: water_level, op: ">=", value: 1 }\n');
    try {
      loadRuleFiles(dir);
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('DEFINITION_INVALID');
      expect((e as { details: unknown }).details).toEqual([expect.objectContaining({ file: 'bad.yaml', field: 'severity' })]);
    }
    expect(() => loadDefinitions(dir, ContingencyPlan, 'plan file')).toThrow(/bad.yaml/);
  });
});
