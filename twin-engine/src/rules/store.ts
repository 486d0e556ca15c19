import type { Db, Queryable } from '@basin/platform';
import { ContingencyPlan, RuleDefinition, StoredRule, type StoredPlan } from '@basin/schemas';
import type { Principal } from '../auth/roles.js';
import { audit } from '../ops/audit.js';
import type { ForecastCrossing, SubjectState } from './types.js';
import { holdsLease as holdsLeaseRow, releaseLease as releaseLeaseRow, takeLease as takeEvaluatorLease } from '../state/lease.js';

/**
 * Versioned storage of rules and plans: every change is a new version (never an update in place),
 * audited in the same transaction. The shipped files seed the store: a file whose content differs
 * from the newest stored version becomes a new version, an unchanged one is left alone.
 */

const SEED_LOCK = 7_311_2011;

type Kind = 'rule' | 'plan';
const TABLE: Record<Kind, string> = { rule: 'rules', plan: 'plans' };

/** JSON with sorted keys: equal definitions compare equal whatever the key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

async function latest(q: Queryable, kind: Kind, id: string): Promise<{ version: number; definition: unknown } | null> {
  const r = await q.query<{ version: number; definition: unknown }>(`SELECT version, definition FROM ${TABLE[kind]} WHERE id = $1 ORDER BY version DESC LIMIT 1`, [id]);
  return r.rows[0] ?? null;
}

/** Stores `def` as the next version of its id, unless it equals the newest one. Returns the version. */
export async function putVersion(tx: Queryable, kind: Kind, def: RuleDefinition | ContingencyPlan, actor: Principal): Promise<{ version: number; changed: boolean }> {
  const prev = await latest(tx, kind, def.id);
  if (prev && canonical(prev.definition) === canonical(def)) return { version: prev.version, changed: false };
  const version = (prev?.version ?? 0) + 1;
  if (kind === 'rule') {
    await tx.query(`INSERT INTO rules (id, version, definition, enabled, created_by) VALUES ($1, $2, $3::jsonb, $4, $5)`, [def.id, version, JSON.stringify(def), (def as RuleDefinition).enabled, actor.actor]);
  } else {
    await tx.query(`INSERT INTO plans (id, version, definition, created_by) VALUES ($1, $2, $3::jsonb, $4)`, [def.id, version, JSON.stringify(def), actor.actor]);
  }
  await audit(tx, { actor, action: `${kind}.${prev ? 'update' : 'create'}`, subjectType: kind, subjectId: def.id, before: prev?.definition, after: { version, ...def } });
  return { version, changed: true };
}

/** Seeds the store from the shipped files (serialised across processes). */
export async function seedDefinitions(db: Db, rules: RuleDefinition[], plans: ContingencyPlan[], actor: Principal): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
    let changed = 0;
    for (const r of rules) if ((await putVersion(tx, 'rule', r, actor)).changed) changed++;
    for (const p of plans) if ((await putVersion(tx, 'plan', p, actor)).changed) changed++;
    return changed;
  });
}

/** The newest version of every rule (disabled ones included; the engine skips them). */
export async function currentRules(q: Queryable): Promise<StoredRule[]> {
  const r = await q.query<{ version: number; definition: unknown }>(
    `SELECT DISTINCT ON (id) version, definition FROM rules ORDER BY id, version DESC`,
  );
  return r.rows.map((x) => StoredRule.parse({ ...(x.definition as object), version: Number(x.version) }));
}

export async function ruleVersions(q: Queryable, id: string): Promise<StoredRule[]> {
  const r = await q.query<{ version: number; definition: unknown }>(`SELECT version, definition FROM rules WHERE id = $1 ORDER BY version`, [id]);
  return r.rows.map((x) => StoredRule.parse({ ...(x.definition as object), version: Number(x.version) }));
}

export async function currentPlansStored(q: Queryable): Promise<StoredPlan[]> {
  const r = await q.query<{ version: number; definition: unknown }>(`SELECT DISTINCT ON (id) version, definition FROM plans ORDER BY id, version DESC`);
  return r.rows.map((x) => ({ version: Number(x.version), plan: ContingencyPlan.parse(x.definition) }));
}

