/**
 * `npm run bench -- webhooks [--samples N] [--rate R] [--db embedded|server]`
 *
 * publish_to_webhook_p50_ms / _p99_ms: from a threshold-crossing reading committed to the signed
 * webhook verified by a local receiver, under a background load of R readings/s (default 10,000)
 * inserted into the readings hypertable. The rule decision is the minimal built-in threshold path
 * of this benchmark (value > warning level -> openAlert in the reading's transaction), not the
 * rule engine: the figure measures commit -> outbox -> dispatcher -> signed HTTP delivery.
 * Last line: one JSON object.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { BASIN_STATIONS } from '@basin/schemas';
import { createLogger, migrate, openEmbeddedDb, openServerDb, upsertStations, type Db } from '@basin/platform';
import { startTimescale } from '@basin/platform/testing';
import { openAlert } from '../twin-engine/src/ops/alerts.js';
import { systemPrincipal } from '../twin-engine/src/auth/roles.js';
import { createSubscription } from '../twin-engine/src/webhooks/store.js';
import { Dispatcher } from '../twin-engine/src/webhooks/dispatcher.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const samples = Number(arg('samples', '60'));
const rate = Number(arg('rate', '10000'));
const mode = arg('db', 'server');

const ts = mode === 'server' ? await startTimescale() : null;
const db: Db = ts ? openServerDb({ mode: 'server', connectionString: ts.url, poolMax: 8 }) : await openEmbeddedDb(null);
await migrate(db);
await upsertStations(db, BASIN_STATIONS);
const log = createLogger({ level: 'silent' });
const actor = systemPrincipal('bench');

const arrivals = new Map<number, number>();
let secret = '';
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const ev = new Webhook(secret).verify(body, req.headers as Record<string, string>) as { data: { evidence: { n: number } } };
    arrivals.set(ev.data.evidence.n, performance.now());
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
secret = (await db.transaction((tx) => createSubscription(tx, { name: 'bench', url, eventTypes: ['alert.opened'], maxConcurrency: 8 }, actor))).secret;
const dispatcher = new Dispatcher(db, log, { allowCidrs: ['127.0.0.0/8'], pollMs: 250, leaseS: 60, maxAgeH: 26, connectTimeoutMs: 5000, responseTimeoutMs: 15000, maxResponseBytes: 65536 });
dispatcher.start();

// Background load: `rate` readings/s in batches of rate/10 every 100 ms.
const stations = BASIN_STATIONS.map((s) => s.id);
let loading = true;
let loaded = 0;
const loadStart = Date.now();
const load = (async () => {
  let t = Date.now();
  while (loading) {
    const n = rate / 10;
    const time = new Date(t).toISOString();
    await db.query(
      `INSERT INTO readings (time, station, metric, value, quality) SELECT $1::timestamptz + (i * interval '1 microsecond'), $2::text[] ... ON CONFLICT DO NOTHING`.replace(
        '$2::text[] ...',
        `($2::text[])[1 + i % cardinality($2::text[])], 'turbidity', random() * 100, 1 FROM generate_series(0, $3 - 1) AS i`,
      ),
      [time, stations, n],
    );
    loaded += n;
    t += 100;
    const wait = t - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
})();

await new Promise((r) => setTimeout(r, 2000));
const sent = new Map<number, number>();
for (let n = 0; n < samples; n++) {
  const value = 28 + n / 1000;
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO readings (time, station, metric, value, quality) VALUES (now(), 'hankou', 'water_level', $1, 1) ON CONFLICT DO NOTHING`, [value]);
    if (value > 27.3) {
      await openAlert(tx, { ruleId: 'bench-warning', ruleVersion: 1, subject: `hankou-${n}`, kind: 'flood', severity: 'yellow', title: 'Hankou above warning', station: 'hankou', metric: 'water_level', evidence: { n, value } }, actor);
    }
  });
  sent.set(n, performance.now());
  dispatcher.nudge();
  await new Promise((r) => setTimeout(r, 100));
}
const t0 = Date.now();
while (arrivals.size < samples && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
loading = false;
await load;
const lat = [...sent].filter(([n]) => arrivals.has(n)).map(([n, t]) => arrivals.get(n)! - t).sort((a, b) => a - b);
const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 10) / 10;
const result = {
  bench: 'webhooks',
  db: mode,
  samples,
  delivered: lat.length,
  background_readings_per_s: Math.round(loaded / ((Date.now() - loadStart) / 1000)),
  publish_to_webhook_p50_ms: q(0.5),
  publish_to_webhook_p99_ms: q(0.99),
  path: 'threshold reading committed -> openAlert outbox (same transaction) -> dispatcher -> signed POST verified by the receiver',
};
process.stdout.write(`webhook latency over ${lat.length}/${samples} deliveries under ~${rate} readings/s: p50 ${result.publish_to_webhook_p50_ms} ms, p99 ${result.publish_to_webhook_p99_ms} ms\n`);
await dispatcher.stop();
server.close();
await db.close();
await ts?.dispose();
process.stdout.write(`${JSON.stringify(result)}\n`);
