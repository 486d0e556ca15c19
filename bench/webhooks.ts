/**
 * `npm run bench -- webhooks [--samples N] [--rate R]`
 *
 * publish_to_webhook_p50_ms / _p99_ms: from a reading published over MQTT to the signed webhook
 * verified by a local receiver, through the whole production path — Mosquitto → ingest (validated,
 * committed to a private TimescaleDB server) → NOTIFY → twin-engine live state → elected rule
 * evaluator (the shipped rule `nh3n-worse-than-iii`) → alert + webhook outbox in one transaction →
 * dispatcher → signed POST. Meanwhile a background load of R readings/s (default 10,000) is
 * published over MQTT as gateway batches at every station and goes through the same ingest and
 * rule evaluation. Samples are sequential: NH3-N 1.05 mg/L (GB 3838 class IV) at a Wuhan intake
 * opens an alert; 0.95 mg/L (class III) clears it (the rule auto-resolves) before the next sample.
 * The steps are small on purpose: ingest's QC flags a jump of 1 mg/L as a spike (suspect), and
 * suspect readings neither raise nor clear this rule. Last line: one JSON object.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { Webhook } from 'standardwebhooks';
import { BASIN_STATIONS, topics, type MetricCode } from '@basin/schemas';
import { createLogger, migrate, openServerDb, upsertStations } from '@basin/platform';
import { startMosquitto, startTimescale } from '@basin/platform/testing';
import * as ingest from '@basin/ingest';
import * as twin from '@basin/twin-engine';
import { systemPrincipal } from '../twin-engine/src/auth/roles.js';
import { createSubscription } from '../twin-engine/src/webhooks/store.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const samples = Number(arg('samples', '40'));
const rate = Number(arg('rate', '10000'));
const SIGNAL = 'intake-baihezui';

const log = createLogger({ level: arg('log', 'silent') as 'silent' });
const [ts, broker] = await Promise.all([startTimescale(), startMosquitto()]);
const dbUrl = await ts.createDatabase();
const db = openServerDb({ mode: 'server', connectionString: dbUrl, poolMax: 12 });
await migrate(db);
await upsertStations(db, BASIN_STATIONS);

// The receiver: records when each alert.opened / alert.resolved for the signal station arrives.
let secret = '';
const waiters: { type: string; resolve: (t: number) => void }[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const ev = new Webhook(secret).verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>) as { type: string; data: { station?: string } };
    res.writeHead(204).end();
    if (ev.data.station !== SIGNAL) return;
    const i = waiters.findIndex((w) => w.type === ev.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(at);
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
secret = (await db.transaction((tx) => createSubscription(tx, { name: 'bench', url: hookUrl, eventTypes: ['alert.opened', 'alert.resolved'], filters: { stations: [SIGNAL] } }, systemPrincipal('bench')))).secret;

const env = { MQTT_URL: broker.url, DATABASE_URL: dbUrl, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', INGEST_METRICS_PORT: '0', VIEWER_DIR: '/nonexistent', WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8' };
const ing = await ingest.start({ config: ingest.loadConfig({ ...env, INGEST_CLIENT_ID: 'bench-ingest' }), db, log, mqttUrl: broker.url });
const tw = await twin.start({ config: twin.loadConfig(env), db, log });

const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-publisher', clean: true });

// Background load: `rate` readings/s as gateway batches (one calm metric per station), every 50 ms.
const CALM: [MetricCode, number][] = [['rainfall', 0], ['water_temp', 18], ['air_temp', 12], ['soil_temp', 14]];
const load = BASIN_STATIONS.filter((s) => s.id !== SIGNAL)
  .map((s) => ({ station: s.id, pick: CALM.find(([m]) => s.metrics.includes(m)) }))
  .filter((x): x is { station: string; pick: [MetricCode, number] } => x.pick !== undefined);
const lastTs = new Map<string, number>();
let loading = true;
let loaded = 0;
const loadStart = Date.now();
const background = (async () => {
  let tick = Date.now();
  while (loading) {
    const per = Math.max(1, Math.round(rate / 20));
    const readings = [];
    for (let i = 0; i < per; i++) {
      const { station, pick } = load[(loaded + i) % load.length]!;
      const t = Math.max((lastTs.get(station) ?? 0) + 1, Date.now() - 2000);
      lastTs.set(station, t);
      readings.push({ station, metric: pick[0], value: pick[1] + ((loaded + i) % 7) * 0.01, ts: t });
    }
    for (let i = 0; i < readings.length; i += 1000) {
      await pub.publishAsync(topics.gatewayReadings('bench-gw'), JSON.stringify({ v: 1, source: 'bench-gw', readings: readings.slice(i, i + 1000) }), { qos: 1 });
    }
    loaded += per;
    tick += 50;
    const wait = tick - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
})();

const publishSignal = (value: number) =>
  pub.publishAsync(topics.stationReadings('water', SIGNAL), JSON.stringify({ v: 1, station: SIGNAL, readings: [{ metric: 'nh3n', value, ts: Date.now() }] }), { qos: 1 });
const arrival = (type: string, timeoutMs: number) =>
  new Promise<number | null>((resolve) => {
    const w = { type, resolve: (t: number) => resolve(t) };
    waiters.push(w);
    setTimeout(() => {
      const i = waiters.indexOf(w);
      if (i >= 0) {
        waiters.splice(i, 1);
        resolve(null);
      }
    }, timeoutMs);
  });

await new Promise((r) => setTimeout(r, 3000)); // warm-up under load
const lat: number[] = [];
let missed = 0;
for (let n = 0; n < samples; n++) {
  const opened = arrival('alert.opened', 15_000);
  const t0 = performance.now();
  await publishSignal(1.05);
  const at = await opened;
  if (at === null) missed++;
  else lat.push(at - t0);
  const resolved = arrival('alert.resolved', 15_000);
  await new Promise((r) => setTimeout(r, 5)); // the clearing reading is a later one
  await publishSignal(0.95);
  await resolved;
}
loading = false;
await background;
const backgroundRate = Math.round(loaded / ((Date.now() - loadStart) / 1000));
lat.sort((a, b) => a - b);
const q = (p: number) => (lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 10) / 10 : null);
if (arg('debug', '') === 'true') {
  const a = await db.query(`SELECT id, rule_id, state, resolution, evidence::text FROM alerts ORDER BY id`);
  process.stdout.write(JSON.stringify(a.rows, null, 1) + '\n');
  const r = await db.query(`SELECT time, value FROM readings WHERE station = '${SIGNAL}' ORDER BY time`);
  process.stdout.write(JSON.stringify(r.rows) + '\n');
  const d = await db.query(`SELECT reason, count(*) FROM dead_letters GROUP BY 1`);
  process.stdout.write(JSON.stringify(d.rows) + '\n');
}
const stored = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings')).rows[0]!.n;
const result = {
  bench: 'webhooks',
  db: 'server',
  samples,
  delivered: lat.length,
  missed,
  background_readings_per_s: backgroundRate,
  readings_stored: stored,
  publish_to_webhook_p50_ms: q(0.5),
  publish_to_webhook_p99_ms: q(0.99),
  goal_p99_ms: 1000,
  path: 'MQTT publish -> Mosquitto -> ingest commit -> NOTIFY -> twin live state -> rule evaluator (nh3n-worse-than-iii) -> alert + outbox -> dispatcher -> signed POST verified',
};
process.stdout.write(
  `webhook latency over ${lat.length}/${samples} alerts under ${backgroundRate} readings/s (MQTT → ingest → rules → webhook): p50 ${result.publish_to_webhook_p50_ms} ms, p99 ${result.publish_to_webhook_p99_ms} ms\n`,
);
await pub.endAsync();
await tw.stop();
await ing.stop();
server.close();
await db.close();
await broker.dispose();
await ts.dispose();
process.stdout.write(`${JSON.stringify(result)}\n`);
