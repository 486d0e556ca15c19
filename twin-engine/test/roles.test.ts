import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@basin/platform';
import { decide, ROLES, type Principal, type Role } from '../src/auth/roles.js';
import { loadConfig } from '../src/index.js';
import { systemClock } from '../src/state/clock.js';
import { TwinState } from '../src/state/twin.js';
import { bearer, roleKeys, silent, testApp, testDb } from './helpers.js';

/**
 * Every registered route x {anonymous, viewer, operator, admin}, with anonymous read off and on:
 * the response is 401 / 403 exactly when the access rule says so. Routes come from the app
 * itself, so a new route is covered without touching this test.
 */
let db: Db;
let keys: Record<Role, string>;
beforeAll(async () => {
  db = await testDb('embedded');
  keys = await roleKeys(db);
});
afterAll(async () => db?.close());

const concrete = (url: string) => url.replace(/:[a-z]+/gi, '1').replace(/\*$/, 'x');

describe.each([false, true])('role matrix (anonymous read %s)', (anonymousRead) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    // A twin (not started: empty model) so the state, model and spill routes are in the matrix too.
    const twin = new TwinState(db, { mode: 'embedded', dataDir: null }, systemClock, loadConfig({}).twin, silent);
    app = await testApp(db, { API_ANONYMOUS_READ: String(anonymousRead) }, twin);
    await app.ready();
  });
  afterAll(async () => app?.close());

  it('every route answers every caller as its access rule says: 0 mismatches', async () => {
    const table = app.routeTable().flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => ({ ...r, method: m })));
    expect(table.length).toBeGreaterThan(30);
    const callers: [string, Principal, Record<string, string>][] = [
      ['anonymous', { actor: 'anonymous', role: null, via: 'anonymous' }, {}],
      ...ROLES.map((role) => [role, { actor: role, role, via: 'key' }, bearer(keys[role])] as [string, Principal, Record<string, string>]),
    ];
    const mismatches: string[] = [];
    let checked = 0;
    for (const r of table) {
      if (r.method === 'HEAD' || r.method === 'OPTIONS') continue;
      for (const [name, principal, headers] of callers) {
        const expected = decide(r.access, principal, anonymousRead);
        // The live stream never ends: an invalid cursor makes an allowed call end with 400.
        const url = concrete(r.url) + (r.url === '/api/stream' ? '?cursor=x' : '');
        const res = await app.inject({ method: r.method as 'GET', url, headers });
        const got = res.statusCode === 401 ? 'unauthenticated' : res.statusCode === 403 ? 'forbidden' : 'allow';
        checked++;
        if (got !== expected) mismatches.push(`${r.method} ${r.url} as ${name}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(120);
  });

  it('declares the intended access of the sensitive routes', () => {
    const access = new Map(app.routeTable().map((r) => [`${String(r.method)} ${r.url}`, r.access]));
    expect(access.get('POST /api/alerts/:id/acknowledge')).toBe('operator');
    expect(access.get('POST /api/tasks/:id/done')).toBe('operator');
    expect(access.get('POST /api/webhooks')).toBe('admin');
    expect(access.get('GET /api/webhooks')).toBe('admin');
    expect(access.get('GET /api/audit')).toBe('admin');
    expect(access.get('POST /api/keys')).toBe('admin');
    expect(access.get('GET /api/stations')).toBe('viewer');
    expect(access.get('GET /api/health')).toBe('public');
    expect(access.get('GET /metrics')).toBe('public');
    expect(access.get('GET /api/forecasts')).toBe('viewer');
    expect(access.get('GET /api/forecasts/skill')).toBe('viewer');
    expect(access.get('GET /api/forecasts/:id')).toBe('viewer');
    expect(access.get('POST /api/forecasts/spill')).toBe('operator');
    expect(access.get('POST /api/rehearsals')).toBe('operator');
    expect(access.get('GET /api/rehearsals')).toBe('viewer');
    expect(access.get('GET /api/rehearsals/:id')).toBe('viewer');
    expect(access.get('GET /api/rehearsals/:id/compare')).toBe('viewer');
  });
});
