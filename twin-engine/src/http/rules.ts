import { z } from 'zod';
import { ContingencyPlan, RuleDefinition, StoredRule } from '@basin/schemas';
import { TwinErrors } from '../errors.js';
import { currentPlansStored, currentRules, planVersions, putVersion, ruleVersions } from '../rules/store.js';
import { errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const Id = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/) });
const PlanOut = z.object({ version: z.number().int(), plan: ContingencyPlan });
const Saved = z.object({ id: z.string(), version: z.number().int(), changed: z.boolean() });

/**
 * 预警 rules and 预案 plans: read by viewers, changed by admins. Every change is a new version
 * (audited); the elected evaluator picks it up within a lease period, in whichever process it runs.
 */
export const rulesPlugin: ApiPlugin = async (app, { db }) => {
  app.get('/rules', { schema: { tags: ['rules'], summary: 'Current version of every rule', response: { 200: z.array(StoredRule) } } }, async () => currentRules(db));

  app.get('/rules/:id', { schema: { tags: ['rules'], summary: 'Every version of one rule, oldest first', params: Id, response: { 200: z.array(StoredRule), ...errorResponses } } }, async (req) => {
    const v = await ruleVersions(db, req.params.id);
    if (v.length === 0) throw TwinErrors.NOT_FOUND(`rule ${req.params.id}`);
    return v;
  });

  app.put('/rules/:id', { config: { access: 'admin' }, schema: { tags: ['rules'], summary: 'Store a new version of a rule (create or change; enabled:false disables it)', params: Id, body: RuleDefinition, response: { 200: Saved, ...errorResponses } } }, async (req) => {
    if (req.body.id !== req.params.id) throw TwinErrors.VALIDATION_FAILED('body.id must equal the path id', [{ field: 'body.id', location: 'body', message: `must be ${req.params.id}` }]);
    const r = await db.transaction((tx) => putVersion(tx, 'rule', req.body, req.principal));
    return { id: req.params.id, ...r };
  });

  app.get('/plans', { schema: { tags: ['plans'], summary: 'Current version of every contingency plan (预案)', response: { 200: z.array(PlanOut) } } }, async () => currentPlansStored(db));

  app.get('/plans/:id', { schema: { tags: ['plans'], summary: 'Every version of one plan, oldest first', params: Id, response: { 200: z.array(PlanOut), ...errorResponses } } }, async (req) => {
    const v = await planVersions(db, req.params.id);
    if (v.length === 0) throw TwinErrors.NOT_FOUND(`plan ${req.params.id}`);
    return v;
  });

  app.put('/plans/:id', { config: { access: 'admin' }, schema: { tags: ['plans'], summary: 'Store a new version of a plan', params: Id, body: ContingencyPlan, response: { 200: Saved, ...errorResponses } } }, async (req) => {
    if (req.body.id !== req.params.id) throw TwinErrors.VALIDATION_FAILED('body.id must equal the path id', [{ field: 'body.id', location: 'body', message: `must be ${req.params.id}` }]);
    const r = await db.transaction((tx) => putVersion(tx, 'plan', req.body, req.principal));
    return { id: req.params.id, ...r };
  });
};
