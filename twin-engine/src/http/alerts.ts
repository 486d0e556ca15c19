import { z } from 'zod';
import { Alert, AlertState, ApiError, Severity } from '@basin/schemas';
import { acknowledge, alertsOverlapping, comment, dispatch, getAlert, listAlerts, listComments, resolve } from '../ops/alerts.js';
import { readAudit, readAuditOf } from '../ops/audit.js';
import { createTask } from '../ops/tasks.js';
import { IdParam, IsoTime, Limit, errorResponses } from './common.js';
import { TaskSchema, TaskInputSchema } from './tasks.js';
import type { ApiPlugin } from './types.js';

export const AlertSchema = Alert;
const Comment = z.object({ id: z.number().int(), alertId: z.number().int(), at: z.string(), author: z.string(), text: z.string() });
const History = z.object({ at: z.string(), actor: z.string(), action: z.string(), before: z.unknown(), after: z.unknown(), detail: z.unknown() });
const csvList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(item).min(1)).optional();

const Query = z.object({
  state: csvList(AlertState).describe('comma-separated states; "open" is not a state: use firing,acknowledged,dispatched'),
  severity: csvList(Severity),
  station: z.string().max(64).optional(),
  kind: z.string().max(64).optional(),
  ruleId: z.string().max(64).optional(),
  reach: z.string().max(100).optional(),
  river: z.string().max(100).optional(),
  adminUnit: z.string().max(100).optional().describe('prefix of the administrative unit'),
  from: IsoTime.optional(),
  to: IsoTime.optional(),
  before: z.coerce.number().int().positive().optional().describe('page: alerts with a smaller id (pass the last id of the previous page)'),
  limit: Limit(100, 1000),
});
const Note = z.object({ comment: z.string().min(1).max(4000).optional() }).default({});
const conflict = { 409: ApiError };
const TimelineQuery = z
  .object({ from: IsoTime, to: IsoTime, limit: Limit(500, 2000).describe('alerts at most (newest first)') })
  .refine((q) => Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to', path: ['from'] });
const TimelineEvent = History.extend({ alertId: z.number().int() });
/** Audit records a timeline answer carries at most (alert changes and comments). */
const TIMELINE_MAX_EVENTS = 20_000;

/** Alerts: filters, evidence, history, and the operator lifecycle (acknowledge / dispatch / resolve / comment). */
export const alertsPlugin: ApiPlugin = async (app, { db, nudge }) => {
  app.get('/alerts', { schema: { tags: ['alerts'], summary: 'Alerts, newest first', querystring: Query, response: { 200: z.array(AlertSchema), ...errorResponses } } }, async (req) => {
    const { before, ...q } = req.query;
    return listAlerts(db, { ...q, beforeId: before });
  });
  app.get('/alerts/timeline', { schema: { tags: ['alerts'], summary: 'Alerts open at some moment of a window with their audited transitions up to its end (severity changes, acknowledge, dispatch, resolve, comments, who and when): what a replay needs in one request', querystring: TimelineQuery, response: { 200: z.object({ alerts: z.array(AlertSchema), events: z.array(TimelineEvent), truncated: z.boolean() }), ...errorResponses } } }, async (req) => {
    const { from, to, limit } = req.query;
    const { alerts, truncated } = await alertsOverlapping(db, { from, to, limit });
    const log = await readAuditOf(db, { subjectType: 'alert', subjectIds: alerts.map((a) => String(a.id)), to, limit: TIMELINE_MAX_EVENTS + 1 });
    const events = log.slice(0, TIMELINE_MAX_EVENTS).map((h) => ({ alertId: Number(h.subjectId), at: h.at, actor: h.actor, action: h.action, before: h.before, after: h.after, detail: h.detail }));
    return { alerts, events, truncated: truncated || log.length > TIMELINE_MAX_EVENTS };
  });
  app.get('/alerts/:id', { schema: { tags: ['alerts'], summary: 'One alert with its evidence, comments and history', params: IdParam, response: { 200: AlertSchema.extend({ comments: z.array(Comment), history: z.array(History) }), ...errorResponses } } }, async (req) => {
    const a = await getAlert(db, req.params.id);
    const history = (await readAudit(db, { subjectType: 'alert', subjectId: String(a.id), limit: 1000 })).reverse();
    return { ...a, comments: await listComments(db, a.id), history: history.map((h) => ({ at: h.at, actor: h.actor, action: h.action, before: h.before, after: h.after, detail: h.detail })) };
  });

  const mutate = (summary: string) =>
    ({
      config: { access: 'operator' as const },
      schema: { tags: ['alerts'], summary, params: IdParam, body: Note, response: { 200: AlertSchema, ...errorResponses, ...conflict } },
    }) as const;
  const after = <T>(v: T) => {
    nudge();
    return v;
  };
  app.post('/alerts/:id/acknowledge', mutate('firing -> acknowledged (a second acknowledge is 409)'), async (req) =>
    after(await db.transaction((tx) => acknowledge(tx, req.params.id, req.principal, req.body.comment))),
  );
  app.post('/alerts/:id/dispatch', mutate('firing | acknowledged -> dispatched'), async (req) =>
    after(await db.transaction((tx) => dispatch(tx, req.params.id, req.principal, req.body.comment))),
  );
  app.post('/alerts/:id/resolve', mutate('-> resolved (manual)'), async (req) =>
    after(await db.transaction((tx) => resolve(tx, req.params.id, req.principal, req.body.comment))),
  );
  app.post('/alerts/:id/comments', { config: { access: 'operator' }, schema: { tags: ['alerts'], summary: 'Comment on an alert', params: IdParam, body: z.object({ text: z.string().min(1).max(4000) }), response: { 201: Comment, ...errorResponses } } }, async (req, reply) => {
    const c = await db.transaction((tx) => comment(tx, req.params.id, req.principal, req.body.text));
    return reply.status(201).send(c);
  });
  app.post('/alerts/:id/tasks', { config: { access: 'operator' }, schema: { tags: ['tasks'], summary: 'Create a dispatch task for an alert', params: IdParam, body: TaskInputSchema.omit({ alertId: true }), response: { 201: TaskSchema, ...errorResponses } } }, async (req, reply) => {
    const t = await db.transaction((tx) => createTask(tx, { ...req.body, alertId: req.params.id }, req.principal));
    nudge();
    return reply.status(201).send(t);
  });
};
