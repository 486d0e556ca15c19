import { z } from 'zod';
import { Severity } from './domain.js';
import { Alert, Task } from './ops.js';

/**
 * Webhook events (Standard Webhooks: https://www.standardwebhooks.com). Every delivery body is
 * `{type, timestamp, data}`; headers `webhook-id` (the same on every retry), `webhook-timestamp`,
 * `webhook-signature` (v1, HMAC-SHA256 with the subscription's whsec_ secret).
 */
export const WEBHOOK_EVENT_TYPES = [
  'alert.opened',
  'alert.escalated',
  'alert.acknowledged',
  'alert.dispatched',
  'alert.resolved',
  'task.created',
  'task.overdue',
  'task.done',
  'forecast.crossing',
  'station.offline',
  'station.online',
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** Where and what an event is about: what subscription filters match on. */
export const EventAttributes = z.object({
  severity: Severity.nullable().optional(),
  station: z.string().nullable().optional(),
  metric: z.string().nullable().optional(),
  reach: z.string().nullable().optional(),
  river: z.string().nullable().optional(),
  adminUnit: z.string().nullable().optional(),
  riverChief: z.string().nullable().optional(),
});
export type EventAttributes = z.infer<typeof EventAttributes>;

/** Subscription filters: every field given must match (any of its values); absent fields match all. */
export const WebhookFilters = z
  .object({
    severities: z.array(Severity).min(1).optional().describe('any of these severities'),
    minSeverity: Severity.optional().describe('this severity or worse'),
    stations: z.array(z.string()).min(1).optional(),
    metrics: z.array(z.string()).min(1).optional(),
    reaches: z.array(z.string()).min(1).optional(),
    rivers: z.array(z.string()).min(1).optional(),
    adminUnits: z.array(z.string()).min(1).optional().describe('administrative unit (matched as a prefix: 湖北省 matches 湖北省武汉市)'),
    riverChiefs: z.array(z.string()).min(1).optional(),
  })
  .strict();
export type WebhookFilters = z.infer<typeof WebhookFilters>;

const AlertData = Alert.pick({
  id: true,
  ruleId: true,
  ruleVersion: true,
  subject: true,
  kind: true,
  severity: true,
  state: true,
  title: true,
  message: true,
  station: true,
  metric: true,
  reach: true,
  river: true,
  adminUnit: true,
  riverChief: true,
  evidence: true,
  openedAt: true,
}).extend({
  previousSeverity: Severity.nullable().optional(),
  actor: z.string().nullable().optional(),
  comment: z.string().nullable().optional(),
});

const TaskData = Task.pick({ id: true, alertId: true, planId: true, team: true, action: true, location: true, station: true, deadline: true, state: true });

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ type: z.literal(type), timestamp: z.string().describe('ISO-8601 time of the event'), data });

/** The payload of each event type, published as JSON Schema for receivers. */
export const WEBHOOK_PAYLOADS = {
  'alert.opened': envelope('alert.opened', AlertData),
  'alert.escalated': envelope('alert.escalated', AlertData),
  'alert.acknowledged': envelope('alert.acknowledged', AlertData),
  'alert.dispatched': envelope('alert.dispatched', AlertData),
  'alert.resolved': envelope('alert.resolved', AlertData),
  'task.created': envelope('task.created', TaskData),
  'task.overdue': envelope('task.overdue', TaskData),
  'task.done': envelope('task.done', TaskData),
  'forecast.crossing': envelope(
    'forecast.crossing',
    z.object({ station: z.string(), level: z.string(), forecastId: z.string(), issuedAt: z.string(), crossingAt: z.string().nullable(), value: z.number().optional() }),
  ),
  'station.offline': envelope('station.offline', z.object({ station: z.string(), since: z.string(), reason: z.string().optional() })),
  'station.online': envelope('station.online', z.object({ station: z.string(), since: z.string() })),
} as const satisfies Record<WebhookEventType, z.ZodType>;
export const WebhookPayload = z.discriminatedUnion('type', Object.values(WEBHOOK_PAYLOADS) as [typeof WEBHOOK_PAYLOADS['alert.opened'], ...(typeof WEBHOOK_PAYLOADS)[WebhookEventType][]]);
export type WebhookPayload = z.infer<typeof WebhookPayload>;
