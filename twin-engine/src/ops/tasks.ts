import type { Queryable } from '@basin/platform';
import type { Principal } from '../auth/roles.js';
import { TwinErrors } from '../errors.js';
import { audit } from './audit.js';
import { publishEvent } from './events.js';

/**
 * Dispatch tasks: open -> accepted -> done; open | accepted -> overdue past the deadline
 * (`markOverdue`, called by the escalation timer); any open state -> cancelled. Created by plans
 * (the 预案 engine calls `createTask` in the transaction that opened the alert) or by operators.
 */
export type TaskState = 'open' | 'accepted' | 'done' | 'overdue' | 'cancelled';

export interface TaskView {
  id: number;
  alertId: number | null;
  planId: string | null;
  planVersion: number | null;
  team: string;
  action: string;
  location: string | null;
  station: string | null;
  deadline: string | null;
  state: TaskState;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  acceptedBy: string | null;
  doneAt: string | null;
  doneBy: string | null;
  note: string | null;
}

export interface TaskInput {
  alertId?: number | null;
  planId?: string | null;
  planVersion?: number | null;
  team: string;
  action: string;
  location?: string | null;
  station?: string | null;
  deadline?: Date | string | null;
}

const COLS = 'id, alert_id, plan_id, plan_version, team, action, location, station, deadline, state, created_at, created_by, updated_at, accepted_by, done_at, done_by, note';
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
type Row = Record<string, unknown>;
const view = (r: Row): TaskView => ({
  id: Number(r.id),
  alertId: r.alert_id === null ? null : Number(r.alert_id),
  planId: (r.plan_id as string | null) ?? null,
  planVersion: r.plan_version === null ? null : Number(r.plan_version),
  team: r.team as string,
  action: r.action as string,
  location: (r.location as string | null) ?? null,
  station: (r.station as string | null) ?? null,
  deadline: iso(r.deadline),
  state: r.state as TaskState,
  createdAt: iso(r.created_at)!,
  createdBy: r.created_by as string,
  updatedAt: iso(r.updated_at)!,
  acceptedBy: (r.accepted_by as string | null) ?? null,
  doneAt: iso(r.done_at),
  doneBy: (r.done_by as string | null) ?? null,
  note: (r.note as string | null) ?? null,
});
const data = (t: TaskView) => ({ id: t.id, alertId: t.alertId, planId: t.planId, team: t.team, action: t.action, location: t.location, station: t.station, deadline: t.deadline, state: t.state });

async function alertAttrs(tx: Queryable, t: TaskView) {
  if (t.alertId === null) return { station: t.station };
  const r = await tx.query<{ severity: string; station: string | null; reach: string | null; river: string | null; admin_unit: string | null; river_chief: string | null; metric: string | null }>(
    'SELECT severity, station, reach, river, admin_unit, river_chief, metric FROM alerts WHERE id = $1',
    [t.alertId],
  );
  const a = r.rows[0];
  return a
    ? { severity: a.severity as 'yellow', station: t.station ?? a.station, metric: a.metric, reach: a.reach, river: a.river, adminUnit: a.admin_unit, riverChief: a.river_chief }
    : { station: t.station };
}

async function lock(tx: Queryable, id: number): Promise<TaskView> {
  const r = await tx.query<Row>(`SELECT ${COLS} FROM tasks WHERE id = $1 FOR UPDATE`, [id]);
  if (!r.rows[0]) throw TwinErrors.TASK_NOT_FOUND(id);
  return view(r.rows[0]);
}

export async function createTask(tx: Queryable, input: TaskInput, actor: Principal): Promise<TaskView> {
  if (input.alertId != null) {
    const a = await tx.query('SELECT 1 FROM alerts WHERE id = $1', [input.alertId]);
    if (!a.rows.length) throw TwinErrors.ALERT_NOT_FOUND(input.alertId);
  }
  const r = await tx.query<Row>(
    `INSERT INTO tasks (alert_id, plan_id, plan_version, team, action, location, station, deadline, state, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9) RETURNING ${COLS}`,
    [input.alertId ?? null, input.planId ?? null, input.planVersion ?? null, input.team, input.action, input.location ?? null, input.station ?? null, input.deadline ? new Date(input.deadline).toISOString() : null, actor.actor],
  );
  const t = view(r.rows[0]!);
  await audit(tx, { actor, action: 'task.create', subjectType: 'task', subjectId: t.id, after: t });
  await publishEvent(tx, { type: 'task.created', data: data(t), attrs: await alertAttrs(tx, t) });
  return t;
}

/**
 * A task created by a contingency plan, once per `planTaskKey` (`<alert>/<plan>/<task>/<occurrence>`):
 * null when it exists already. Audited and published like `createTask`.
 */
