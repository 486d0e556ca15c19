import { SEVERITY_RANK, type Severity } from '@basin/schemas';
import type { Queryable } from '@basin/platform';
import type { Principal } from '../auth/roles.js';
import { TwinErrors } from '../errors.js';
import { audit } from './audit.js';
import { appendStream, publishEvent } from './events.js';

/**
 * Alert storage and lifecycle: firing -> acknowledged -> dispatched -> resolved.
 *
 * Every function takes the caller's transaction (`db.transaction(tx => ...)`) and writes, in it, the
 * alert row, an audit-log record (who, what, before/after), a live-stream event and the webhook
 * outbox event — so a change and its notifications commit or roll back together.
 *
 * The rule engine uses three entry points: `openAlert` (deduplicated per rule and subject),
 * `escalate` (severity changed in place, history kept in the audit log) and `autoResolve`.
 * Operators use `acknowledge`, `dispatch`, `resolve` and `comment` (through the API).
 */
export type AlertState = 'firing' | 'acknowledged' | 'dispatched' | 'resolved';

export interface AlertView {
  id: number;
  ruleId: string;
  ruleVersion: number;
  subject: string;
  kind: string;
  severity: Severity;
  state: AlertState;
  title: string;
  message: string | null;
  station: string | null;
  metric: string | null;
  reach: string | null;
  river: string | null;
  adminUnit: string | null;
  riverChief: string | null;
  evidence: unknown;
  openedAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  dispatchedAt: string | null;
  dispatchedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: 'manual' | 'auto' | null;
}

export interface OpenAlertInput {
  ruleId: string;
  ruleVersion: number;
  /** What the rule fired on (station id, reach id, "shashi+jianli" ...): one open alert per rule and subject. */
  subject: string;
  /** flood | water_quality | air_quality | soil | staleness | forecast | ... */
  kind: string;
  severity: Severity;
  title: string;
  message?: string | null;
  station?: string | null;
  metric?: string | null;
  reach?: string | null;
  river?: string | null;
  adminUnit?: string | null;
  riverChief?: string | null;
  /** The readings or forecast that fired the rule, and the rule version. */
  evidence: unknown;
  /** Event time (the reading's time); default now. */
  at?: Date;
}

const COLS = `id, rule_id, rule_version, subject, kind, severity, state, title, message, station, metric, reach, river, admin_unit, river_chief,
  evidence, opened_at, updated_at, acknowledged_at, acknowledged_by, dispatched_at, dispatched_by, resolved_at, resolved_by, resolution`;

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
export function alertView(r: Row): AlertView {
  return {
    id: Number(r.id),
    ruleId: r.rule_id as string,
    ruleVersion: Number(r.rule_version),
    subject: r.subject as string,
    kind: r.kind as string,
    severity: r.severity as Severity,
    state: r.state as AlertState,
    title: r.title as string,
    message: (r.message as string | null) ?? null,
    station: (r.station as string | null) ?? null,
    metric: (r.metric as string | null) ?? null,
    reach: (r.reach as string | null) ?? null,
    river: (r.river as string | null) ?? null,
    adminUnit: (r.admin_unit as string | null) ?? null,
    riverChief: (r.river_chief as string | null) ?? null,
    evidence: r.evidence,
    openedAt: iso(r.opened_at)!,
    updatedAt: iso(r.updated_at)!,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
    dispatchedAt: iso(r.dispatched_at),
    dispatchedBy: (r.dispatched_by as string | null) ?? null,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: (r.resolved_by as string | null) ?? null,
    resolution: (r.resolution as 'manual' | 'auto' | null) ?? null,
  };
}

/** Payload data of alert webhooks and stream events. */
export function eventData(a: AlertView, extra: Record<string, unknown> = {}) {
  return {
    id: a.id,
    ruleId: a.ruleId,
    ruleVersion: a.ruleVersion,
    subject: a.subject,
    kind: a.kind,
    severity: a.severity,
    state: a.state,
    title: a.title,
    message: a.message,
    station: a.station,
    metric: a.metric,
    reach: a.reach,
    river: a.river,
    adminUnit: a.adminUnit,
    riverChief: a.riverChief,
    evidence: a.evidence,
    openedAt: a.openedAt,
    ...extra,
  };
}
export const attrs = (a: AlertView) => ({ severity: a.severity, station: a.station, metric: a.metric, reach: a.reach, river: a.river, adminUnit: a.adminUnit, riverChief: a.riverChief });

async function lock(tx: Queryable, id: number): Promise<AlertView> {
  const r = await tx.query<Row>(`SELECT ${COLS} FROM alerts WHERE id = $1 FOR UPDATE`, [id]);
  if (!r.rows[0]) throw TwinErrors.ALERT_NOT_FOUND(id);
  return alertView(r.rows[0]);
}

