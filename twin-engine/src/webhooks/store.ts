import type { WebhookFilters, WebhookEventType } from '@basin/schemas';
import type { Queryable } from '@basin/platform';
import type { Principal } from '../auth/roles.js';
import { TwinErrors } from '../errors.js';
import { audit } from '../ops/audit.js';
import { newSecret } from './signing.js';

/** Webhook subscriptions, their deliveries and attempts (the delivery log), and manual redelivery. */
export interface SubscriptionView {
  id: number;
  name: string;
  url: string;
  eventTypes: WebhookEventType[];
  filters: WebhookFilters;
  maxConcurrency: number;
  enabled: boolean;
  disabledReason: string | null;
  /** How many secrets are valid (2 during a rotation); the secrets themselves are shown only when made. */
  secrets: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

const COLS = 'id, name, url, event_types, filters, max_concurrency, enabled, disabled_reason, cardinality(secrets) AS secrets, created_at, created_by, updated_at';
type Row = Record<string, unknown>;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const view = (r: Row): SubscriptionView => ({
  id: Number(r.id),
  name: r.name as string,
  url: r.url as string,
  eventTypes: r.event_types as WebhookEventType[],
  filters: r.filters as WebhookFilters,
  maxConcurrency: Number(r.max_concurrency),
  enabled: r.enabled as boolean,
  disabledReason: (r.disabled_reason as string | null) ?? null,
  secrets: Number(r.secrets),
  createdAt: iso(r.created_at)!,
  createdBy: r.created_by as string,
  updatedAt: iso(r.updated_at)!,
});

export interface SubscriptionInput {
  name: string;
  url: string;
  eventTypes: WebhookEventType[];
  filters?: WebhookFilters;
  maxConcurrency?: number;
}

export async function createSubscription(tx: Queryable, input: SubscriptionInput, actor: Principal): Promise<{ subscription: SubscriptionView; secret: string }> {
  const secret = newSecret();
  const r = await tx.query<Row>(
    `INSERT INTO webhook_subscriptions (name, url, secrets, event_types, filters, max_concurrency, created_by) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) RETURNING ${COLS}`,
    [input.name, input.url, [secret], input.eventTypes, JSON.stringify(input.filters ?? {}), input.maxConcurrency ?? 4, actor.actor],
  );
  const subscription = view(r.rows[0]!);
  await audit(tx, { actor, action: 'webhook.create', subjectType: 'webhook', subjectId: subscription.id, after: subscription });
  return { subscription, secret };
}

export async function getSubscription(db: Queryable, id: number): Promise<SubscriptionView> {
  const r = await db.query<Row>(`SELECT ${COLS} FROM webhook_subscriptions WHERE id = $1`, [id]);
  if (!r.rows[0]) throw TwinErrors.SUBSCRIPTION_NOT_FOUND(id);
  return view(r.rows[0]);
}

export async function listSubscriptions(db: Queryable): Promise<SubscriptionView[]> {
  return (await db.query<Row>(`SELECT ${COLS} FROM webhook_subscriptions ORDER BY id`)).rows.map(view);
}

export async function updateSubscription(tx: Queryable, id: number, patch: Partial<SubscriptionInput> & { enabled?: boolean }, actor: Principal): Promise<SubscriptionView> {
  const before = await getSubscription(tx, id);
  const r = await tx.query<Row>(
    `UPDATE webhook_subscriptions SET name = coalesce($2, name), url = coalesce($3, url), event_types = coalesce($4, event_types),
       filters = coalesce($5::jsonb, filters), max_concurrency = coalesce($6, max_concurrency), enabled = coalesce($7, enabled),
       disabled_reason = CASE WHEN $7 IS TRUE THEN NULL WHEN $7 IS FALSE THEN 'disabled by ' || $8 ELSE disabled_reason END, updated_at = now()
     WHERE id = $1 RETURNING ${COLS}`,
    [id, patch.name ?? null, patch.url ?? null, patch.eventTypes ?? null, patch.filters ? JSON.stringify(patch.filters) : null, patch.maxConcurrency ?? null, patch.enabled ?? null, actor.actor],
  );
  const after = view(r.rows[0]!);
  await audit(tx, { actor, action: 'webhook.update', subjectType: 'webhook', subjectId: id, before, after });
  return after;
}

export async function deleteSubscription(tx: Queryable, id: number, actor: Principal): Promise<void> {
  const before = await getSubscription(tx, id);
  await tx.query('DELETE FROM webhook_subscriptions WHERE id = $1', [id]);
  await audit(tx, { actor, action: 'webhook.delete', subjectType: 'webhook', subjectId: id, before });
}

/**
 * Rotate the signing secret: a new secret signs first, the previous one keeps signing until
 * `finishRotation` (receivers switch in between). Returns the new secret (shown once).
 */
export async function rotateSecret(tx: Queryable, id: number, actor: Principal): Promise<{ subscription: SubscriptionView; secret: string }> {
  await getSubscription(tx, id);
  const secret = newSecret();
  const r = await tx.query<Row>(`UPDATE webhook_subscriptions SET secrets = ARRAY[$2, secrets[1]], updated_at = now() WHERE id = $1 RETURNING ${COLS}`, [id, secret]);
  const subscription = view(r.rows[0]!);
  await audit(tx, { actor, action: 'webhook.rotate_secret', subjectType: 'webhook', subjectId: id, after: { secrets: subscription.secrets } });
  return { subscription, secret };
}

export async function finishRotation(tx: Queryable, id: number, actor: Principal): Promise<SubscriptionView> {
  await getSubscription(tx, id);
  const r = await tx.query<Row>(`UPDATE webhook_subscriptions SET secrets = secrets[1:1], updated_at = now() WHERE id = $1 RETURNING ${COLS}`, [id]);
  const subscription = view(r.rows[0]!);
  await audit(tx, { actor, action: 'webhook.finish_rotation', subjectType: 'webhook', subjectId: id, after: { secrets: subscription.secrets } });
  return subscription;
}

export interface DeliveryView {
  id: number;
  messageId: string;
  eventType: string;
  subscriptionId: number;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

export interface AttemptView {
  attempt: number;
  at: string;
  status: number | null;
  latencyMs: number;
  error: string | null;
  responseSnippet: string | null;
  dispatcher: string;
}

const DCOLS = `d.id, d.event_id, e.type, d.subscription_id, d.state, d.attempts, d.next_attempt_at, d.created_at, d.delivered_at, d.last_status, d.last_error`;
const dview = (r: Row): DeliveryView => ({
  id: Number(r.id),
  messageId: r.event_id as string,
  eventType: r.type as string,
  subscriptionId: Number(r.subscription_id),
  state: r.state as DeliveryView['state'],
  attempts: Number(r.attempts),
  nextAttemptAt: r.state === 'pending' ? iso(r.next_attempt_at) : null,
  createdAt: iso(r.created_at)!,
  deliveredAt: iso(r.delivered_at),
  lastStatus: r.last_status === null ? null : Number(r.last_status),
  lastError: (r.last_error as string | null) ?? null,
});

export async function listDeliveries(db: Queryable, q: { subscriptionId: number; state?: string; beforeId?: number; limit: number }): Promise<DeliveryView[]> {
  const r = await db.query<Row>(
    `SELECT ${DCOLS} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
     WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.state = $2) AND ($3::bigint IS NULL OR d.id < $3) ORDER BY d.id DESC LIMIT $4`,
    [q.subscriptionId, q.state ?? null, q.beforeId ?? null, q.limit],
  );
  return r.rows.map(dview);
}

export async function getDelivery(db: Queryable, subscriptionId: number, id: number): Promise<DeliveryView & { attemptLog: AttemptView[]; payload: unknown }> {
  const r = await db.query<Row>(`SELECT ${DCOLS}, e.payload FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.id = $1 AND d.subscription_id = $2`, [id, subscriptionId]);
  if (!r.rows[0]) throw TwinErrors.DELIVERY_NOT_FOUND(id);
  const a = await db.query<Row>('SELECT attempt, at, status, latency_ms, error, response_snippet, dispatcher FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id', [id]);
  return {
    ...dview(r.rows[0]),
    payload: r.rows[0].payload,
    attemptLog: a.rows.map((x) => ({
      attempt: Number(x.attempt),
      at: iso(x.at)!,
      status: x.status === null ? null : Number(x.status),
      latencyMs: Number(x.latency_ms),
      error: (x.error as string | null) ?? null,
      responseSnippet: (x.response_snippet as string | null) ?? null,
      dispatcher: x.dispatcher as string,
    })),
  };
}

/** Manual redelivery: a new pending delivery of the same message (same webhook-id), due now. */
export async function redeliver(tx: Queryable, subscriptionId: number, deliveryId: number, actor: Principal): Promise<DeliveryView> {
  // (returns the new delivery without its attempt log)
  const d = await getDelivery(tx, subscriptionId, deliveryId);
  const r = await tx.query<{ id: number }>('INSERT INTO webhook_deliveries (event_id, subscription_id, next_attempt_at) VALUES ($1, $2, now()) RETURNING id', [d.messageId, subscriptionId]);
  const { attemptLog: _a, payload: _p, ...created } = await getDelivery(tx, subscriptionId, Number(r.rows[0]!.id));
  await audit(tx, { actor, action: 'webhook.redeliver', subjectType: 'webhook', subjectId: subscriptionId, detail: { from: deliveryId, delivery: created.id, messageId: d.messageId } });
  return created;
}