export async function planVersions(q: Queryable, id: string): Promise<StoredPlan[]> {
  const r = await q.query<{ version: number; definition: unknown }>(`SELECT version, definition FROM plans WHERE id = $1 ORDER BY version`, [id]);
  return r.rows.map((x) => ({ version: Number(x.version), plan: ContingencyPlan.parse(x.definition) }));
}

export async function loadRuleState(q: Queryable): Promise<SubjectState[]> {
  const r = await q.query<{ state: SubjectState }>(`SELECT state FROM rule_state`);
  return r.rows.map((x) => ({ ...x.state, lastTs: x.state.lastTs ?? -Infinity }));
}

/** Upserts changed subject states (call in the transaction that stores the events they produced). */
export async function saveRuleState(tx: Queryable, states: SubjectState[]): Promise<void> {
  if (states.length === 0) return;
  const rows = states.map((s) => ({ ...s, lastTs: Number.isFinite(s.lastTs) ? s.lastTs : null }));
  await tx.query(
    `INSERT INTO rule_state (rule_id, subject, state, updated_at)
     SELECT x->>'ruleId', x->>'subject', x, now() FROM jsonb_array_elements($1::jsonb) x
     ON CONFLICT (rule_id, subject) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
    [JSON.stringify(rows)],
  );
}

/**
 * Takes or renews the evaluator lease: succeeds when this process holds it or it has expired.
 * Returns the checkpoint when held, undefined when another process holds it.
 */
export async function takeLease(q: Queryable, holder: string, ttlMs: number): Promise<{ checkpoint: Date | null } | undefined> {
  const row = await takeEvaluatorLease<{ checkpoint: Date | string | null }>(q, 'rule_evaluator', holder, ttlMs, 'checkpoint');
  if (!row) return undefined;
  return { checkpoint: row.checkpoint === null ? null : new Date(row.checkpoint) };
}

/** Gives the lease up (clean shutdown) so another process takes over at once. */
export const releaseLease = (q: Queryable, holder: string) => releaseLeaseRow(q, 'rule_evaluator', holder);

/** Fencing: inside an evaluation transaction, locks the lease row and confirms this process still holds it. */
export const holdsLease = (tx: Queryable, holder: string) => holdsLeaseRow(tx, 'rule_evaluator', holder);

export async function writeCheckpoint(tx: Queryable, at: Date): Promise<void> {
  await tx.query(`UPDATE rule_evaluator SET checkpoint = GREATEST(COALESCE(checkpoint, $1), $1), updated_at = now() WHERE id = 1`, [at.toISOString()]);
}

/** Validates an API body as a rule (zod issues name the field). */
export const parseRule = (body: unknown) => RuleDefinition.safeParse(body);
export const parsePlan = (body: unknown) => ContingencyPlan.safeParse(body);

/**
 * The predicted crossings of the newest stored run of each forecast kind (`forecasts.events`), for
 * a newly elected evaluator. Entries without the crossing fields are skipped.
 */
export async function latestForecastCrossings(q: Queryable): Promise<ForecastCrossing[]> {
  const r = await q.query<{ id: string; issued_at: Date | string; events: unknown }>(
    `SELECT DISTINCT ON (kind) id, issued_at, events FROM forecasts ORDER BY kind, issued_at DESC`,
  );
  const out: ForecastCrossing[] = [];
  for (const row of r.rows) {
    const events = typeof row.events === 'string' ? (JSON.parse(row.events) as unknown) : row.events;
    if (!Array.isArray(events)) continue;
    for (const e of events as Array<Record<string, unknown>>) {
      if (typeof e?.station !== 'string' || typeof e.level !== 'string') continue;
      const crossingAt = typeof e.crossingAt === 'number' ? e.crossingAt : null;
      out.push({
        forecastId: typeof e.forecastId === 'string' ? e.forecastId : row.id,
        station: e.station,
        level: e.level,
        issuedAt: typeof e.issuedAt === 'number' ? e.issuedAt : new Date(row.issued_at).getTime(),
        crossingAt,
        ...(typeof e.value === 'number' ? { value: e.value } : {}),
        ...(typeof e.threshold === 'number' ? { threshold: e.threshold } : {}),
      });
    }
  }
  return out;
}