export async function createPlanTask(tx: Queryable, input: TaskInput & { planTaskKey: string; createdAt: Date }, actor: Principal, audited: Record<string, unknown> = {}): Promise<TaskView | null> {
  const r = await tx.query<Row>(
    `INSERT INTO tasks (alert_id, plan_id, plan_version, team, action, location, station, deadline, state, created_at, created_by, plan_task_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11) ON CONFLICT (plan_task_key) WHERE plan_task_key IS NOT NULL DO NOTHING RETURNING ${COLS}`,
    [input.alertId ?? null, input.planId ?? null, input.planVersion ?? null, input.team, input.action, input.location ?? null, input.station ?? null,
      input.deadline ? new Date(input.deadline).toISOString() : null, input.createdAt.toISOString(), actor.actor, input.planTaskKey],
  );
  if (!r.rows[0]) return null;
  const t = view(r.rows[0]);
  await audit(tx, { actor, action: 'task.create', subjectType: 'task', subjectId: t.id, after: { ...t, ...audited } });
  await publishEvent(tx, { type: 'task.created', data: data(t), attrs: await alertAttrs(tx, t) });
  return t;
}

const ALLOWED: Record<'accept' | 'done' | 'overdue' | 'cancel', TaskState[]> = {
  accept: ['open', 'overdue'],
  done: ['open', 'accepted', 'overdue'],
  overdue: ['open', 'accepted'],
  cancel: ['open', 'accepted', 'overdue'],
};
const TARGET = { accept: 'accepted', done: 'done', overdue: 'overdue', cancel: 'cancelled' } as const;

/** Move a task: accept / done / overdue / cancel; a move not allowed from its state is 409. */
export async function moveTask(tx: Queryable, id: number, action: keyof typeof ALLOWED, actor: Principal, note?: string): Promise<TaskView> {
  const t = await lock(tx, id);
  if (!ALLOWED[action].includes(t.state)) throw TwinErrors.INVALID_TRANSITION(`task ${id}`, t.state, action);
  const r = await tx.query<Row>(
    `UPDATE tasks SET state = $2, updated_at = now(), note = coalesce($4, note),
       accepted_by = CASE WHEN $2 = 'accepted' THEN $3 ELSE accepted_by END,
       done_at = CASE WHEN $2 = 'done' THEN now() ELSE done_at END, done_by = CASE WHEN $2 = 'done' THEN $3 ELSE done_by END
     WHERE id = $1 RETURNING ${COLS}`,
    [id, TARGET[action], actor.actor, note ?? null],
  );
  const after = view(r.rows[0]!);
  await audit(tx, { actor, action: `task.${action}`, subjectType: 'task', subjectId: id, before: { state: t.state }, after: { state: after.state }, detail: note ? { note } : undefined });
  if (action === 'overdue' || action === 'done') await publishEvent(tx, { type: action === 'overdue' ? 'task.overdue' : 'task.done', data: data(after), attrs: await alertAttrs(tx, after) });
  return after;
}

/** Mark every open or accepted task past its deadline overdue; returns them (the escalation timer's sweep). */
export async function markOverdue(tx: Queryable, now: Date, actor: Principal): Promise<TaskView[]> {
  const due = await tx.query<{ id: number }>(`SELECT id FROM tasks WHERE state IN ('open', 'accepted') AND deadline < $1 ORDER BY id FOR UPDATE SKIP LOCKED`, [now.toISOString()]);
  const out: TaskView[] = [];
  for (const { id } of due.rows) out.push(await moveTask(tx, Number(id), 'overdue', actor));
  return out;
}

export async function getTask(db: Queryable, id: number): Promise<TaskView> {
  const r = await db.query<Row>(`SELECT ${COLS} FROM tasks WHERE id = $1`, [id]);
  if (!r.rows[0]) throw TwinErrors.TASK_NOT_FOUND(id);
  return view(r.rows[0]);
}

export async function listTasks(db: Queryable, q: { state?: TaskState[]; alertId?: number; team?: string; beforeId?: number; limit: number }): Promise<TaskView[]> {
  const r = await db.query<Row>(
    `SELECT ${COLS} FROM tasks WHERE ($1::text[] IS NULL OR state = ANY($1)) AND ($2::bigint IS NULL OR alert_id = $2) AND ($3::text IS NULL OR team = $3)
       AND ($4::bigint IS NULL OR id < $4) ORDER BY id DESC LIMIT $5`,
    [q.state ?? null, q.alertId ?? null, q.team ?? null, q.beforeId ?? null, q.limit],
  );
  return r.rows.map(view);
}

/** Publish a task event for a task written by other code in this transaction (plans' own SQL). */
export async function publishTaskEvent(tx: Queryable, type: 'task.created' | 'task.overdue' | 'task.done', id: number): Promise<void> {
  const t = await getTask(tx, id);
  await publishEvent(tx, { type, data: data(t), attrs: await alertAttrs(tx, t) });
}
