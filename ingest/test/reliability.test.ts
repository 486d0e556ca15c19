import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { BASIN_STATIONS, CommittedAck, STATION_BY_ID, topics, validRange, type MetricCode } from '@basin/schemas';
import { migrate, openServerDb, type Db } from '@basin/platform';
import { startMosquitto, startTimescale, type TestMosquitto, type TestTimescale } from '@basin/platform/testing';
import { logTo, spawnTs, type Child } from './processes.js';

/**
 * End to end, with faults, on the production path: a QoS 1 publisher sends 100,000 readings
 * through a real Mosquitto to ingest running as its own process (a pool of 4), into a private
 * durable TimescaleDB server. During the run the broker is restarted 3 times and killed (-9) once
 * while it holds a backlog (ingest waiting for the database), ingest is killed (-9) 5 times, the
 * database server crashes once (immediate shutdown, recovery on restart) and is down for 30 s once.
 *
 * Mosquitto saves its state only at autosave and on a clean shutdown; here autosave is as rare as
 * Mosquitto's default (1,800 s), so the kill -9 loses what the broker acknowledged since the last
 * restart. The publisher therefore follows the commit protocol (ingest README, "Commit
 * confirmations"): a message leaves its outbox only when ingest's `basin/v1/committed/<station>`
 * confirmations cover all its readings' seqs; unconfirmed ones are sent again after a reconnect
 * and after a confirmation timeout. Every reading must be in the table exactly once, with its
 * exact value.
 */
const TOTAL = 100_000;
const PER_MESSAGE = 10;
const PUBLISH_S = 60;
/** Send a message again when its confirmation has not come this long after its PUBACK. */
const CONFIRM_TIMEOUT_MS = 15_000;

describe('reliability on a TimescaleDB server: broker restarts and kill -9, ingest kills, database crash and outage', () => {
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
    // Autosave as rarely as Mosquitto's default: a kill -9 loses what was received since the last
    // clean shutdown (the test helper saves every second).
    await mosq.stop();
    const conf = path.join(mosq.dir, 'mosquitto.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8').replace(/^autosave_interval .*$/m, 'autosave_interval 3600'));
    await mosq.start();
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

    // ---- publisher: QoS 1, persistent session, an outbox emptied by commit confirmations ------
    /** PUBACK time of each message waiting for its confirmation (0: not waiting). */
    const ackedAt = new Float64Array(messages);
    const seqConfirmed = new Uint8Array(TOTAL);
    const unconfirmed = new Uint8Array(messages).fill(PER_MESSAGE);
    const confirmed = new Uint8Array(messages);
    let confirmedCount = 0;
    let resent = 0;
    let strayConfirmations = 0;
    const pub = await mqtt.connectAsync(mosq.url, { clientId: 'reliability-pub', clean: false, reconnectPeriod: 250, connectTimeout: 5000 });
    pub.on('error', () => undefined);
    pub.on('message', (_t, payload) => {
      const ack = CommittedAck.parse(JSON.parse(payload.toString()));
      for (const [from, to] of ack.seqs) {
        for (let q = from; q <= to; q++) {
          if (q >= TOTAL || reading(q).station !== ack.station) {
            strayConfirmations++;
            continue;
          }
          if (seqConfirmed[q]) continue;
          seqConfirmed[q] = 1;
          const k = Math.floor(q / PER_MESSAGE);
          if (--unconfirmed[k]! === 0) {
            confirmed[k] = 1;
            confirmedCount++;
          }
        }
      }
    });
    await pub.subscribeAsync(topics.filters.committed, { qos: 1 }); // mqtt.js subscribes again if the broker lost the session
    const topic = topics.gatewayReadings('reliability-gw');
    let outstanding = 0;
    let ackedCount = 0;
    const publishOne = (k: number) => {
      outstanding++;
      ackedAt[k] = 0;
      const payload = JSON.stringify({ v: 1, source: 'reliability', readings: Array.from({ length: PER_MESSAGE }, (_, j) => reading(k * PER_MESSAGE + j)) });
      pub.publish(topic, payload, { qos: 1 }, (err) => {
        outstanding--;
        if (err) return void setTimeout(() => publishOne(k), 500);
        if (!confirmed[k]) ackedAt[k] = Date.now();
        if (!acked[k]) {
          acked[k] = 1;
          ackedCount++;
        }
      });
    };
    // Unconfirmed messages go out again: all of them after a reconnect (the broker may have lost
    // them), and any still unconfirmed CONFIRM_TIMEOUT_MS after its PUBACK (a confirmation may
    // have been lost with a connection, or the message with a broker).
    const resendQueue: number[] = [];
    const queueUnconfirmed = (pubackBefore: number) => {
      for (let k = 0; k < messages; k++) {
        const at = ackedAt[k]!;
        if (at > 0 && at <= pubackBefore && !confirmed[k]) {
          ackedAt[k] = 0;
          resendQueue.push(k);
        }
      }
    };
    pub.on('connect', () => queueUnconfirmed(Date.now()));
    let stopResending = false;
    const resender = (async () => {
      while (!stopResending) {
        queueUnconfirmed(Date.now() - CONFIRM_TIMEOUT_MS);
        while (resendQueue.length && outstanding < 1000) {
          const k = resendQueue.shift()!;
          if (confirmed[k]) continue;
          resent++;
          publishOne(k);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
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
    let brokerKills = 0;
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
    await sleep(6000);
    // Nothing can be committed: the broker holds a backlog of acknowledged, unconfirmed messages
    // (ingest's held ones are redelivered from its session). Kill it without a chance to save.
    let waiting = 0;
    for (let k = 0; k < messages; k++) if (ackedAt[k]! > 0 && !confirmed[k]) waiting++;
    stamp(`kill -9 broker holding a backlog: ${waiting} acknowledged messages await their confirmation`);
    expect(waiting).toBeGreaterThan(1000);
    await mosq.stop('SIGKILL');
    brokerKills++;
    await mosq.start();
    stamp('broker started after kill -9');
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
    expect(brokerKills).toBe(1);

    await publishing;
    const end = Date.now() + 90_000;
    while (confirmedCount < messages && Date.now() < end) await sleep(100);
    stopResending = true;
    await resender;
    stamp(`publisher done: ${ackedCount} of ${messages} messages acknowledged by the broker, ${confirmedCount} confirmed committed, ${resent} sent again, ${strayConfirmations} stray confirmations`);
    expect(ackedCount).toBe(messages);
    expect(confirmedCount).toBe(messages);
    expect(strayConfirmations).toBe(0);
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
