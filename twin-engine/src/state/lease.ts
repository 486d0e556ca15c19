import type { Queryable } from '@basin/platform';

/**
 * One elected process per deployment (the rule evaluator, the forecast runner, the spill watch): a single-row lease
 * table (`id = 1`, `holder`, `lease_until`; migrations 008, 009 and 012). A process takes or renews the
 * lease when it holds it or it has expired, gives it up on a clean shutdown, and fences every write
 * it makes as the leader by re-checking the lease inside that write's transaction (the row lock
 * orders it against a takeover).
 */
export type LeaseTable = 'rule_evaluator' | 'forecast_runner' | 'spill_watch';

/** Takes or renews the lease; the row's `returning` columns when held, undefined when another process holds it. */
export async function takeLease<R extends Record<string, unknown> = { holder: string }>(q: Queryable, table: LeaseTable, holder: string, ttlMs: number, returning = 'holder'): Promise<R | undefined> {
  const r = await q.query<R>(
    `UPDATE ${table} SET holder = $1, lease_until = now() + ($2::double precision * interval '1 millisecond'), updated_at = now()
     WHERE id = 1 AND (holder = $1 OR lease_until < now()) RETURNING ${returning}`,
    [holder, ttlMs],
  );
  return r.rows[0];
}

/** Gives the lease up (clean shutdown) so another process takes over at once. */
export async function releaseLease(q: Queryable, table: LeaseTable, holder: string): Promise<void> {
  await q.query(`UPDATE ${table} SET lease_until = '-infinity', updated_at = now() WHERE id = 1 AND holder = $1`, [holder]);
}

/** Fencing: inside the leader's transaction, locks the lease row and confirms this process still holds it. */
export async function holdsLease(tx: Queryable, table: LeaseTable, holder: string): Promise<boolean> {
  const r = await tx.query<{ ok: boolean }>(`SELECT (holder = $1 AND lease_until > now()) AS ok FROM ${table} WHERE id = 1 FOR UPDATE`, [holder]);
  return r.rows[0]?.ok === true;
}
