import { randomUUID } from 'node:crypto';
import type { EventAttributes, WebhookEventType, WebhookFilters } from '@basin/schemas';
import type { Queryable } from '@basin/platform';
import { matchesFilters } from '../webhooks/filters.js';

/** Live-stream topics a client can filter on. */
export const STREAM_TOPICS = ['state', 'reading', 'alert', 'task', 'station', 'forecast'] as const;
export type StreamTopic = (typeof STREAM_TOPICS)[number];

/** Serialises stream-event ids in commit order (see migration 007). */
const STREAM_LOCK = 7_007_0001;

export interface StreamEventInput {
  topic: StreamTopic;
  type: string;
  station?: string | null;
  /** Makes the event idempotent (e.g. sampled readings appended by several processes). */
  dedupKey?: string;
  data: unknown;
}

/**
 * Append events to the live stream inside the caller's transaction. Ids are taken under a
 * transaction-scoped advisory lock, so they become visible in id order: a reader at cursor N never
 * later sees a smaller id appear. Returns the ids written (dedup hits write nothing).
 */
export async function appendStream(tx: Queryable, events: readonly StreamEventInput[]): Promise<number[]> {
  if (!events.length) return [];
  await tx.query('SELECT pg_advisory_xact_lock($1)', [STREAM_LOCK]);
  const r = await tx.query<{ id: number }>(
    `INSERT INTO stream_events (id, topic, type, station, dedup_key, data)
     SELECT nextval('stream_events_id_seq'), e->>'topic', e->>'type', e->>'station', e->>'dedupKey', e->'data'
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n
     ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
    [JSON.stringify(events.map((e) => ({ ...e, station: e.station ?? null, dedupKey: e.dedupKey ?? null })))],
  );
  return r.rows.map((x) => Number(x.id));
}

export interface DomainEvent {
  type: WebhookEventType;
  /** Event time (defaults to now). */
  at?: Date;
  data: Record<string, unknown>;
  attrs: EventAttributes;
}

/**
 * Record a domain event in the caller's transaction: on the live stream (topic from the type's
 * prefix) and in the webhook outbox, with one pending delivery per matching enabled subscription.
 * Returns the webhook message id (the `webhook-id` of every delivery and retry).
 */
export async function publishEvent(tx: Queryable, ev: DomainEvent): Promise<{ messageId: string; deliveries: number }> {
  const at = (ev.at ?? new Date()).toISOString();
  const messageId = `msg_${randomUUID().replace(/-/g, '')}`;
  const payload = { type: ev.type, timestamp: at, data: ev.data };
  const prefix = ev.type.split('.')[0] as StreamTopic;
  await appendStream(tx, [{ topic: STREAM_TOPICS.includes(prefix) ? prefix : 'state', type: ev.type, station: ev.attrs.station ?? null, data: payload }]);
  await tx.query('INSERT INTO webhook_events (id, type, created_at, payload) VALUES ($1, $2, $3, $4::jsonb)', [messageId, ev.type, at, JSON.stringify(payload)]);
  const subs = await tx.query<{ id: number; filters: WebhookFilters }>('SELECT id, filters FROM webhook_subscriptions WHERE enabled AND $1 = ANY(event_types)', [ev.type]);
  const ids = subs.rows.filter((s) => matchesFilters(s.filters, ev.attrs)).map((s) => Number(s.id));
  if (ids.length) {
    await tx.query('INSERT INTO webhook_deliveries (event_id, subscription_id, next_attempt_at) SELECT $1, unnest($2::bigint[]), now()', [messageId, ids]);
  }
  return { messageId, deliveries: ids.length };
}