async function openFor(tx: Queryable, ruleId: string, subject: string): Promise<AlertView | null> {
  const r = await tx.query<Row>(`SELECT ${COLS} FROM alerts WHERE rule_id = $1 AND subject = $2 AND state <> 'resolved' FOR UPDATE`, [ruleId, subject]);
  return r.rows[0] ? alertView(r.rows[0]) : null;
}

export async function getAlert(db: Queryable, id: number): Promise<AlertView> {
  const r = await db.query<Row>(`SELECT ${COLS} FROM alerts WHERE id = $1`, [id]);
  if (!r.rows[0]) throw TwinErrors.ALERT_NOT_FOUND(id);
  return alertView(r.rows[0]);
}

export interface AlertQuery {
  state?: AlertState[];
  severity?: Severity[];
  station?: string;
  kind?: string;
  ruleId?: string;
  reach?: string;
  river?: string;
  adminUnit?: string;
  from?: string;
  to?: string;
  beforeId?: number;
  limit: number;
}

export async function listAlerts(db: Queryable, q: AlertQuery): Promise<AlertView[]> {
  const r = await db.query<Row>(
    `SELECT ${COLS} FROM alerts
     WHERE ($1::text[] IS NULL OR state = ANY($1)) AND ($2::text[] IS NULL OR severity = ANY($2)) AND ($3::text IS NULL OR station = $3)
       AND ($4::text IS NULL OR kind = $4) AND ($5::text IS NULL OR rule_id = $5) AND ($6::text IS NULL OR reach = $6)
       AND ($7::text IS NULL OR river = $7) AND ($8::text IS NULL OR admin_unit LIKE $8 || '%')
       AND ($9::timestamptz IS NULL OR opened_at >= $9) AND ($10::timestamptz IS NULL OR opened_at <= $10) AND ($11::bigint IS NULL OR id < $11)
     ORDER BY id DESC LIMIT $12`,
    [q.state ?? null, q.severity ?? null, q.station ?? null, q.kind ?? null, q.ruleId ?? null, q.reach ?? null, q.river ?? null, q.adminUnit ?? null, q.from ?? null, q.to ?? null, q.beforeId ?? null, q.limit],
  );
  return r.rows.map(alertView);
}

/**
 * Open an alert for (rule, subject), or return the one already open (deduplicated): a higher
 * severity escalates it in place. `created` tells which.
 */
export async function openAlert(tx: Queryable, input: OpenAlertInput, actor: Principal): Promise<{ alert: AlertView; created: boolean }> {
  const existing = await openFor(tx, input.ruleId, input.subject);
  if (existing) {
    if (SEVERITY_RANK[input.severity] > SEVERITY_RANK[existing.severity]) {
      return { alert: await escalateAlert(tx, existing, input.severity, input.evidence, actor, input.at), created: false };
    }
    return { alert: existing, created: false };
  }
  const at = (input.at ?? new Date()).toISOString();
  const r = await tx.query<Row>(
    `INSERT INTO alerts (rule_id, rule_version, subject, kind, severity, state, title, message, station, metric, reach, river, admin_unit, river_chief, evidence, opened_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'firing', $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $15) RETURNING ${COLS}`,
    [input.ruleId, input.ruleVersion, input.subject, input.kind, input.severity, input.title, input.message ?? null, input.station ?? null, input.metric ?? null, input.reach ?? null, input.river ?? null, input.adminUnit ?? null, input.riverChief ?? null, JSON.stringify(input.evidence ?? {}), at],
  );
  const alert = alertView(r.rows[0]!);
  await audit(tx, { actor, action: 'alert.open', subjectType: 'alert', subjectId: alert.id, after: alert });
  await publishEvent(tx, { type: 'alert.opened', at: new Date(at), data: eventData(alert), attrs: attrs(alert) });
  return { alert, created: true };
}

