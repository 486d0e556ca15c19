import { z } from 'zod';
import { SEVERITY_RANK, Severity } from './domain.js';
import { RuleScope, inScope, type ScopeSubject } from './rules.js';

/**
 * 预案 contingency plans: versioned, bound to alert types, severities and places. When an alert
 * opens (or escalates) the matching plans create dispatch tasks; overdue tasks escalate.
 */

const Text = z.object({ zh: z.string().min(1).max(500), en: z.string().min(1).max(500) }).strict();

export const AlertType = z.enum(['flood', 'pollution', 'air', 'soil', 'equipment', 'other']);
export type AlertType = z.infer<typeof AlertType>;

export const PlanTask = z
  .object({
    /** Stable within the plan: one task per (alert, plan, key). */
    key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
    team: Text,
    action: Text,
    /** Where: the alert's station (`subject`), a named station, or a point. */
    location: z
      .union([
        z.literal('subject'),
        z.object({ station: z.string().min(1) }).strict(),
        z.object({ lon: z.number().min(-180).max(180), lat: z.number().min(-90).max(90), name: z.string().min(1).max(200) }).strict(),
      ])
      .default('subject'),
    /** Deadline after the alert opened (or the task was created), minutes. */
    deadlineMinutes: z.number().int().positive().max(43_200),
    /** Recurring duty (e.g. dyke patrol every 2 h): a new task each period while the alert is open. */
    repeatMinutes: z.number().int().positive().max(10_080).optional(),
    /** Overdue escalation: the severity the task escalates to, and who is told. */
    escalate: z.object({ severity: Severity, notify: z.array(z.string().min(1).max(200)).max(20).default([]) }).strict().optional(),
  })
  .strict();
export type PlanTask = z.infer<typeof PlanTask>;

export const ContingencyPlan = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
    name: Text,
    /** Source or authority of the plan (e.g. the provincial flood-control plan it follows). */
    source: z.string().min(1).max(500),
    match: z
      .object({
        alertTypes: z.array(AlertType).min(1),
        minSeverity: Severity,
        /** Only alerts of these rules (any rule when absent). */
        rules: z.array(z.string().min(1)).min(1).optional(),
        scope: RuleScope.default({}),
      })
      .strict(),
    /** Decision points to put before the commander (e.g. the Jingjiang flood-diversion decision at Shashi 45.0 m). */
    decisions: z.array(z.object({ station: z.string().min(1), level: z.number(), decision: Text }).strict()).max(20).default([]),
    tasks: z.array(PlanTask).min(1).max(50),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.tasks.forEach((t, i) => {
      if (seen.has(t.key)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'key'], message: `duplicate task key ${t.key}` });
      seen.add(t.key);
    });
  });
export type ContingencyPlan = z.infer<typeof ContingencyPlan>;
export type ContingencyPlanInput = z.input<typeof ContingencyPlan>;

export const StoredPlan = z.object({ version: z.number().int().min(1), plan: ContingencyPlan });
export type StoredPlan = z.infer<typeof StoredPlan>;

/** The newest version of each plan. */
export function newestPlans(plans: readonly StoredPlan[]): StoredPlan[] {
  const best = new Map<string, StoredPlan>();
  for (const p of plans) {
    const b = best.get(p.plan.id);
    if (!b || p.version > b.version) best.set(p.plan.id, p);
  }
  return [...best.values()];
}

/** What a plan is matched on: the alert's type, severity, rule and subject. */
export interface PlanMatchInput {
  alertType: string;
  severity: Severity;
  ruleId: string;
  subject: ScopeSubject;
}

/** True when an alert falls under the plan (type, at least the plan's severity, its rules, its scope). */
export function planMatches(plan: ContingencyPlan, a: PlanMatchInput): boolean {
  const m = plan.match;
  if (!(m.alertTypes as readonly string[]).includes(a.alertType)) return false;
  if (SEVERITY_RANK[a.severity] < SEVERITY_RANK[m.minSeverity]) return false;
  if (m.rules && !m.rules.includes(a.ruleId)) return false;
  return inScope(m.scope, a.subject);
}
