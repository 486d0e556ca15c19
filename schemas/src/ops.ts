import { z } from 'zod';
import { Severity } from './domain.js';

/**
 * Alerts and dispatch tasks as the twin-engine API serves them and as webhooks carry them (one
 * definition: the API's route schemas, the webhook payload schemas and the viewer share it).
 * Times are ISO-8601 strings.
 */
export const AlertState = z.enum(['firing', 'acknowledged', 'dispatched', 'resolved']);
export type AlertState = z.infer<typeof AlertState>;

export const Alert = z.object({
  id: z.number().int(),
  ruleId: z.string(),
  ruleVersion: z.number().int(),
  subject: z.string(),
  kind: z.string(),
  severity: Severity,
  state: AlertState,
  title: z.string(),
  message: z.string().nullable(),
  station: z.string().nullable(),
  metric: z.string().nullable(),
  reach: z.string().nullable(),
  river: z.string().nullable(),
  adminUnit: z.string().nullable(),
  riverChief: z.string().nullable(),
  evidence: z.unknown().describe('the readings or forecast that fired the rule, and the rule version'),
  openedAt: z.string(),
  updatedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  dispatchedAt: z.string().nullable(),
  dispatchedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolution: z.enum(['manual', 'auto']).nullable(),
});
export type Alert = z.infer<typeof Alert>;

export const TaskState = z.enum(['open', 'accepted', 'done', 'overdue', 'cancelled']);
export type TaskState = z.infer<typeof TaskState>;

export const Task = z.object({
  id: z.number().int(),
  alertId: z.number().int().nullable(),
  planId: z.string().nullable(),
  planVersion: z.number().int().nullable(),
  team: z.string(),
  action: z.string(),
  location: z.string().nullable(),
  station: z.string().nullable(),
  deadline: z.string().nullable(),
  state: TaskState,
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  acceptedBy: z.string().nullable(),
  doneAt: z.string().nullable(),
  doneBy: z.string().nullable(),
  note: z.string().nullable(),
});
export type Task = z.infer<typeof Task>;
