import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { BASIN_STATIONS, STATION_BY_ID, topics, validRange, type MetricCode } from '@basin/schemas';
import { migrate, openServerDb, type Db } from '@basin/platform';
import { startMosquitto, startTimescale, type TestMosquitto, type TestTimescale } from '@basin/platform/testing';
import { logTo, spawnTs, type Child } from './processes.js';

/**
 * At-least-once end to end, with faults, on the production path: a QoS 1 publisher sends 100,000
 * readings through a real Mosquitto to ingest running as its own process (a pool of 4), into a
 * private durable TimescaleDB server. During the run the broker is restarted 3 times, ingest is
 * killed (-9) 5 times, the database server crashes once (immediate shutdown, recovery on restart)
 * and is down for 30 s once. Every reading the broker acknowledged to the publisher must be in the
 * table exactly once, with its exact value.
 */
const TOTAL = 100_000;
const PER_MESSAGE = 10;
const PUBLISH_S = 60;

describe('reliability on a TimescaleDB server: broker restarts, ingest kills, database crash and outage', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'basin-reliability-'));
  const log = logTo(path.join(dir, 'processes.log'));
  let mosq: TestMosquitto | null = null;
  let server: TestTimescale | null = null;
  let ingest: Child | null = null;
  let db: Db | null = null;

  afterAll(async () => {
    await ingest?.kill('SIGKILL');
    await db?.close().catch(() => undefined);
    await server?.dispose();
    await mosq?.dispose();
    log.end();
    if (process.env.KEEP_TEST_DIR !== '1') rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing and stores each acknowledged reading exactly once', { timeout: 600_000 }, async () => {
    const t0 = Date.now();
    const stamp = (what: string) => log.write(`\n===== +${((Date.now() - t0) / 1000).toFixed(1)}s ${what}\n`);
    [mosq, server] = await Promise.all([startMosquitto(), startTimescale()]);
    const dbUrl = server.url;
    db = openServerDb({ mode: 'server', connectionString: dbUrl, poolMax: 1 });
    await migrate(db);
    const startIngest = async () => {
      ingest = spawnTs(
        'ingest/src/main.ts',
        [],
        {
          MQTT_URL: mosq!.url,
          DATABASE_URL: dbUrl,
          DATABASE_POOL_MAX: '4',
          INGEST_CLIENT_ID: 'reliability-ingest',
          INGEST_METRICS_ENABLED: 'false',
          INGEST_RUN_JOBS: 'false',
          INGEST_RETRY_MAX_MS: '1000',
          INGEST_BATCH_SIZE: '2000',
          INGEST_BATCH_MS: '100',
          LOG_LEVEL: 'info',
        },
        /"msg":"ingest ready"/,
        log,
      );
      stamp(`ingest started pid ${ingest.proc.pid}`);
    };
    await startIngest();
    await ingest!.ready; // the persistent session exists from here on

    // ---- the readings: every (station, metric) series, one per second per series -------------
    const series: [string, MetricCode][] = BASIN_STATIONS.flatMap((s) => s.metrics.map((m) => [s.id, m] as [string, MetricCode]));
    const base = Math.floor(Date.now() / 1000) * 1000 - 30 * 60_000;
    const reading = (i: number) => {
      const [station, metric] = series[i % series.length]!;
      // inside the station's own valid range (water levels: from its reference levels)
      const m = validRange(STATION_BY_ID.get(station), metric);
      return { station, metric, value: Number((m.min + (m.max - m.min) * (0.2 + ((i * 7919) % 1000) / 5000)).toFixed(4)), ts: base + Math.floor(i / series.length) * 1000, seq: i };
    };
    const messages = TOTAL / PER_MESSAGE;
    const acked = new Uint8Array(messages);

    // ---- publisher: QoS 1, persistent session, retries anything not acknowledged -------------
    const pub = await mqtt.connectAsync(mosq.url, { clientId: 'reliability-pub', clean: false, reconnectPeriod: 250, connectTimeout: 5000 });
    pub.on('error', () => undefined);
    const topic = topics.gatewayReadings('reliability-gw');
    let outstanding = 0;
    let ackedCount = 0;
    const publishOne = (k: number) => {
      outstanding++;
      const payload = JSON.stringify({ v: 1, source: 'reliability', readings: Array.from({ length: PER_MESSAGE }, (_, j) => reading(k * PER_MESSAGE + j)) });
      pub.publish(topic, payload, { qos: 1 }, (err) => {
        outstanding--;
        if (err) setTimeout(() => publishOne(k), 500);
        else if (!acked[k]) {
          acked[k] = 1;
          ackedCount++;
        }
      });
    };
    const publishing = (async () => {
      const start = Date.now();
      for (let k = 0; k < messages; k++) {
        while (outstanding >= 1000 || k > ((Date.now() - start) / (PUBLISH_S * 1000)) * messages) await new Promise((r) => setTimeout(r, 5));
        publishOne(k);
      }
    })();

    // ---- faults ------------------------------------------------------------------------------
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let kills = 0;
    let restarts = 0;
    const killIngest = async () => {
      stamp(`kill -9 ingest pid ${ingest!.proc.pid}`);
      await ingest!.kill('SIGKILL');
      kills++;
      await startIngest();
    };
    const restartBroker = async () => {
      stamp('broker restart');
      await mosq!.restart();
      restarts++;
    };
    await sleep(5000);
    await killIngest();
    await ingest!.ready;
    await sleep(3000);
    await restartBroker();
    await sleep(3000);
    stamp('database server crash (immediate shutdown)');
    await server.crash();
    await sleep(2000);
    await server.start();
    stamp('database server recovered');
    await sleep(3000);
    await killIngest();
    await ingest!.ready;
    await sleep(3000);
    stamp('database down');
    const outageStart = Date.now();
    await server.stop();
    await sleep(8000);
    await killIngest(); // restarts while the database is down: it waits for it
    await sleep(Math.max(0, 30_000 - (Date.now() - outageStart)));
    await server.start();
    stamp(`database up after ${((Date.now() - outageStart) / 1000).toFixed(1)} s`);
    await ingest!.ready;
    await sleep(3000);
    await restartBroker();
    await sleep(3000);
    await killIngest();
    await ingest!.ready;
    await sleep(2000);
    await restartBroker();
    await sleep(2000);
    await killIngest();
    await ingest!.ready;
    expect(kills).toBe(5);
    expect(restarts).toBe(3);

    await publishing;
    const end = Date.now() + 60_000;
    while (ackedCount < messages && Date.now() < end) await sleep(100);
    stamp(`publisher done: ${ackedCount} of ${messages} messages acknowledged`);
    expect(ackedCount).toBe(messages);
    await pub.endAsync();

    // ---- verification: every acknowledged reading stored exactly once ------------------------
    const want = ackedCount * PER_MESSAGE;
    const countStored = async () =>
      Number((await db!.query<{ n: number }>(`SELECT count(*) AS n FROM readings WHERE time >= to_timestamp($1 / 1000.0)`, [base])).rows[0]!.n);
    let n = 0;
    const drainEnd = Date.now() + 60_000;
    while ((n = await countStored()) < want && Date.now() < drainEnd) await sleep(500);
    stamp(`stored ${n} of ${want}`);
    await ingest!.kill('SIGTERM');
    const rows = await db.query<{ station: string; metric: string; t: number; value: number; seq: number }>(
      `SELECT station, metric, (extract(epoch FROM time) * 1000)::float8 AS t, value, seq FROM readings WHERE time >= to_timestamp($1 / 1000.0)`,
      [base],
    );
    const have = new Map(rows.rows.map((r) => [`${r.station}|${r.metric}|${Math.round(r.t)}`, r]));
    let missing = 0;
    let wrong = 0;
    for (let k = 0; k < messages; k++) {
      if (!acked[k]) continue;
      for (let j = 0; j < PER_MESSAGE; j++) {
        const r = reading(k * PER_MESSAGE + j);
        const got = have.get(`${r.station}|${r.metric}|${r.ts}`);
        if (!got) missing++;
        else if (got.value !== r.value || got.seq !== r.seq) wrong++;
      }
    }
    const dupKeys = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM (SELECT station, metric, time FROM readings GROUP BY 1, 2, 3 HAVING count(*) > 1) d`,
    );
    const dead = await db.query<{ n: number }>(`SELECT count(*) AS n FROM dead_letters`);
    stamp(`missing ${missing}, wrong ${wrong}, rows ${rows.rows.length}, dead letters ${dead.rows[0]!.n}`);
    expect(missing).toBe(0);
    expect(wrong).toBe(0);
    expect(rows.rows.length).toBe(TOTAL);
    expect(Number(dupKeys.rows[0]!.n)).toBe(0);
    expect(Number(dead.rows[0]!.n)).toBe(0);
  });
});
