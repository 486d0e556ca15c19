import type { Queryable } from '@basin/platform';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@basin/schemas';
import { publishAlertEvent } from './alerts.js';
import { appendStream, publishEvent } from './events.js';
import { publishTaskEvent } from './tasks.js';

/**
 * The `EmitEvent` hook for the task clock (`new TaskClock(emitDomainEvent)`, task.overdue): its `(tx, type, payload)` calls become standard webhook and
 * stream events — alert and task payloads are read back from their rows, so subscribers get one
 * shape whoever made the change. Types without a webhook (e.g. alert.deescalated) go to the
 * stream only.
 */
export async function emitDomainEvent(tx: Queryable, type: string, payload: Record<string, unknown>): Promise<void> {
  const alertId = Number((payload.alert as { id?: unknown } | undefined)?.id);
  const taskId = Number((payload.task as { id?: unknown } | undefined)?.id);
  if (type.startsWith('alert.') && Number.isInteger(alertId) && isWebhookType(type)) {
    return publishAlertEvent(tx, type as Parameters<typeof publishAlertEvent>[1], alertId, { previousSeverity: (payload.alert as { from?: string }).from ?? null });
  }
  if (type.startsWith('task.') && Number.isInteger(taskId) && isWebhookType(type)) return publishTaskEvent(tx, type as Parameters<typeof publishTaskEvent>[1], taskId);
  if (isWebhookType(type)) {
    await publishEvent(tx, { type, data: payload, attrs: { station: typeof payload.station === 'string' ? payload.station : null } });
    return;
  }
  const topic = type.startsWith('alert.') ? 'alert' : type.startsWith('task.') ? 'task' : 'state';
  await appendStream(tx, [{ topic, type, station: typeof payload.station === 'string' ? payload.station : null, data: { type, timestamp: new Date().toISOString(), data: payload } }]);
}

const isWebhookType = (t: string): t is WebhookEventType => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t);
