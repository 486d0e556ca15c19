import type { Queryable } from '@basin/platform';
import type { Severity, StoredPlan } from '@basin/schemas';
import { systemPrincipal } from '../auth/roles.js';
import { audit } from '../ops/audit.js';
import { raiseSeverity } from '../ops/alerts.js';
import { currentPlans, nextOccurrence, planTasks, type PlanAlert } from '../plans/dispatch.js';
import { insertPlanTask, type EmitEvent } from './effects.js';
import type { RuleStation } from './types.js';

const ACTOR = systemPrincipal('plans');

/**
 * Task deadlines and recurring duties, run by the elected evaluator (one process): overdue tasks
 * are marked and escalate their alert (severity, notify) once; recurring plan duties get their next
 * occurrence while the alert is open. `nextDue()` gives the one time the evaluator's timer waits for.
 */
export class TaskClock {
  constructor(private readonly emit?: EmitEvent) {}

  async nextDue(q: Queryable, plans: StoredPlan[], stations: ReadonlyMap<string, RuleStation>, now: number): Promise<number | null> {
    const r = await q.query<{ next: Date | string | null }>(`SELECT min(deadline) AS next FROM tasks WHERE state IN ('open', 'accepted') AND escalated_at IS NULL AND deadline IS NOT NULL`);
    let next = r.rows[0]?.next ? new Date(r.rows[0].next).getTime() : null;
    if (plans.some((p) => p.plan.tasks.some((t) => t.repeatMinutes))) {
      for (const a of await openAlerts(q, stations)) {
        const at = nextOccurrence(plans, a, now);
        if (at !== null && (next === null || at < next)) next = at;
      }
    }
    return next;
  }

  /** Escalates overdue tasks and creates due occurrences, in the caller's transaction. */
  async run(tx: Queryable, plans: StoredPlan[], stations: ReadonlyMap<string, RuleStation>, now: number): Promise<{ overdue: number; created: number }> {
    const overdue = await tx.query<{ id: number; alert_id: number | null; plan_id: string | null; plan_task_key: string | null; state: string; deadline: Date | string }>(
      `UPDATE tasks SET state = 'overdue', escalated_at = $1, updated_at = now()
       WHERE state IN ('open', 'accepted') AND escalated_at IS NULL AND deadline <= $1
       RETURNING id, alert_id, plan_id, plan_task_key, 'open' AS state, deadline`,
      [new Date(now).toISOString()],
    );
    const byId = new Map(currentPlans(plans).map((p) => [p.plan.id, p.plan]));
    for (const t of overdue.rows) {
      const taskKey = t.plan_task_key?.split('/')[2];
      const esc = t.plan_id && taskKey ? byId.get(t.plan_id)?.tasks.find((x) => x.key === taskKey)?.escalate : undefined;
      await audit(tx, { actor: ACTOR, action: 'task.overdue', subjectType: 'task', subjectId: t.id, before: { state: t.state }, after: { state: 'overdue', escalate: esc ?? null } });
      await this.emit?.(tx, 'task.overdue', { task: { id: Number(t.id), alertId: t.alert_id === null ? null : Number(t.alert_id), deadline: new Date(t.deadline).toISOString() }, notify: esc?.notify ?? [] });
      if (esc && t.alert_id !== null) await this.escalateAlert(tx, Number(t.alert_id), esc.severity, Number(t.id));
    }
    let created = 0;
    if (plans.some((p) => p.plan.tasks.some((t) => t.repeatMinutes))) {
      for (const a of await openAlerts(tx, stations)) {
        const existing = await tx.query<{ plan_task_key: string }>(`SELECT plan_task_key FROM tasks WHERE alert_id = $1 AND plan_task_key IS NOT NULL`, [Number(a.alertId)]);
        const drafts = planTasks(plans, a, now, new Set(existing.rows.map((x) => x.plan_task_key))).filter((d) => d.occurrence > 0);
        for (const d of drafts) if (await insertPlanTask(tx, Number(a.alertId), d, ACTOR)) created++;
      }
    }
    return { overdue: overdue.rowCount, created };
  }

  private async escalateAlert(tx: Queryable, alertId: number, to: Severity, taskId: number): Promise<void> {
    await raiseSeverity(tx, alertId, to, ACTOR, { reason: 'task overdue', taskId });
  }
}

async function openAlerts(q: Queryable, stations: ReadonlyMap<string, RuleStation>): Promise<PlanAlert[]> {
  const r = await q.query<{ id: number; rule_id: string; kind: string; severity: Severity; station: string | null; opened_at: Date | string }>(
    `SELECT id, rule_id, kind, severity, station, opened_at FROM alerts WHERE state <> 'resolved' AND station IS NOT NULL`,
  );
  const out: PlanAlert[] = [];
  for (const a of r.rows) {
    const st = a.station ? stations.get(a.station) : undefined;
    if (!st) continue;
    out.push({ alertId: String(a.id), ruleId: a.rule_id, alertType: a.kind as PlanAlert['alertType'], severity: a.severity, station: st, openedAt: new Date(a.opened_at).getTime() });
  }
  return out;
}
