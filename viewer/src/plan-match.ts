import { newestPlans, planMatches, type PlanTask, type Severity, type Station, type StoredPlan } from '@basin/schemas';

/**
 * 预案 in the alert pane (pure): which contingency plans an alert matches — the engine's rule from
 * schemas (`planMatches`: alert type, minimum severity, rules, scope of the alert's station) — and
 * the task an operator dispatches from a plan task. Tasks are written the way the engine writes the
 * ones it creates (`中文 / English`), so the pane can tell which plan tasks the alert already has.
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

/** The current version of each plan the alert matches, by plan id. */
export function plansForAlert(plans: readonly StoredPlan[], a: AlertForPlans, st: ScopeStation | null): StoredPlan[] {
  const subject = { id: a.station, kind: st?.kind ?? null, reach: a.reach, river: a.river, admin: a.adminUnit, riverChief: a.riverChief };
  return newestPlans(plans)
    .filter(({ plan }) => planMatches(plan, { alertType: a.kind, severity: a.severity, ruleId: a.ruleId, subject }))
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
