import { z } from 'zod';
import { MetricCode } from './metrics.js';
import { StationId, StationKind } from './station.js';

/** Chinese four-colour warning levels (蓝 / 黄 / 橙 / 红), least to most severe. */
export const Severity = z.enum(['blue', 'yellow', 'orange', 'red']);
export type Severity = z.infer<typeof Severity>;
export const SEVERITY_RANK: Record<Severity, number> = { blue: 1, yellow: 2, orange: 3, red: 4 };

export const WaterClass = z.enum(['I', 'II', 'III', 'IV', 'V', 'worse_than_V']);
export type WaterClass = z.infer<typeof WaterClass>;

const Id = z.string().min(1).max(64);
const Ts = z.number().int();

export const AlertCondition = z.discriminatedUnion('type', [
  z.object({ type: z.literal('threshold'), op: z.enum(['>', '>=', '<', '<=']), value: z.number() }),
  /** Fires when the reading's GB 3838-2002 class is worse than `class`. */
  z.object({ type: z.literal('water_class'), worseThan: WaterClass }),
  /** Fires when the stage passes the station's gauge level (设防 / 警戒 / 保证). */
  z.object({ type: z.literal('gauge_level'), level: z.enum(['setup', 'warning', 'guaranteed']) }),
  /** Fires when the value changes faster than `perHour` (absolute units per hour). */
  z.object({ type: z.literal('rate_of_change'), perHour: z.number().positive() }),
  /** Fires when no reading arrived for `seconds`. */
  z.object({ type: z.literal('stale'), seconds: z.number().int().positive() }),
]);
export type AlertCondition = z.infer<typeof AlertCondition>;

export const AlertRule = z.object({
  id: Id,
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  metric: MetricCode,
  /** Stations the rule applies to: explicit ids, a station kind, or all that report the metric. */
  scope: z
    .object({ stations: z.array(StationId).optional(), kinds: z.array(StationKind).optional() })
    .default({}),
  condition: AlertCondition,
  severity: Severity,
  /** Condition must hold this long before the alert fires (debounce), seconds. */
  forSeconds: z.number().int().min(0).default(0),
  /** No re-fire for the same station within this time after resolution, seconds. */
  cooldownSeconds: z.number().int().min(0).default(600),
});
export type AlertRule = z.infer<typeof AlertRule>;

export const AlertState = z.enum(['firing', 'acknowledged', 'resolved']);
export const Alert = z.object({
  id: Id,
  ruleId: Id,
  station: StationId,
  metric: MetricCode,
  severity: Severity,
  state: AlertState,
  value: z.number(),
  threshold: z.number().nullable(),
  message: z.string(),
  startedAt: Ts,
  acknowledgedAt: Ts.nullable().default(null),
  resolvedAt: Ts.nullable().default(null),
});
export type Alert = z.infer<typeof Alert>;

export const IncidentKind = z.enum(['flood', 'pollution', 'air_pollution', 'drought', 'equipment', 'other']);
export const Incident = z.object({
  id: Id,
  title: z.string().min(1).max(200),
  kind: IncidentKind,
  severity: Severity,
  status: z.enum(['open', 'responding', 'closed']),
  alertIds: z.array(Id).default([]),
  stations: z.array(StationId).default([]),
  /** Contingency plan (预案) applied, if any. */
  planId: Id.nullable().default(null),
  openedAt: Ts,
  closedAt: Ts.nullable().default(null),
});
export type Incident = z.infer<typeof Incident>;

export const DispatchTask = z.object({
  id: Id,
  incidentId: Id,
  title: z.string().min(1).max(200),
  detail: z.string().max(4000).default(''),
  /** Responsible unit, e.g. 市防汛抗旱指挥部, 生态环境局应急监测队 */
  assignee: z.string().min(1).max(200),
  status: z.enum(['pending', 'assigned', 'in_progress', 'done', 'cancelled']),
  station: StationId.nullable().default(null),
  location: z.object({ lon: z.number(), lat: z.number() }).nullable().default(null),
  createdAt: Ts,
  dueAt: Ts.nullable().default(null),
  completedAt: Ts.nullable().default(null),
});
export type DispatchTask = z.infer<typeof DispatchTask>;

export const WebhookEvent = z.enum([
  'alert.fired',
  'alert.acknowledged',
  'alert.resolved',
  'incident.opened',
  'incident.updated',
  'incident.closed',
  'task.created',
  'task.updated',
]);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const WebhookSubscription = z.object({
  id: Id,
  url: z.url({ protocol: /^https?$/ }),
  /** HMAC-SHA256 signing secret; write-only through the API. */
  secret: z.string().min(16).max(256),
  events: z.array(WebhookEvent).min(1),
  filter: z
    .object({ minSeverity: Severity.optional(), stations: z.array(StationId).optional() })
    .default({}),
  active: z.boolean().default(true),
  createdAt: Ts,
});
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;
