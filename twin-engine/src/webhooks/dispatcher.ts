import { hostname } from 'node:os';
import type { Db, Logger, Queryable } from '@basin/platform';
import { systemPrincipal } from '../auth/roles.js';
import { audit } from '../ops/audit.js';
import { AddressPolicy } from './address-policy.js';
import { nextStep } from './schedule.js';
import { send, type SendLimits, type SendResult } from './sender.js';
import { signedHeaders } from './signing.js';

export interface DispatcherOptions extends SendLimits {
  allowCidrs: readonly string[];
  pollMs: number;
  /** Seconds a claimed delivery belongs to this dispatcher; after that another may retry it. */
  leaseS: number;
  maxAgeH: number;
  /** Deliveries claimed per round. */
  batch?: number;
  /** Dispatcher name in the delivery log. */
  name?: string;
  now?: () => number;
  rand?: () => number;
  /** First retry wait (tests shorten it); default 5 s. */
  baseMs?: number;
}

interface Claimed {
  id: number;
  attempts: number;
  created_at: Date | string;
  event_id: string;
  payload: unknown;
  url: string;
  secrets: string[];
  subscription_id: number;
}

/**
 * Delivers the webhook outbox. Safe with several twin-engine processes: deliveries are claimed in a
 * short transaction (`FOR UPDATE SKIP LOCKED`, the subscription rows locked to count what is in
 * flight, so the per-endpoint concurrency limit holds across processes) and leased for `leaseS`; a
 * dispatcher that dies mid-attempt (even after the endpoint answered 2xx) leaves the lease to
 * expire and the delivery is sent again with the same `webhook-id` — at least once, receivers
 * deduplicate on the id. Results are recorded only while the lease is still held (attempt count
 * unchanged).
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly policy: AddressPolicy;
  readonly name: string;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly o: DispatcherOptions,
  ) {
    this.policy = new AddressPolicy(o.allowCidrs);
    this.name = o.name ?? `${hostname()}:${process.pid}`;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.round().finally(() => !this.stopped && tick());
      }, this.o.pollMs);
    };
    tick();
  }

  /** Look for due deliveries now (after this process published an event). */
  nudge(): void {
    if (!this.stopped) void this.round();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inflight]);
  }

  /** One claim-and-send round; returns how many deliveries were claimed. */
  async round(): Promise<number> {
    if (this.running) {
      this.again = true;
      return 0;
    }
    this.running = true;
    let n = 0;
    try {
      do {
        this.again = false;
        const claimed = await this.claim();
        n += claimed.length;
        for (const c of claimed) {
          const p = this.deliver(c).catch((e: unknown) => this.log.warn({ err: (e as Error).message, delivery: c.id }, 'webhook delivery bookkeeping failed'));
          this.inflight.add(p);
          void p.finally(() => {
            this.inflight.delete(p);
            if (!this.stopped) this.nudge();
          });
        }
      } while (this.again && !this.stopped);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'webhook claim failed');
    } finally {
      this.running = false;
    }
    return n;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  private async claim(): Promise<Claimed[]> {
    const now = new Date(this.now()).toISOString();
    return this.db.transaction(async (tx) => {
      const due = await tx.query<{ id: number; subscription_id: number }>(
        `SELECT d.id, d.subscription_id FROM webhook_deliveries d
         WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1)
         ORDER BY d.next_attempt_at, d.id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, this.o.batch ?? 100],
      );
      if (!due.rows.length) return [];
      const subIds = [...new Set(due.rows.map((r) => Number(r.subscription_id)))];
      // Lock the subscriptions first, then count their deliveries in flight in a second statement:
      // under READ COMMITTED a statement that waited for another dispatcher's lock still counts with
      // the snapshot it started with, so one statement would miss the leases that dispatcher just
      // committed and claim past max_concurrency (seen in CI: 3 in flight with a limit of 2).
      await tx.query(`SELECT id FROM webhook_subscriptions WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [subIds]);
      const subs = await tx.query<{ id: number; enabled: boolean; max_concurrency: number; busy: number }>(
        `SELECT s.id, s.enabled, s.max_concurrency,
                (SELECT count(*)::int FROM webhook_deliveries b WHERE b.subscription_id = s.id AND b.state = 'pending' AND b.lease_until > $2) AS busy
         FROM webhook_subscriptions s WHERE s.id = ANY($1::bigint[]) ORDER BY s.id`,
        [subIds, now],
      );
      const room = new Map(subs.rows.map((s) => [Number(s.id), s.enabled ? Math.max(0, s.max_concurrency - s.busy) : 0]));
      const take: number[] = [];
      for (const r of due.rows) {
        const left = room.get(Number(r.subscription_id)) ?? 0;
        if (left > 0) {
          take.push(Number(r.id));
          room.set(Number(r.subscription_id), left - 1);
        }
      }
      if (!take.length) return [];
      const lease = new Date(this.now() + this.o.leaseS * 1000).toISOString();
      const r = await tx.query<Claimed>(
        `UPDATE webhook_deliveries d SET lease_until = $2, attempts = d.attempts + 1
         FROM webhook_events e, webhook_subscriptions s
         WHERE d.id = ANY($1::bigint[]) AND e.id = d.event_id AND s.id = d.subscription_id
         RETURNING d.id, d.attempts, d.created_at, d.event_id, e.payload, s.url, s.secrets, d.subscription_id`,
        [take, lease],
      );
      return r.rows;
    });
  }

  private async deliver(c: Claimed): Promise<void> {
    const body = JSON.stringify(c.payload);
    const headers = signedHeaders(c.secrets, c.event_id, new Date(this.now()), body);
    const res = await send(c.url, body, headers, this.policy, this.o);
    await this.record(c, res);
  }

  private async record(c: Claimed, res: SendResult): Promise<void> {
    const now = this.now();
    const step = nextStep({
      status: res.status,
      retryAfter: res.retryAfter,
      failedAttempts: c.attempts,
      firstAttemptAt: new Date(c.created_at).getTime(),
      now,
      maxAgeMs: this.o.maxAgeH * 3_600_000,
      rand: this.o.rand,
      baseMs: this.o.baseMs,
    });
    const error = res.status !== null && res.status >= 200 && res.status < 300 ? null : res.error ?? (res.status !== null && (res.status < 200 || res.status >= 300) ? `HTTP ${res.status}` : null);
    await this.db.transaction(async (tx) => {
      await tx.query(
        'INSERT INTO webhook_attempts (delivery_id, attempt, at, status, latency_ms, error, response_snippet, dispatcher) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [c.id, c.attempts, new Date(now).toISOString(), res.status, res.latencyMs, error, res.snippet, this.name],
      );
      const mine = `id = $1 AND attempts = $2 AND state = 'pending'`;
      if (step.kind === 'delivered') {
        await tx.query(`UPDATE webhook_deliveries SET state = 'delivered', delivered_at = $3, lease_until = NULL, last_status = $4, last_error = NULL WHERE ${mine}`, [c.id, c.attempts, new Date(now).toISOString(), res.status]);
      } else if (step.kind === 'retry') {
        await tx.query(`UPDATE webhook_deliveries SET next_attempt_at = $3, lease_until = NULL, last_status = $4, last_error = $5 WHERE ${mine}`, [c.id, c.attempts, new Date(step.atMs).toISOString(), res.status, error]);
      } else {
        await tx.query(`UPDATE webhook_deliveries SET state = 'failed', lease_until = NULL, last_status = $3, last_error = $4 WHERE ${mine}`, [c.id, c.attempts, res.status, step.kind === 'gone' ? 'HTTP 410: endpoint gone, subscription disabled' : `given up: ${error}`]);
        if (step.kind === 'gone') await this.disable(tx, c.subscription_id);
      }
    });
  }

  private async disable(tx: Queryable, id: number): Promise<void> {
    const r = await tx.query(`UPDATE webhook_subscriptions SET enabled = false, disabled_reason = 'endpoint answered 410 Gone', updated_at = now() WHERE id = $1 AND enabled`, [id]);
    if (r.rowCount) {
      await audit(tx, { actor: systemPrincipal('webhooks'), action: 'webhook.disable', subjectType: 'webhook', subjectId: id, before: { enabled: true }, after: { enabled: false }, detail: { reason: '410 Gone' } });
      this.log.warn({ subscription: id }, 'webhook endpoint answered 410 Gone: subscription disabled');
    }
  }
}