async function escalateAlert(tx: Queryable, a: AlertView, severity: Severity, evidence: unknown, actor: Principal, at?: Date, ruleVersion?: number, detail?: Record<string, unknown>): Promise<AlertView> {
  const r = await tx.query<Row>(`UPDATE alerts SET severity = $2, evidence = $3::jsonb, updated_at = $4, rule_version = coalesce($5, rule_version) WHERE id = $1 RETURNING ${COLS}`, [
    a.id,
    severity,
    JSON.stringify(evidence ?? a.evidence),
    (at ?? new Date()).toISOString(),
    ruleVersion ?? null,
  ]);
  const after = alertView(r.rows[0]!);
  const up = SEVERITY_RANK[severity] > SEVERITY_RANK[a.severity];
  await audit(tx, { actor, action: up ? 'alert.escalate' : 'alert.deescalate', subjectType: 'alert', subjectId: a.id, before: { severity: a.severity, evidence: a.evidence }, after: { severity, evidence: after.evidence }, detail });
  if (up) await publishEvent(tx, { type: 'alert.escalated', at, data: eventData(after, { previousSeverity: a.severity, ...detail }), attrs: attrs(after) });
  else {
    // No webhook type for a lowered severity: the live stream shows it.
    await appendStream(tx, [{ topic: 'alert', type: 'alert.deescalated', station: after.station, data: { type: 'alert.deescalated', timestamp: (at ?? new Date()).toISOString(), data: eventData(after, { previousSeverity: a.severity }) } }]);
  }
  return after;
}

/**
 * Change the severity of the open alert of (rule, subject) in place (up: `alert.escalated` webhook;
 * down: audit log and live stream). `ruleVersion`: the rule version whose evaluation changed it.
 * Null when no alert is open for it.
 */
export async function escalate(tx: Queryable, input: { ruleId: string; subject: string; severity: Severity; evidence: unknown; at?: Date; ruleVersion?: number }, actor: Principal): Promise<AlertView | null> {
  const a = await openFor(tx, input.ruleId, input.subject);
  if (!a || a.severity === input.severity) return a;
  return escalateAlert(tx, a, input.severity, input.evidence, actor, input.at, input.ruleVersion);
}

/**
 * Raise an open alert to `severity` (never lowers; e.g. a plan task gone overdue), recording why in
 * the audit detail and the webhook. Null when the alert is resolved or already at least that severe.
 */
export async function raiseSeverity(tx: Queryable, id: number, severity: Severity, actor: Principal, detail: Record<string, unknown>): Promise<AlertView | null> {
  const a = await lock(tx, id);
  if (a.state === 'resolved' || SEVERITY_RANK[severity] <= SEVERITY_RANK[a.severity]) return null;
  return escalateAlert(tx, a, severity, a.evidence, actor, undefined, undefined, detail);
}

/** Resolve the open alert of (rule, subject) because its condition cleared. Null when none is open. */
export async function autoResolve(tx: Queryable, input: { ruleId: string; subject: string; evidence: unknown; at?: Date }, actor: Principal): Promise<AlertView | null> {
  const a = await openFor(tx, input.ruleId, input.subject);
  if (!a) return null;
  return finish(tx, a, actor, 'auto', null, input.at, input.evidence);
}

async function finish(tx: Queryable, a: AlertView, actor: Principal, resolution: 'manual' | 'auto', note: string | null, at?: Date, evidence?: unknown): Promise<AlertView> {
  const r = await tx.query<Row>(
    `UPDATE alerts SET state = 'resolved', resolved_at = $2, resolved_by = $3, resolution = $4, updated_at = $2,
       evidence = CASE WHEN $5::jsonb IS NULL THEN evidence ELSE evidence || jsonb_build_object('cleared', $5::jsonb) END
     WHERE id = $1 RETURNING ${COLS}`,
    [a.id, (at ?? new Date()).toISOString(), actor.actor, resolution, evidence === undefined ? null : JSON.stringify(evidence)],
  );
  const after = alertView(r.rows[0]!);
  await audit(tx, { actor, action: resolution === 'auto' ? 'alert.auto_resolve' : 'alert.resolve', subjectType: 'alert', subjectId: a.id, before: { state: a.state }, after: { state: after.state, resolution }, detail: note ? { note } : undefined });
  await publishEvent(tx, { type: 'alert.resolved', at, data: eventData(after, { actor: actor.actor, comment: note }), attrs: attrs(after) });
  return after;
}

/** firing -> acknowledged. Anything else (a second acknowledge included) is 409 INVALID_TRANSITION. */
export async function acknowledge(tx: Queryable, id: number, actor: Principal, comment?: string): Promise<AlertView> {
  const a = await lock(tx, id);
  if (a.state !== 'firing') throw TwinErrors.INVALID_TRANSITION(`alert ${id}`, a.state, 'acknowledge');
  const r = await tx.query<Row>(`UPDATE alerts SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2, updated_at = now() WHERE id = $1 RETURNING ${COLS}`, [id, actor.actor]);
  const after = alertView(r.rows[0]!);
  if (comment) await addComment(tx, id, actor, comment);
  await audit(tx, { actor, action: 'alert.acknowledge', subjectType: 'alert', subjectId: id, before: { state: a.state }, after: { state: after.state }, detail: comment ? { comment } : undefined });
  await publishEvent(tx, { type: 'alert.acknowledged', data: eventData(after, { actor: actor.actor, comment: comment ?? null }), attrs: attrs(after) });
  return after;
}

