import { z } from 'zod';
import { WEBHOOK_PAYLOADS, WebhookEventType, WebhookFilters } from '@basin/schemas';
import { AddressPolicy, checkUrl } from '../webhooks/address-policy.js';
import {
  createSubscription,
  deleteSubscription,
  finishRotation,
  getDelivery,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  redeliver,
  rotateSecret,
  updateSubscription,
} from '../webhooks/store.js';
import { TwinErrors } from '../errors.js';
import { IdParam, Limit, errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const Subscription = z.object({
  id: z.number().int(),
  name: z.string(),
  url: z.string(),
  eventTypes: z.array(WebhookEventType),
  filters: WebhookFilters,
  maxConcurrency: z.number().int(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  secrets: z.number().int().describe('valid secrets: 2 during a rotation'),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
const WithSecret = z.object({ subscription: Subscription, secret: z.string().describe('whsec_ signing secret: shown once, store it now') });
const Input = z.object({
  name: z.string().min(1).max(200),
  url: z.string().max(2000).describe('http(s) URL of the receiver; must resolve to a public address unless WEBHOOK_ALLOW_CIDRS permits it'),
  eventTypes: z.array(WebhookEventType).min(1),
  filters: WebhookFilters.optional(),
  maxConcurrency: z.number().int().min(1).max(64).optional().describe('deliveries in flight to this endpoint at once (default 4)'),
});
const Patch = Input.partial().extend({ enabled: z.boolean().optional() });
const Delivery = z.object({
  id: z.number().int(),
  messageId: z.string().describe('the webhook-id header'),
  eventType: z.string(),
  subscriptionId: z.number().int(),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
});
const Attempt = z.object({ attempt: z.number().int(), at: z.string(), status: z.number().int().nullable(), latencyMs: z.number(), error: z.string().nullable(), responseSnippet: z.string().nullable(), dispatcher: z.string() });
const DeliveryParams = z.object({ id: z.coerce.number().int().positive(), delivery: z.coerce.number().int().positive() });

/** Webhook subscriptions (admins), their delivery log, redelivery, secret rotation; event payload schemas. */
export const webhooksPlugin: ApiPlugin = async (app, { db, config, nudge }) => {
  const policy = new AddressPolicy(config.webhooks.allowCidrs);
  const checked = (url: string | undefined) => {
    if (url === undefined) return;
    const why = checkUrl(url, policy);
    if (why) throw TwinErrors.URL_NOT_ALLOWED(url, why);
  };
  const admin = { access: 'admin' as const };

  app.get('/webhooks/event-types', { schema: { tags: ['webhooks'], summary: 'Event types and their payload JSON Schemas (draft 2020-12)', response: { 200: z.record(z.string(), z.unknown()) } } }, async () =>
    Object.fromEntries(Object.entries(WEBHOOK_PAYLOADS).map(([type, schema]) => [type, z.toJSONSchema(schema, { unrepresentable: 'any' })])),
  );
  app.get('/webhooks', { config: admin, schema: { tags: ['webhooks'], summary: 'Subscriptions', response: { 200: z.array(Subscription), ...errorResponses } } }, async () => listSubscriptions(db));
  app.post('/webhooks', { config: admin, schema: { tags: ['webhooks'], summary: 'Subscribe (the secret is shown once)', body: Input, response: { 201: WithSecret, ...errorResponses } } }, async (req, reply) => {
    checked(req.body.url);
    return reply.status(201).send(await db.transaction((tx) => createSubscription(tx, req.body, req.principal)));
  });
  app.get('/webhooks/:id', { config: admin, schema: { tags: ['webhooks'], summary: 'One subscription', params: IdParam, response: { 200: Subscription, ...errorResponses } } }, async (req) => getSubscription(db, req.params.id));
  app.patch('/webhooks/:id', { config: admin, schema: { tags: ['webhooks'], summary: 'Change or re-enable a subscription', params: IdParam, body: Patch, response: { 200: Subscription, ...errorResponses } } }, async (req) => {
    checked(req.body.url);
    return db.transaction((tx) => updateSubscription(tx, req.params.id, req.body, req.principal));
  });
  app.delete('/webhooks/:id', { config: admin, schema: { tags: ['webhooks'], summary: 'Delete a subscription', params: IdParam, response: { 204: z.undefined(), ...errorResponses } } }, async (req, reply) => {
    await db.transaction((tx) => deleteSubscription(tx, req.params.id, req.principal));
    return reply.status(204).send();
  });
  app.post('/webhooks/:id/rotate-secret', { config: admin, schema: { tags: ['webhooks'], summary: 'New signing secret; the old one keeps signing until finish-rotation', params: IdParam, response: { 200: WithSecret, ...errorResponses } } }, async (req) =>
    db.transaction((tx) => rotateSecret(tx, req.params.id, req.principal)),
  );
  app.post('/webhooks/:id/finish-rotation', { config: admin, schema: { tags: ['webhooks'], summary: 'Stop signing with the previous secret', params: IdParam, response: { 200: Subscription, ...errorResponses } } }, async (req) =>
    db.transaction((tx) => finishRotation(tx, req.params.id, req.principal)),
  );
  app.get('/webhooks/:id/deliveries', { config: admin, schema: { tags: ['webhooks'], summary: 'Delivery log, newest first', params: IdParam, querystring: z.object({ state: z.enum(['pending', 'delivered', 'failed']).optional(), before: z.coerce.number().int().positive().optional(), limit: Limit(100, 1000) }), response: { 200: z.array(Delivery), ...errorResponses } } }, async (req) => {
    await getSubscription(db, req.params.id);
    return listDeliveries(db, { subscriptionId: req.params.id, state: req.query.state, beforeId: req.query.before, limit: req.query.limit });
  });
  app.get('/webhooks/:id/deliveries/:delivery', { config: admin, schema: { tags: ['webhooks'], summary: 'One delivery with every attempt (status, latency, response snippet)', params: DeliveryParams, response: { 200: Delivery.extend({ payload: z.unknown(), attemptLog: z.array(Attempt) }), ...errorResponses } } }, async (req) =>
    getDelivery(db, req.params.id, req.params.delivery),
  );
  app.post('/webhooks/:id/deliveries/:delivery/redeliver', { config: admin, schema: { tags: ['webhooks'], summary: 'Send the message again (same webhook-id)', params: DeliveryParams, response: { 201: Delivery, ...errorResponses } } }, async (req, reply) => {
    const d = await db.transaction((tx) => redeliver(tx, req.params.id, req.params.delivery, req.principal));
    nudge();
    return reply.status(201).send(d);
  });
};
