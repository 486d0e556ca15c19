import { z } from 'zod';
import { ROLES } from '../auth/roles.js';
import { getKey, insertKey, listKeys, revokeKey } from '../auth/keys.js';
import { audit, readAudit } from '../ops/audit.js';
import { TwinErrors } from '../errors.js';
import { Limit, errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const Key = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), createdAt: z.string(), createdBy: z.string(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable() });
const AuditRecord = z.object({ id: z.number().int(), at: z.string(), actor: z.string(), role: z.string().nullable(), action: z.string(), subjectType: z.string(), subjectId: z.string().nullable(), before: z.unknown(), after: z.unknown(), detail: z.unknown() });

/** API keys and the audit log (admins), and `GET /me` (who am I). */
export const accessPlugin: ApiPlugin = async (app, { db }) => {
  const admin = { access: 'admin' as const };
  app.get('/me', { config: { access: 'public' }, schema: { tags: ['access'], summary: 'The caller as the API sees it', response: { 200: z.object({ actor: z.string(), role: z.enum(ROLES).nullable(), via: z.string() }) } } }, async (req) => req.principal);
  app.get('/keys', { config: admin, schema: { tags: ['access'], summary: 'API keys (never their secrets)', response: { 200: z.array(Key), ...errorResponses } } }, async () => listKeys(db));
  app.post('/keys', { config: admin, schema: { tags: ['access'], summary: 'Create an API key (shown once)', body: z.object({ name: z.string().min(1).max(200), role: z.enum(ROLES) }), response: { 201: z.object({ key: Key, token: z.string().describe('the key: shown once, store it now') }), ...errorResponses } } }, async (req, reply) => {
    const made = await db.transaction(async (tx) => {
      const m = await insertKey(tx, { ...req.body, createdBy: req.principal.actor });
      await audit(tx, { actor: req.principal, action: 'api_key.create', subjectType: 'api_key', subjectId: m.key.id, after: m.key });
      return m;
    });
    return reply.status(201).send(made);
  });
  app.post('/keys/:id/revoke', { config: admin, schema: { tags: ['access'], summary: 'Revoke an API key (at once, in every process)', params: z.object({ id: z.string().regex(/^[a-z0-9]{12}$/) }), response: { 200: Key, ...errorResponses } } }, async (req) =>
    db.transaction(async (tx) => {
      const before = await getKey(tx, req.params.id);
      if (!before) throw TwinErrors.API_KEY_NOT_FOUND(req.params.id);
      const after = (await revokeKey(tx, req.params.id))!;
      await audit(tx, { actor: req.principal, action: 'api_key.revoke', subjectType: 'api_key', subjectId: after.id, before, after });
      return after;
    }),
  );
  const Query = z.object({
    subjectType: z.string().max(64).optional(),
    subjectId: z.string().max(200).optional(),
    actor: z.string().max(200).optional(),
    action: z.string().max(64).optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: Limit(100, 1000),
  });
  app.get('/audit', { config: admin, schema: { tags: ['access'], summary: 'Audit log (append-only), newest first', querystring: Query, response: { 200: z.array(AuditRecord), ...errorResponses } } }, async (req) => {
    const { before, ...q } = req.query;
    return readAudit(db, { ...q, beforeId: before });
  });
};
