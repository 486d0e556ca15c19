import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@basin/platform';
import type { TestTimescale } from '@basin/platform/testing';
import { systemPrincipal } from '../src/auth/roles.js';
import { publishEvent } from '../src/ops/events.js';
import { AddressPolicy } from '../src/webhooks/address-policy.js';
import { Dispatcher } from '../src/webhooks/dispatcher.js';
import { send } from '../src/webhooks/sender.js';
import { signedHeaders } from '../src/webhooks/signing.js';
import { createSubscription, getDelivery, listDeliveries, redeliver, rotateSecret } from '../src/webhooks/store.js';
import { verifyDelivery } from '../examples/receiver.js';
import { silent, startTimescale, testDb } from './helpers.js';

const admin = systemPrincipal('test');
const limits = { connectTimeoutMs: 2000, responseTimeoutMs: 5000, maxResponseBytes: 4096 };

interface Got {
  id: string;
  at: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}
/** A loopback receiver whose answer the test scripts. */
async function receiver(answer: (n: number, got: Got, res: http.ServerResponse) => void, host = '127.0.0.1') {
  const got: Got[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const g = { id: String(req.headers['webhook-id']), at: Date.now(), body: Buffer.concat(chunks).toString('utf8'), headers: req.headers };
      got.push(g);
      answer(got.length, g, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  return { got, port, url: `http://${host}:${port}/hook`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function until<T>(fn: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const alertEvent = (n: number) => ({ type: 'alert.opened' as const, data: { id: n, title: `alert ${n}` }, attrs: { severity: 'yellow' as const, station: 'hankou' } });

let ts: TestTimescale | undefined;
afterAll(async () => ts?.dispose());

describe.each(['embedded', 'server'] as const)('webhook delivery on %s TimescaleDB', (kind) => {
  let db: Db;
  const dispatchers: Dispatcher[] = [];
  const dispatcher = (o: Partial<ConstructorParameters<typeof Dispatcher>[2]> = {}) => {
    const d = new Dispatcher(db, silent, { allowCidrs: ['127.0.0.0/8'], pollMs: 50, leaseS: 30, maxAgeH: 26, baseMs: 300, ...limits, ...o });
    dispatchers.push(d);
    return d;
  };
  beforeAll(async () => {
    if (kind === 'server') ts ??= await startTimescale();
    db = await testDb(kind, ts);
  });
  afterAll(async () => {
    for (const d of dispatchers) await d.stop();
    await db?.close();
  });

  it('retries a receiver failing k times on the backoff schedule (±10%), then delivers, signed, with one webhook-id', async () => {
    const k = 3;
    const rx = await receiver((n, _g, res) => res.writeHead(n <= k ? 500 : 200).end(n <= k ? 'not yet' : 'ok'));
    const { subscription, secret } = await db.transaction((tx) => createSubscription(tx, { name: 'flaky', url: rx.url, eventTypes: ['alert.opened'] }, admin));
    const { messageId } = await db.transaction((tx) => publishEvent(tx, alertEvent(1)));
    const d = dispatcher();
    d.start();
    await until(async () => rx.got.length === k + 1);
    await until(async () => (await listDeliveries(db, { subscriptionId: subscription.id, limit: 5 }))[0]?.state === 'delivered');
    expect(new Set(rx.got.map((g) => g.id))).toEqual(new Set([messageId]));
    for (const g of rx.got) expect(verifyDelivery(secret, g.body, g.headers)).toMatchObject({ ok: true, id: messageId, event: { type: 'alert.opened' } });
    const [dv] = await listDeliveries(db, { subscriptionId: subscription.id, limit: 1 });
    const log = (await getDelivery(db, subscription.id, dv!.id)).attemptLog;
    expect(log.map((a) => a.status)).toEqual([500, 500, 500, 200]);
    expect(log[0]!.responseSnippet).toBe('not yet');
    // The wait after failure n is 300 ms * 4^(n-1) within ±10% (scheduled times, from the log's attempt times).
    const attempts = await db.query<{ at: Date | string; attempt: number }>('SELECT at, attempt FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id', [dv!.id]);
    const gaps = attempts.rows.slice(1).map((r, i) => new Date(r.at).getTime() - new Date(attempts.rows[i]!.at).getTime());
    gaps.forEach((gap, i) => {
      const expected = 300 * 4 ** i;
      expect(gap).toBeGreaterThanOrEqual(expected * 0.9 - 5);
      expect(gap).toBeLessThanOrEqual(expected * 1.1 + 1500); // + poll interval and a loaded machine
    });
    await d.stop();
    await rx.close();
  });

  it('disables the subscription on 410, treats 3xx as a failure without following it, and redelivers on request with the same id', async () => {
    const inner = await receiver((_n, _g, res) => res.writeHead(200).end(), '127.0.0.2').catch(() => null);
    const rx = await receiver((n, _g, res) => (n === 1 ? res.writeHead(302, { location: inner?.url ?? 'http://127.0.0.1:9/' }).end() : res.writeHead(410).end()));
    const { subscription } = await db.transaction((tx) => createSubscription(tx, { name: 'gone', url: rx.url, eventTypes: ['alert.opened'] }, admin));
    const { messageId } = await db.transaction((tx) => publishEvent(tx, alertEvent(2)));
    const d = dispatcher();
    d.start();
    await until(async () => (await db.query<{ enabled: boolean }>('SELECT enabled FROM webhook_subscriptions WHERE id = $1', [subscription.id])).rows[0]?.enabled === false);
    expect(rx.got.map((g) => g.id)).toEqual([messageId, messageId]);
    expect(inner?.got ?? []).toEqual([]); // the redirect was not followed
    const [dv] = await listDeliveries(db, { subscriptionId: subscription.id, limit: 1 });
    expect(dv).toMatchObject({ state: 'failed', lastStatus: 410 });
    expect((await getDelivery(db, subscription.id, dv!.id)).attemptLog.map((a) => a.status)).toEqual([302, 410]);
    // Re-enable, redeliver: same webhook-id.
    await db.query('UPDATE webhook_subscriptions SET enabled = true WHERE id = $1', [subscription.id]);
    const again = await db.transaction((tx) => redeliver(tx, subscription.id, dv!.id, admin));
    d.nudge();
    await until(async () => rx.got.length === 3);
    expect(rx.got[2]!.id).toBe(messageId);
    expect(again.messageId).toBe(messageId);
    await d.stop();
    await rx.close();
    await inner?.close();
  });

  it('keeps at most maxConcurrency deliveries in flight per endpoint across two dispatchers', async () => {
    let inFlight = 0;
    let peak = 0;
    const rx = await receiver((_n, _g, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(204).end();
      }, 100);
    });
    await db.transaction((tx) => createSubscription(tx, { name: 'narrow', url: rx.url, eventTypes: ['task.created'], maxConcurrency: 2 }, admin));
    await db.transaction(async (tx) => {
      for (let i = 0; i < 12; i++) await publishEvent(tx, { type: 'task.created', data: { id: i }, attrs: {} });
    });
    const a = dispatcher();
    const b = dispatcher();
    a.start();
    b.start();
    await until(async () => rx.got.length >= 12);
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBeGreaterThanOrEqual(1);
    await a.stop();
    await b.stop();
    await rx.close();
  });

  it('signs with both secrets during a rotation', async () => {
    const rx = await receiver((_n, _g, res) => res.writeHead(204).end());
    const { subscription, secret: oldSecret } = await db.transaction((tx) => createSubscription(tx, { name: 'rotating', url: rx.url, eventTypes: ['station.offline'] }, admin));
    const { secret: newSecret } = await db.transaction((tx) => rotateSecret(tx, subscription.id, admin));
    await db.transaction((tx) => publishEvent(tx, { type: 'station.offline', data: { station: 'hankou', since: new Date().toISOString() }, attrs: { station: 'hankou' } }));
    const d = dispatcher();
    d.start();
    const g = await until(async () => rx.got[0]);
    expect(verifyDelivery(oldSecret, g.body, g.headers).ok).toBe(true);
    expect(verifyDelivery(newSecret, g.body, g.headers).ok).toBe(true);
    expect(String(g.headers['webhook-signature']).split(' ')).toHaveLength(2);
    await d.stop();
    await rx.close();
  });

});

describe('webhook dispatcher killed on a TimescaleDB server', () => {
  let db: Db;
  const dispatchers: Dispatcher[] = [];
  const dispatcher = (o: Partial<ConstructorParameters<typeof Dispatcher>[2]> = {}) => {
    const d = new Dispatcher(db, silent, { allowCidrs: ['127.0.0.0/8'], pollMs: 50, leaseS: 30, maxAgeH: 26, baseMs: 300, ...limits, ...o });
    dispatchers.push(d);
    return d;
  };
  beforeAll(async () => {
    ts ??= await startTimescale();
    db = await testDb('server', ts);
  });
  afterAll(async () => {
    for (const d of dispatchers) await d.stop();
    await db?.close();
  });

  it('a dispatcher killed (SIGKILL) between the 2xx and recording it: nothing undelivered, duplicates share the webhook-id', async () => {
    let child: ReturnType<typeof spawn> | null = null;
    const rx = await receiver((_n, _g, res) => {
      res.writeHead(200).end();
      // Kill at the first 2xx, before the child can record it.
      if (child && child.exitCode === null) child.kill('SIGKILL');
    });
    await db.query("UPDATE webhook_subscriptions SET enabled = false WHERE name <> 'killed'");
    await db.transaction((tx) => createSubscription(tx, { name: 'killed', url: rx.url, eventTypes: ['alert.escalated'], maxConcurrency: 4 }, admin));
    const ids: string[] = [];
    await db.transaction(async (tx) => {
      for (let i = 0; i < 20; i++) ids.push((await publishEvent(tx, { type: 'alert.escalated', data: { id: i }, attrs: {} })).messageId);
    });
    const url = (await db.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/dispatch-child.ts')], {
      env: { ...process.env, DATABASE_URL: `postgres://postgres@127.0.0.1:${ts!.port}/${url}`, LEASE_S: '2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((r) => child!.once('exit', () => r()));
    expect(child.signalCode).toBe('SIGKILL');
    const before = rx.got.length;
    expect(before).toBeGreaterThan(0);
    // A surviving dispatcher takes over once the leases expire.
    const d = dispatcher({ leaseS: 2 });
    d.start();
    await until(async () => {
      const r = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE s.name = 'killed' AND d.state <> 'delivered'");
      return r.rows[0]!.n === 0;
    });
    const received = new Set(rx.got.map((g) => g.id));
    expect([...received].sort()).toEqual([...ids].sort()); // 0 undelivered
    expect(rx.got.length).toBeGreaterThan(ids.length - 1); // duplicates (if any) reuse the ids above
    for (const g of rx.got) expect(ids).toContain(g.id);
    await d.stop();
    await rx.close();
  });
});

describe('outgoing request safety at send time', () => {
  const deny = new AddressPolicy([]);
  it.each([
    'http://127.1:9/', 'http://0x7f000001:9/', 'http://[::ffff:127.0.0.1]:9/', 'http://0.0.0.0:9/', 'http://localhost:9/', 'http://169.254.169.254/latest/meta-data/',
  ])('refuses %s before connecting', async (url) => {
    const r = await send(url, '{}', {}, deny, limits);
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/address refused/);
  });

  it('refuses a host name resolving to loopback (checked on the resolved address: DNS rebinding)', async () => {
    const rx = await receiver((_n, _g, res) => res.writeHead(200).end());
    const r = await send(`http://localhost:${rx.port}/`, '{}', {}, deny, limits);
    expect(r.error).toMatch(/address refused: localhost -> 127\.0\.0\.1 is a loopback/);
    expect(rx.got).toHaveLength(0);
    await rx.close();
  });

  it('cuts a response larger than the cap and times out a silent endpoint', async () => {
    const big = await receiver((_n, _g, res) => res.writeHead(500).end('x'.repeat(100_000)));
    const allow = new AddressPolicy(['127.0.0.0/8']);
    const r = await send(big.url, '{}', {}, allow, limits);
    expect(r.error).toMatch(/larger than 4096/);
    expect(r.snippet!.length).toBeLessThanOrEqual(1024 + 16);
    const silentRx = await receiver(() => undefined);
    const t = await send(silentRx.url, '{}', {}, allow, { ...limits, responseTimeoutMs: 300 });
    expect(t).toMatchObject({ status: null, error: expect.stringMatching(/no complete response within 300 ms/) });
    await big.close();
    await silentRx.close();
  });
});

describe('the README receiver example', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = JSON.stringify({ type: 'alert.opened', timestamp: new Date().toISOString(), data: { id: 1 } });
  it('accepts a valid delivery and rejects a tampered body, a wrong secret and a stale timestamp', () => {
    const h = signedHeaders([secret], 'msg_1', new Date(), body);
    expect(verifyDelivery(secret, body, h)).toMatchObject({ ok: true, id: 'msg_1' });
    expect(verifyDelivery(secret, body.replace('"id":1', '"id":2'), h)).toMatchObject({ ok: false });
    expect(verifyDelivery('whsec_' + Buffer.from('another secret, 32 bytes long!!!').toString('base64'), body, h)).toMatchObject({ ok: false });
    const stale = signedHeaders([secret], 'msg_1', new Date(Date.now() - 10 * 60_000), body);
    expect(verifyDelivery(secret, body, stale)).toMatchObject({ ok: false, reason: expect.stringMatching(/too old/i) });
  });
});
