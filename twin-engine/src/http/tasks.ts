import { z } from 'zod';
import { ApiError, Task, TaskState } from '@basin/schemas';
import { createTask, getTask, listTasks, moveTask } from '../ops/tasks.js';
import { IdParam, IsoTime, Limit, errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

export const TaskSchema = Task;
export const TaskInputSchema = z.object({
  alertId: z.number().int().positive().nullable().optional(),
  team: z.string().min(1).max(200).describe('responsible team, e.g. 荆州市防汛抗旱指挥部巡堤队'),
  action: z.string().min(1).max(2000),
  location: z.string().max(200).nullable().optional(),
  station: z.string().max(64).nullable().optional(),
  deadline: IsoTime.nullable().optional(),
});

const Query = z.object({
  state: z.preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(TaskState).min(1)).optional(),
  alertId: z.coerce.number().int().positive().optional(),
  team: z.string().max(200).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: Limit(100, 1000),
});

/** Dispatch tasks: list, create, accept, done, cancel (operators). */
export const tasksPlugin: ApiPlugin = async (app, { db, nudge }) => {
  app.get('/tasks', { schema: { tags: ['tasks'], summary: 'Dispatch tasks, newest first', querystring: Query, response: { 200: z.array(TaskSchema), ...errorResponses } } }, async (req) => {
    const { before, ...q } = req.query;
    return listTasks(db, { ...q, beforeId: before });
  });
  app.get('/tasks/:id', { schema: { tags: ['tasks'], summary: 'One task', params: IdParam, response: { 200: TaskSchema, ...errorResponses } } }, async (req) => getTask(db, req.params.id));
  app.post('/tasks', { config: { access: 'operator' }, schema: { tags: ['tasks'], summary: 'Create a task', body: TaskInputSchema, response: { 201: TaskSchema, ...errorResponses } } }, async (req, reply) => {
    const t = await db.transaction((tx) => createTask(tx, req.body, req.principal));
    nudge();
    return reply.status(201).send(t);
  });
  for (const action of ['accept', 'done', 'cancel'] as const) {
    app.post(`/tasks/:id/${action}`, { config: { access: 'operator' }, schema: { tags: ['tasks'], summary: `Task: ${action}`, params: IdParam, body: z.object({ note: z.string().max(4000).optional() }).default({}), response: { 200: TaskSchema, ...errorResponses, 409: ApiError } } }, async (req) => {
      const t = await db.transaction((tx) => moveTask(tx, req.params.id, action, req.principal, req.body.note));
      nudge();
      return t;
    });
  }
};
