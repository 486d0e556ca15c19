import type { Queryable } from '@basin/platform';
import type { Principal } from '../auth/roles.js';

/** One audit record: who did what to which subject, with the state before and after. */
export interface AuditEntry {
  actor: Principal;
  action: string;
  subjectType: string;
  subjectId: string | number | null;
  before?: unknown;
  after?: unknown;
  detail?: unknown;
}

/** Append to the audit log; call inside the transaction of the change it records. */
export async function audit(tx: Queryable, e: AuditEntry): Promise<void> {
  const j = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  await tx.query(
    `INSERT INTO audit_log (actor, role, action, subject_type, subject_id, before, after, detail) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb)`,
    [e.actor.actor, e.actor.role, e.action, e.subjectType, e.subjectId === null ? null : String(e.subjectId), j(e.before), j(e.after), j(e.detail)],
  );
}

type AuditRow = { id: number; at: Date | string; actor: string; role: string | null; action: string; subject_type: string; subject_id: string | null; before: unknown; after: unknown; detail: unknown };

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  role: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  before: unknown;
  after: unknown;
  detail: unknown;
}

export async function readAudit(
  db: Queryable,
  q: { subjectType?: string; subjectId?: string; actor?: string; action?: string; beforeId?: number; limit: number },
): Promise<AuditRecord[]> {
  const r = await db.query<AuditRow>(
    `SELECT id, at, actor, role, action, subject_type, subject_id, before, after, detail FROM audit_log
     WHERE ($1::text IS NULL OR subject_type = $1) AND ($2::text IS NULL OR subject_id = $2) AND ($3::text IS NULL OR actor = $3)
       AND ($4::text IS NULL OR action = $4) AND ($5::bigint IS NULL OR id < $5)
     ORDER BY id DESC LIMIT $6`,
    [q.subjectType ?? null, q.subjectId ?? null, q.actor ?? null, q.action ?? null, q.beforeId ?? null, q.limit],
  );
  return r.rows.map(record);
}

function record(x: AuditRow): AuditRecord {
  return {
    id: Number(x.id),
    at: new Date(x.at).toISOString(),
    actor: x.actor,
    role: x.role,
    action: x.action,
    subjectType: x.subject_type,
    subjectId: x.subject_id,
    before: x.before,
    after: x.after,
    detail: x.detail,
  };
}

/** The audit records of these subjects up to `to`, oldest first (a replay's transitions), at most `limit`. */
export async function readAuditOf(db: Queryable, q: { subjectType: string; subjectIds: readonly string[]; to: string; limit: number }): Promise<AuditRecord[]> {
  if (q.subjectIds.length === 0) return [];
  const r = await db.query<AuditRow>(
    `SELECT id, at, actor, role, action, subject_type, subject_id, before, after, detail FROM audit_log
     WHERE subject_type = $1 AND subject_id = ANY($2::text[]) AND at <= $3 ORDER BY id LIMIT $4`,
    [q.subjectType, q.subjectIds, q.to, q.limit],
  );
  return r.rows.map(record);
}
