import { SEVERITY_RANK, type PlanTask, type RuleScope, type Severity, type Station, type StoredPlan } from '@basin/schemas';

/**
 * 预案 in the alert pane (pure): which contingency plans an alert matches — by the engine's rule
 * (alert type, minimum severity, rules, scope of the alert's station) — and the task an operator
 * dispatches from a plan task. Tasks are written the way the engine writes the ones it creates
 * (`中文 / English`), so the pane can tell which plan tasks the alert already has.
 */
export interface AlertForPlans {
  ruleId: string;
  /** Alert type (`flood`, `pollution`, …). */
  kind: string;
  severity: Severity;
  station: string | null;
  reach: string | null;
  river: string | null;
  adminUnit: string | null;
  riverChief: string | null;
}

export type ScopeStation = Pick<Station, 'id' | 'kind'>;

export function inScope(scope: RuleScope, a: AlertForPlans, st: ScopeStation | null): boolean {
  if (scope.stations && (a.station === null || !scope.stations.includes(a.station))) return false;
  if (scope.kinds && (st === null || !scope.kinds.includes(st.kind))) return false;
  if (scope.reaches && (a.reach === null || !scope.reaches.includes(a.reach))) return false;
  if (scope.rivers && (a.river === null || !scope.rivers.includes(a.river))) return false;
  if (scope.adminUnits && !scope.adminUnits.some((u) => a.adminUnit?.startsWith(u))) return false;
  if (scope.riverChiefs && (a.riverChief === null || !scope.riverChiefs.includes(a.riverChief))) return false;
  return true;
}

/** The current version of each plan the alert matches, by plan id. */
export function plansForAlert(plans: readonly StoredPlan[], a: AlertForPlans, st: ScopeStation | null): StoredPlan[] {
  const newest = new Map<string, StoredPlan>();
  for (const p of plans) {
    const had = newest.get(p.plan.id);
    if (!had || p.version > had.version) newest.set(p.plan.id, p);
  }
  return [...newest.values()]
    .filter(({ plan: { match: m } }) => {
      if (!(m.alertTypes as readonly string[]).includes(a.kind)) return false;
      if (SEVERITY_RANK[a.severity] < SEVERITY_RANK[m.minSeverity]) return false;
      if (m.rules && !m.rules.includes(a.ruleId)) return false;
      return inScope(m.scope, a, st);
    })
    .sort((x, y) => x.plan.id.localeCompare(y.plan.id));
}

export interface TaskDraft {
  team: string;
  action: string;
  station: string | null;
  location: string | null;
  deadline: string;
}

const both = (t: { zh: string; en: string }) => `${t.zh} / ${t.en}`;

/** The task dispatched from a plan task now: the plan's team, action and place, its deadline from now. */
export function taskFromPlan(t: PlanTask, alertStation: string | null, now: number): TaskDraft {
  const loc = t.location;
  const station = loc === 'subject' ? alertStation : 'station' in loc ? loc.station : null;
  const location = loc !== 'subject' && 'name' in loc ? loc.name : null;
  return { team: both(t.team), action: both(t.action), station, location, deadline: new Date(now + t.deadlineMinutes * 60_000).toISOString() };
}

/** The alert's tasks that carry this plan task's action (created by the engine or an operator). */
export function tasksOfPlanTask<T extends { action: string; alertId: string | number | null }>(t: PlanTask, alertId: string, tasks: readonly T[]): T[] {
  const action = both(t.action);
  return tasks.filter((x) => x.alertId !== null && String(x.alertId) === alertId && x.action === action);
}
