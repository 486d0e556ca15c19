import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@basin/platform';
import { insertKey, revokeKey } from '../src/auth/keys.js';
import { bearer, roleKeys, testApp, testDb } from './helpers.js';

/** Status and content type of a GET, closing the connection at once (the stream never ends). */
function open(url: string): Promise<{ status: number; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] });
      req.destroy();
    });
    req.on('error', reject);
  });
}

describe('stream tickets: EventSource opens the stream without sending the API key', () => {
  let db: Db;
  let app: FastifyInstance;
  let base = '';
  let keys: Awaited<ReturnType<typeof roleKeys>>;
  const ticket = async (token: string) => (await app.inject({ method: 'POST', url: '/api/stream/tickets', headers: bearer(token) })).json<{ ticket: string; expiresAt: string }>();

  beforeAll(async () => {
    db = await testDb('embedded');
    app = await testApp(db, { STREAM_TICKET_TTL_S: '60' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    keys = await roleKeys(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('issues a ticket to a key holder that opens the stream, and only the stream', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/stream/tickets', headers: bearer(keys.viewer) });
    expect(r.statusCode).toBe(201);
    const { ticket: t, expiresAt } = r.json<{ ticket: string; expiresAt: string }>();
    expect(t).toMatch(/^stk_/);
    expect(t).not.toContain(keys.viewer.split('.')[1]);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    expect(await open(`${base}/api/stream?ticket=${encodeURIComponent(t)}`)).toMatchObject({ status: 200, type: expect.stringContaining('text/event-stream') });
    // the ticket is no credential elsewhere
    expect((await app.inject({ url: `/api/stations?ticket=${encodeURIComponent(t)}` })).statusCode).toBe(401);
  });

  it('refuses tickets that are tampered with, or whose key was revoked', async () => {
    const { ticket: t } = await ticket(keys.viewer);
    const tampered = t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA');
    const bad = await app.inject({ url: `/api/stream?ticket=${encodeURIComponent(tampered)}` });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const { key, token } = await insertKey(db, { name: 'to revoke', role: 'viewer', createdBy: 'test' });
    const { ticket: t2 } = await ticket(token);
    await revokeKey(db, key.id);
    expect((await app.inject({ url: `/api/stream?ticket=${encodeURIComponent(t2)}` })).json()).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('revoked') });
    expect((await app.inject({ url: '/api/stream?ticket=stk_nonsense' })).statusCode).toBe(401);
  });

  it('needs credentials to get a ticket', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/stream/tickets' })).statusCode).toBe(401);
  });
});
