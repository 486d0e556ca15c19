import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db, Logger, Queryable } from '@basin/platform';

/**
 * One elected process per deployment (the rule evaluator, the forecast runner, the spill watch): a single-row lease
 * table (`id = 1`, `holder`, `lease_until`; migrations 008, 009 and 012). A process takes or renews the
 * lease when it holds it or it has expired, gives it up on a clean shutdown, and fences every write
 * it makes as the leader by re-checking the lease inside that write's transaction (the row lock
 * orders it against a takeover).
 */
export type LeaseTable = 'rule_evaluator' | 'forecast_runner' | 'spill_watch';

/** Options of an elected worker (the forecast runner, the spill watch). */
export interface LeaseOptions {
  /** Lease time-to-live; renewed every third of it. */
  leaseMs: number;
}

/** This process's name in a lease: host:pid:random. */
export const leaseHolder = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** What an elected worker is given: the database, its log, the parts of the twin it reads, its name in the lease and its options. */
export interface ElectedDeps<Twin, Options extends LeaseOptions> {
  db: Db;
  log: Logger;
  twin: Twin;
  /** This process's name in the lease (host:pid:random). */
  holder: string;
  options?: Partial<Options>;
}

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

/**
 * Holds a lease for as long as the process runs: takes or renews it every third of its time to
 * live, logs when it is won, and calls `onElected` each time this process becomes the leader. The
 * forecast runner and the spill watch campaign this way; the rule evaluator renews its own (its
 * lease row carries the evaluation checkpoint).
 */
export class Election {
  private timer: NodeJS.Timeout | null = null;
  private held = false;

  constructor(private readonly o: { db: Queryable; table: LeaseTable; holder: string; ttlMs: number; log: Logger; onElected?: () => void }) {}

  get leader(): boolean {
    return this.held;
  }

  async start(): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.o.ttlMs / 3)));
    this.timer.unref();
  }

  /** Stops renewing; the lease stays held until `release()` or its expiry. */
  halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Gives the lease up (clean shutdown) so another process takes over at once. */
  async release(): Promise<void> {
    this.halt();
    if (this.held) await releaseLease(this.o.db, this.o.table, this.o.holder).catch(() => undefined);
    this.held = false;
  }

  private async renew(): Promise<void> {
    try {
      const held = (await takeLease(this.o.db, this.o.table, this.o.holder, this.o.ttlMs)) !== undefined;
      const won = held && !this.held;
      this.held = held;
      if (won) {
        this.o.log.info({ holder: this.o.holder, lease: this.o.table }, 'elected');
        this.o.onElected?.();
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message, lease: this.o.table }, 'lease renewal failed');
    }
  }
}
