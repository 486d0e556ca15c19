import { z } from 'zod';
import { RehearsalModifier, RehearsalRequest } from '@basin/schemas';
import { RehearsalService, compareRehearsal, getRehearsal, listRehearsals } from '../rehearsal/service.js';
import type { TwinState } from '../state/twin.js';
import { errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const Id = z.object({ id: z.coerce.number().int().positive() });
const Summary = z.object({
  id: z.number().int(),
  name: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  modifiers: z.array(RehearsalModifier),
  baseTime: z.string().describe('the snapshot the run starts from (the hour of the request)'),
  hours: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
const Detail = Summary.extend({
  result: z
    .unknown()
    .describe('null while running; alerts in time order, the tasks the plans would create, peaks, predicted series, the unmodified baseline'),
});
const Comparison = z.object({
  a: z.number().int(),
  b: z.string(),
  alerts: z.array(z.looseObject({ ruleId: z.string(), subject: z.string(), deltaMinutes: z.number().nullable() })),
  peaks: z.array(z.object({ station: z.string(), metric: z.string(), a: z.number().nullable(), b: z.number().nullable(), delta: z.number().nullable() })),
});

/**
 * 预演 rehearsals: operators run them, viewers read and compare them. A run is asynchronous
 * (202, then poll `GET /rehearsals/:id`); it never raises an alert, a task or a webhook.
 */
export const rehearsalsPlugin: ApiPlugin<{ twin: TwinState }> = async (app, { db, log, twin }) => {
  const service = new RehearsalService({ db, log: log.child({ component: 'rehearsal' }), twin });
  await service.reapAbandoned().catch(() => undefined);
  app.addHook('onClose', async () => service.drain());

  app.post('/rehearsals', { config: { access: 'operator' }, schema: { tags: ['rehearsals'], summary: 'Start a what-if rehearsal (预演) on a snapshot of the live state', body: RehearsalRequest, response: { 202: Summary, ...errorResponses } } }, async (req, reply) => {
    const { result: _r, ...r } = await service.submit(req.body, req.principal);
    return reply.code(202).header('location', `/api/rehearsals/${r.id}`).send(r);
  });

  app.get('/rehearsals', { schema: { tags: ['rehearsals'], summary: 'Rehearsals, newest first', querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), beforeId: z.coerce.number().int().positive().optional() }), response: { 200: z.array(Summary) } } }, async (req) =>
    listRehearsals(db, { limit: req.query.limit, ...(req.query.beforeId ? { beforeId: req.query.beforeId } : {}) }),
  );

  app.get('/rehearsals/:id', { schema: { tags: ['rehearsals'], summary: 'One rehearsal with its result', params: Id, response: { 200: Detail, ...errorResponses } } }, async (req) => getRehearsal(db, req.params.id));

  app.get('/rehearsals/:id/compare', {
    schema: { tags: ['rehearsals'], summary: 'Side by side with another run (with=<id>), its unmodified baseline (with=baseline) or what happened (with=actual)', params: Id, querystring: z.object({ with: z.string().min(1).max(40).default('baseline') }), response: { 200: Comparison, ...errorResponses } },
  }, async (req) => compareRehearsal(db, req.params.id, req.query.with));
};
