import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeReadingBatch, topics } from '@basin/schemas';
import { freePort, migrate, openServerDb, startEmbeddedBroker, type Db, type EmbeddedBroker } from '@basin/platform';
import { BACKENDS, openTestDb, startMosquitto, type TestDb, type TestMosquitto } from '@basin/platform/testing';
import { start, type IngestService } from '../src/service.js';
import { count, publisher, silentLog, testConfig, waitFor } from './helpers.js';

/**
 * Several workers share the readings through MQTT 5 shared subscriptions, on both backends (on
 * the server each worker has its own pool of several connections, committing concurrently);
 * without shared subscriptions, one worker.
 */
describe.each(BACKENDS)('horizontal scale (%s)', (backend) => {
  let mosq: TestMosquitto;
  let aedes: EmbeddedBroker;
  let tdb: TestDb;
  const services: IngestService[] = [];
  const pools: Db[] = [];

  beforeAll(async () => {
    [mosq, tdb, aedes] = await Promise.all([startMosquitto(), openTestDb(backend, { poolMax: 4 }), freePort().then((port) => startEmbeddedBroker({ host: '127.0.0.1', port }))]);
    await migrate(tdb.db);
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    for (const p of pools) await p.close();
    await aedes?.close();
    await tdb?.close();
    await mosq?.dispose();
  });

  it('two workers in a $share group split the load, each reading stored once', async () => {
    const { db } = tdb;
    for (const id of ['a', 'b']) {
      // Two workers on the server: each its own pool (the service's db), as separate processes would.
      const wdb = tdb.url ? openServerDb({ mode: 'server', connectionString: tdb.url, poolMax: 4 }) : db;
      if (wdb !== db) pools.push(wdb);
      services.push(await start({ config: testConfig({ INGEST_CLIENT_ID: `ingest-shared-${backend}-${id}`, INGEST_SHARE_GROUP: 'basin-ingest', INGEST_BATCH_MS: '20' }), db: wdb, log: silentLog, mqttUrl: mosq.url }));
    }
    expect(services.map((s) => s.mqtt)).toEqual([
      { protocolVersion: 5, shared: true },
      { protocolVersion: 5, shared: true },
    ]);
    const pub = await publisher(mosq.url);
    const t0 = Date.now() - 600_000;
    const N = 400;
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        pub.publishAsync(
          topics.stationReadings('hydro', 'hankou'),
          encodeReadingBatch([{ station: 'hankou', metric: 'water_level', value: 20 + (i % 5) * 0.01, ts: t0 + i * 1000, quality: 'not_evaluated', seq: i }]),
          { qos: 1 },
        ),
      ),
    );
    await pub.endAsync();
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'hankou' AND metric = 'water_level'`)) === N);
    const [a, b] = services.map((s) => s.counters.stored);
    expect(a! + b!).toBe(N);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(services.reduce((s, x) => s + x.counters.duplicates, 0)).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM (SELECT 1 FROM readings GROUP BY station, metric, time HAVING count(*) > 1) d`)).toBe(0);
  });

  it('falls back to one MQTT 3.1.1 worker on a broker without shared subscriptions (aedes)', async () => {
    const { db } = tdb;
    const svc = await start({ config: testConfig({ INGEST_CLIENT_ID: `ingest-aedes-${backend}`, INGEST_SHARE_GROUP: 'basin-ingest' }), db, log: silentLog, mqttUrl: aedes.url });
    services.push(svc);
    expect(svc.mqtt).toEqual({ protocolVersion: 4, shared: false });
    const pub = await publisher(aedes.url);
    const ts = Date.now() - 1000;
    await pub.publishAsync(topics.stationReadings('hydro', 'yichang'), encodeReadingBatch([{ station: 'yichang', metric: 'discharge', value: 12000, ts, quality: 'not_evaluated', seq: 1 }]), { qos: 1 });
    await pub.endAsync();
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'yichang'`)) === 1);
  });
});
