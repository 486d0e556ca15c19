import { newestPlans, planMatches as matchesPlan, type AlertType, type ContingencyPlan, type PlanTask, type Severity, type StoredPlan } from '@basin/schemas';
import type { RuleStation } from '../rules/types.js';

/**
 * 预案 → dispatch (pure, injected time): which plans an alert matches, the tasks they create (once
 * per alert, plan task and occurrence — recurring duties every `repeatMinutes` while the alert is
 * open), which tasks are overdue and when the next deadline or occurrence falls.
 */

export interface PlanAlert {
  alertId: string;
  ruleId: string;
  alertType: AlertType;
  severity: Severity;
  station: RuleStation;
  /** Epoch ms the alert opened. */
  openedAt: number;
}

export type TaskLocation = { station: string } | { lon: number; lat: number; name: string };

export interface TaskDraft {
  /** Idempotency key: `<alert>/<plan>/<task>/<occurrence>`. */
  key: string;
  alertId: string;
  planId: string;
  planVersion: number;
  taskKey: string;
  occurrence: number;
  team: PlanTask['team'];
  action: PlanTask['action'];
  location: TaskLocation;
  createdAt: number;
  dueAt: number;
  escalate: PlanTask['escalate'] | null;
}

/** The newest version of each plan. */
export function currentPlans(plans: StoredPlan[]): StoredPlan[] {
  return newestPlans(plans);
}

export function planMatches(plan: ContingencyPlan, a: PlanAlert): boolean {
  return matchesPlan(plan, { alertType: a.alertType, severity: a.severity, ruleId: a.ruleId, subject: a.station });
}

function locate(t: PlanTask, a: PlanAlert): TaskLocation {
  if (t.location === 'subject') return { station: a.station.id };
  return t.location;
}

/**
 * Tasks due to exist at `now` for this alert that `existing` (keys already created) lacks. Call on
 * open, on escalation (higher-severity plans start to match) and at `nextOccurrence()`.
 */
export function planTasks(plans: StoredPlan[], a: PlanAlert, now: number, existing: ReadonlySet<string>): TaskDraft[] {
  const out: TaskDraft[] = [];
  for (const { plan, version } of currentPlans(plans)) {
    if (!planMatches(plan, a)) continue;
    for (const t of plan.tasks) {
      // A recurring duty: the current period's occurrence only (a missed period is not backfilled —
      // its deadline would already have passed; the overdue escalation reports the gap).
      const n = t.repeatMinutes ? Math.max(0, Math.floor((now - a.openedAt) / (t.repeatMinutes * 60_000))) : 0;
      {
        const key = `${a.alertId}/${plan.id}/${t.key}/${n}`;
        if (existing.has(key)) continue;
        const createdAt = n === 0 ? now : a.openedAt + n * t.repeatMinutes! * 60_000;
        out.push({
          key, alertId: a.alertId, planId: plan.id, planVersion: version, taskKey: t.key, occurrence: n,
          team: t.team, action: t.action, location: locate(t, a), createdAt,
          dueAt: createdAt + t.deadlineMinutes * 60_000, escalate: t.escalate ?? null,
        });
      }
    }
  }
  return out;
}

/** When the next recurring task of this alert falls due to be created, or null. */
export function nextOccurrence(plans: StoredPlan[], a: PlanAlert, now: number): number | null {
  let next: number | null = null;
  for (const { plan } of currentPlans(plans)) {
    if (!planMatches(plan, a)) continue;
    for (const t of plan.tasks) {
      if (!t.repeatMinutes) continue;
      const period = t.repeatMinutes * 60_000;
      const at = a.openedAt + (Math.floor((now - a.openedAt) / period) + 1) * period;
      if (next === null || at < next) next = at;
    }
  }
  return next;
}

export interface TrackedTask {
  id: string;
  status: 'pending' | 'accepted' | 'done' | 'cancelled' | 'overdue';
  dueAt: number;
  escalatedAt: number | null;
}

/** Open tasks past their deadline that have not escalated yet. */
export function overdueTasks<T extends TrackedTask>(tasks: T[], now: number): T[] {
  return tasks.filter((t) => (t.status === 'pending' || t.status === 'accepted') && t.dueAt <= now && t.escalatedAt === null);
}

/** The next deadline among open, unescalated tasks (for one exact timer), or null. */
export function nextTaskDeadline(tasks: TrackedTask[]): number | null {
  let next: number | null = null;
  for (const t of tasks) {
    if ((t.status === 'pending' || t.status === 'accepted') && t.escalatedAt === null && (next === null || t.dueAt < next)) next = t.dueAt;
  }
  return next;
}

/** Decision points of the matching plans whose trigger level the station's stage has reached. */
export function reachedDecisions(plans: StoredPlan[], a: PlanAlert, stage: (station: string) => number | undefined): Array<ContingencyPlan['decisions'][number] & { planId: string; stage: number }> {
  const out: Array<ContingencyPlan['decisions'][number] & { planId: string; stage: number }> = [];
  for (const { plan } of currentPlans(plans)) {
    if (!planMatches(plan, a)) continue;
    for (const d of plan.decisions) {
      const s = stage(d.station);
      if (s !== undefined && s >= d.level) out.push({ ...d, planId: plan.id, stage: s });
    }
  }
  return out;
}
