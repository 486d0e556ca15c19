import type { Queryable } from '@basin/platform';
import type { StoredPlan, StoredRule } from '@basin/schemas';
import { systemPrincipal } from '../auth/roles.js';
import { audit } from '../ops/audit.js';
import { planTasks, type PlanAlert } from '../plans/dispatch.js';
import type { RuleEffects } from './evaluator.js';
import type { RuleEvent, RuleStation } from './types.js';

/** Publishes a domain event (webhook outbox, live stream) inside the transaction of the change. */
export type EmitEvent = (tx: Queryable, type: string, payload: Record<string, unknown>) => Promise<void>;

const ACTOR = systemPrincipal('rules');

/**
 * Rule events -> alerts and plan tasks, in the evaluation transaction:
 * - open: a new alert (deduplicated per rule and subject by the open-alert index: an open alert
 *   keeps its identity), then the matching plans' tasks;
 * - severity: escalates (or lowers) in place, history in the audit log, plus tasks of plans the new
 *   severity matches;
 * - clear: auto-resolves when the rule says so, otherwise the alert stays for an operator.
 */
export class DbRuleEffects implements RuleEffects {
  constructor(private readonly emit?: EmitEvent) {}

  async apply(tx: Queryable, events: RuleEvent[], ctx: { rules: ReadonlyMap<string, StoredRule>; plans: StoredPlan[]; stations: ReadonlyMap<string, RuleStation>; now: number }): Promise<void> {
    for (const e of events) {
      const rule = ctx.rules.get(e.ruleId);
      const st = ctx.stations.get(e.subject);
      if (!rule) continue;
      if (e.kind === 'open') await this.open(tx, e, rule, st, ctx.plans, ctx.now);
      else if (e.kind === 'severity') await this.severity(tx, e, rule, st, ctx.plans, ctx.now);
      else await this.clear(tx, e);
    }
  }

  private async open(tx: Queryable, e: Extract<RuleEvent, { kind: 'open' }>, rule: StoredRule, st: RuleStation | undefined, plans: StoredPlan[], now: number): Promise<void> {
    const metric = e.evidence.readings[0]?.metric ?? null;
    const r = await tx.query<{ id: number }>(
      `INSERT INTO alerts (rule_id, rule_version, subject, kind, severity, state, title, message, station, metric, reach, river, admin_unit, river_chief, evidence, opened_at)
       VALUES ($1, $2, $3, $4, $5, 'firing', $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15)
       ON CONFLICT (rule_id, subject) WHERE state <> 'resolved' DO NOTHING RETURNING id`,
      [rule.id, rule.version, e.subject, rule.alertType, e.severity, `${rule.name.zh} · ${st?.id ?? e.subject}`, e.evidence.reason, st ? e.subject : null, metric,
        st?.reach ?? null, st?.river ?? null, st?.admin ?? null, st?.riverChief ?? null, JSON.stringify({ ...e.evidence, ruleName: rule.name }), new Date(e.at).toISOString()],
    );
    const id = r.rows[0]?.id;
    if (id === undefined) return; // an alert for this rule and subject is still open: deduplicated
    const after = { id: Number(id), ruleId: rule.id, ruleVersion: rule.version, subject: e.subject, severity: e.severity, state: 'firing', evidence: e.evidence };
    await audit(tx, { actor: ACTOR, action: 'alert.open', subjectType: 'alert', subjectId: id, after });
    await this.emit?.(tx, 'alert.opened', { alert: after, alertType: rule.alertType, station: e.subject });
    if (st) await this.tasks(tx, Number(id), rule, st, e.severity, e.at, plans, now);
  }