/** firing | acknowledged -> dispatched (the response is under way; tasks may be attached). */
export async function dispatch(tx: Queryable, id: number, actor: Principal, comment?: string): Promise<AlertView> {
  const a = await lock(tx, id);
  if (a.state !== 'firing' && a.state !== 'acknowledged') throw TwinErrors.INVALID_TRANSITION(`alert ${id}`, a.state, 'dispatch');
  const r = await tx.query<Row>(
    `UPDATE alerts SET state = 'dispatched', dispatched_at = now(), dispatched_by = $2, updated_at = now(),
       acknowledged_at = coalesce(acknowledged_at, now()), acknowledged_by = coalesce(acknowledged_by, $2) WHERE id = $1 RETURNING ${COLS}`,
    [id, actor.actor],
  );
  const after = alertView(r.rows[0]!);
  if (comment) await addComment(tx, id, actor, comment);
  await audit(tx, { actor, action: 'alert.dispatch', subjectType: 'alert', subjectId: id, before: { state: a.state }, after: { state: after.state }, detail: comment ? { comment } : undefined });
  await publishEvent(tx, { type: 'alert.dispatched', data: eventData(after, { actor: actor.actor, comment: comment ?? null }), attrs: attrs(after) });
  return after;
}

/** Any open state -> resolved (by an operator). Resolving a resolved alert is 409. */
export async function resolve(tx: Queryable, id: number, actor: Principal, note?: string): Promise<AlertView> {
  const a = await lock(tx, id);
  if (a.state === 'resolved') throw TwinErrors.INVALID_TRANSITION(`alert ${id}`, a.state, 'resolve');
  return finish(tx, a, actor, 'manual', note ?? null);
}

export interface AlertComment {
  id: number;
  alertId: number;
  at: string;
  author: string;
  text: string;
}

async function addComment(tx: Queryable, alertId: number, actor: Principal, text: string): Promise<AlertComment> {
  const r = await tx.query<{ id: number; at: Date | string }>('INSERT INTO alert_comments (alert_id, author, text) VALUES ($1, $2, $3) RETURNING id, at', [alertId, actor.actor, text]);
  return { id: Number(r.rows[0]!.id), alertId, at: iso(r.rows[0]!.at)!, author: actor.actor, text };
}

/** A comment on an alert in any state (also resolved: the after-action notes). */
export async function comment(tx: Queryable, id: number, actor: Principal, text: string): Promise<AlertComment> {
  await lock(tx, id);
  const c = await addComment(tx, id, actor, text);
  await audit(tx, { actor, action: 'alert.comment', subjectType: 'alert', subjectId: id, after: c });
  return c;
}

export async function listComments(db: Queryable, alertId: number): Promise<AlertComment[]> {
  const r = await db.query<{ id: number; at: Date | string; author: string; text: string }>('SELECT id, at, author, text FROM alert_comments WHERE alert_id = $1 ORDER BY id', [alertId]);
  return r.rows.map((c) => ({ id: Number(c.id), alertId, at: iso(c.at)!, author: c.author, text: c.text }));
}

/**
 * Publish an alert event for an alert changed by other code in this transaction (e.g. the rule
 * engine's own SQL): the payload is read back from the row, so every alert webhook has one shape.
 */
export async function publishAlertEvent(tx: Queryable, type: 'alert.opened' | 'alert.escalated' | 'alert.acknowledged' | 'alert.dispatched' | 'alert.resolved', id: number, extra: Record<string, unknown> = {}): Promise<void> {
  const a = await getAlert(tx, id);
  await publishEvent(tx, { type, data: eventData(a, extra), attrs: attrs(a) });
}

/**
 * The alerts open at some moment of [from, to] (opened by `to`, not resolved before `from`),
 * newest first, at most `limit`; `truncated` when more overlap the window.
 */
export async function alertsOverlapping(db: Queryable, q: { from: string; to: string; limit: number }): Promise<{ alerts: AlertView[]; truncated: boolean }> {
  const r = await db.query<Row>(
    `SELECT ${COLS} FROM alerts WHERE opened_at <= $2 AND (resolved_at IS NULL OR resolved_at >= $1) ORDER BY id DESC LIMIT $3`,
    [q.from, q.to, q.limit + 1],
  );
  return { alerts: r.rows.slice(0, q.limit).map(alertView), truncated: r.rows.length > q.limit };
}
