import type { Queryable } from '@basin/platform';
import { SEVERITY_RANK, type StoredPlan, type StoredRule } from '@basin/schemas';
import { systemPrincipal } from '../auth/roles.js';
import { autoResolve, escalate, openAlert } from '../ops/alerts.js';
import { createPlanTask } from '../ops/tasks.js';
import { planTasks, type PlanAlert, type TaskDraft } from '../plans/dispatch.js';
import type { RuleEffects } from './evaluator.js';
import type { RuleEvent, RuleStation } from './types.js';

/** Publishes a domain event (webhook outbox, live stream) inside the transaction of the change. */
export type EmitEvent = (tx: Queryable, type: string, payload: Record<string, unknown>) => Promise<void>;

const ACTOR = systemPrincipal('rules');

/**
 * Rule events -> alerts and plan tasks, in the evaluation transaction, through the one alert
 * lifecycle in `ops/` (row, audit record, stream event and webhook outbox together):
 * - open: `openAlert` (one unresolved alert per rule and subject: an open alert keeps its
 *   identity), then the matching plans' tasks;
 * - severity: `escalate` in place (history in the audit log), plus tasks of plans the new
 *   severity matches;
 * - clear: `autoResolve` when the rule says so, otherwise the alert stays for an operator.
 */
export class DbRuleEffects implements RuleEffects {
  async apply(tx: Queryable, events: RuleEvent[], ctx: { rules: ReadonlyMap<string, StoredRule>; plans: StoredPlan[]; stations: ReadonlyMap<string, RuleStation>; now: number }): Promise<void> {
    for (const e of events) {
      const rule = ctx.rules.get(e.ruleId);
      const st = ctx.stations.get(e.subject);
      if (!rule) continue;
      const evidence = { ...e.evidence, ruleName: rule.name };
      const at = new Date(e.at);
      if (e.kind === 'open') {
        const { alert, created } = await openAlert(tx, {
          ruleId: rule.id, ruleVersion: rule.version, subject: e.subject, kind: rule.alertType, severity: e.severity,
          title: `${rule.name.zh} · ${e.subject}`, message: e.evidence.reason, station: st ? e.subject : null, metric: e.evidence.readings[0]?.metric ?? null,
          reach: st?.reach ?? null, river: st?.river ?? null, adminUnit: st?.admin ?? null, riverChief: st?.riverChief ?? null, evidence, at,
        }, ACTOR);
        // A still-open alert of this rule and subject is the same alert (raised if this is worse).
        if (st && (created || alert.severity === e.severity)) await this.tasks(tx, alert.id, rule, st, alert.severity, new Date(alert.openedAt).getTime(), ctx.plans, ctx.now);
      } else if (e.kind === 'severity') {
        const alert = await escalate(tx, { ruleId: rule.id, subject: e.subject, severity: e.severity, evidence, at, ruleVersion: rule.version }, ACTOR);
        if (alert && st && SEVERITY_RANK[e.severity] > SEVERITY_RANK[e.from]) await this.tasks(tx, alert.id, rule, st, e.severity, new Date(alert.openedAt).getTime(), ctx.plans, ctx.now);
      } else if (e.autoResolve) {
        await autoResolve(tx, { ruleId: e.ruleId, subject: e.subject, evidence: e.evidence, at }, ACTOR);
      }
    }
  }

  /** The matching plans' tasks, once each (plan_task_key is unique). */
  private async tasks(tx: Queryable, alertId: number, rule: StoredRule, st: RuleStation, severity: PlanAlert['severity'], openedAt: number, plans: StoredPlan[], now: number): Promise<void> {
    const alert: PlanAlert = { alertId: String(alertId), ruleId: rule.id, alertType: rule.alertType, severity, station: st, openedAt };
    const existing = await tx.query<{ plan_task_key: string }>(`SELECT plan_task_key FROM tasks WHERE alert_id = $1 AND plan_task_key IS NOT NULL`, [alertId]);
    for (const d of planTasks(plans, alert, now, new Set(existing.rows.map((x) => x.plan_task_key)))) await insertPlanTask(tx, alertId, d, ACTOR);
  }
}

/** One plan task draft as a task row (through ops `createPlanTask`); null when it existed. */
export function insertPlanTask(tx: Queryable, alertId: number, d: TaskDraft, actor = ACTOR) {
  return createPlanTask(tx, {
    alertId, planId: d.planId, planVersion: d.planVersion, team: `${d.team.zh} / ${d.team.en}`, action: `${d.action.zh} / ${d.action.en}`,
    location: 'station' in d.location ? d.location.station : d.location.name, station: 'station' in d.location ? d.location.station : null,
    deadline: new Date(d.dueAt), planTaskKey: d.key, createdAt: new Date(d.createdAt),
  }, actor, { occurrence: d.occurrence, escalate: d.escalate });
}