  private async severity(tx: Queryable, e: Extract<RuleEvent, { kind: 'severity' }>, rule: StoredRule, st: RuleStation | undefined, plans: StoredPlan[], now: number): Promise<void> {
    const r = await tx.query<{ id: number; opened_at: Date | string }>(
      `UPDATE alerts SET severity = $3, rule_version = $4, evidence = $5::jsonb, updated_at = now()
       WHERE rule_id = $1 AND subject = $2 AND state <> 'resolved' RETURNING id, opened_at`,
      [rule.id, e.subject, e.severity, rule.version, JSON.stringify({ ...e.evidence, ruleName: rule.name })],
    );
    const row = r.rows[0];
    if (!row) return;
    const up = SEV[e.severity] > SEV[e.from];
    await audit(tx, { actor: ACTOR, action: up ? 'alert.escalate' : 'alert.deescalate', subjectType: 'alert', subjectId: row.id, before: { severity: e.from }, after: { severity: e.severity, evidence: e.evidence } });
    await this.emit?.(tx, up ? 'alert.escalated' : 'alert.deescalated', { alert: { id: Number(row.id), ruleId: rule.id, subject: e.subject, severity: e.severity, from: e.from }, alertType: rule.alertType, station: e.subject });
    if (up && st) await this.tasks(tx, Number(row.id), rule, st, e.severity, new Date(row.opened_at).getTime(), plans, now);
  }

  private async clear(tx: Queryable, e: Extract<RuleEvent, { kind: 'clear' }>): Promise<void> {
    if (!e.autoResolve) return;
    const r = await tx.query<{ id: number; state: string }>(
      `UPDATE alerts a SET state = 'resolved', resolved_at = $3, resolved_by = $4, resolution = 'auto', updated_at = now()
       FROM (SELECT id, state FROM alerts WHERE rule_id = $1 AND subject = $2 AND state <> 'resolved' FOR UPDATE) old
       WHERE a.id = old.id RETURNING a.id, old.state`,
      [e.ruleId, e.subject, new Date(e.at).toISOString(), ACTOR.actor],
    );
    const row = r.rows[0];
    if (!row) return;
    await audit(tx, { actor: ACTOR, action: 'alert.auto_resolve', subjectType: 'alert', subjectId: row.id, before: { state: row.state }, after: { state: 'resolved', resolution: 'auto', evidence: e.evidence } });
    await this.emit?.(tx, 'alert.resolved', { alert: { id: Number(row.id), ruleId: e.ruleId, subject: e.subject, resolution: 'auto' }, station: e.subject });
  }

  /** The matching plans' tasks, once each (plan_task_key is unique). */
  private async tasks(tx: Queryable, alertId: number, rule: StoredRule, st: RuleStation, severity: PlanAlert['severity'], openedAt: number, plans: StoredPlan[], now: number): Promise<void> {
    const alert: PlanAlert = { alertId: String(alertId), ruleId: rule.id, alertType: rule.alertType, severity, station: st, openedAt };
    const existing = await tx.query<{ plan_task_key: string }>(`SELECT plan_task_key FROM tasks WHERE alert_id = $1 AND plan_task_key IS NOT NULL`, [alertId]);
    const drafts = planTasks(plans, alert, now, new Set(existing.rows.map((x) => x.plan_task_key)));
    for (const d of drafts) {
      const loc = 'station' in d.location ? d.location.station : d.location.name;
      const r = await tx.query<{ id: number }>(
        `INSERT INTO tasks (alert_id, plan_id, plan_version, team, action, location, station, deadline, state, created_at, created_by, plan_task_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11) ON CONFLICT (plan_task_key) WHERE plan_task_key IS NOT NULL DO NOTHING RETURNING id`,
        [alertId, d.planId, d.planVersion, `${d.team.zh} / ${d.team.en}`, `${d.action.zh} / ${d.action.en}`, loc, 'station' in d.location ? d.location.station : null,
          new Date(d.dueAt).toISOString(), new Date(d.createdAt).toISOString(), ACTOR.actor, d.key],
      );
      const id = r.rows[0]?.id;
      if (id === undefined) continue;
      const after = { id: Number(id), alertId, planId: d.planId, planVersion: d.planVersion, team: d.team, action: d.action, location: d.location, deadline: new Date(d.dueAt).toISOString(), escalate: d.escalate };
      await audit(tx, { actor: ACTOR, action: 'task.create', subjectType: 'task', subjectId: id, after });
      await this.emit?.(tx, 'task.created', { task: after, station: st.id });
    }
  }
}

const SEV = { blue: 1, yellow: 2, orange: 3, red: 4 } as const;
