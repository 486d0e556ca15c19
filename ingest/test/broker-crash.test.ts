import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { CommittedAck, encodeReadingBatch, topics } from '@basin/schemas';
import { migrate, openEmbeddedDb, type EmbeddedDb } from '@basin/platform';
import { startMosquitto, type TestMosquitto } from '@basin/platform/testing';
import { start, type IngestService } from '../src/service.js';
import { count, silentLog, testConfig, waitFor } from './helpers.js';

/**
 * End-to-end delivery across a broker crash: Mosquitto is killed (-9) while it holds a backlog for
 * an absent ingest, with autosave far away (as with the default 30 min), so the backlog is lost —
 * although the broker acknowledged every message. A device that keeps its readings until ingest's
 * commit confirmation (basin/v1/committed/<station>) and resends unconfirmed ones loses nothing,
 * and the resends are absorbed: every reading stored exactly once.
 */
describe('delivery across a broker kill -9 (commit confirmations)', () => {
  let mosq: TestMosquitto;
  let db: EmbeddedDb;
  let svc: IngestService | null = null;
  let device: MqttClient | null = null;
  afterAll(async () => {
    await device?.endAsync(true);
    await svc?.stop();
    await db?.close();
    await mosq?.dispose();
  });

  it('loses nothing the broker acknowledged and then lost', { timeout: 180_000 }, async () => {
    mosq = await startMosquitto();
    // Autosave as rarely as Mosquitto's default (1,800 s): a crash loses what is queued.
    await mosq.stop();
    const conf = path.join(mosq.dir, 'mosquitto.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8').replace(/^autosave_interval .*$/m, 'autosave_interval 3600'));
    await mosq.start();
    db = await openEmbeddedDb(null);
    await migrate(db);
    const config = testConfig({ INGEST_CLIENT_ID: 'ingest-broker-crash' });
    svc = await start({ config, db, log: silentLog, mqttUrl: mosq.url });
    await svc.stop(); // the session exists; ingest is away: the broker queues for it
    svc = null;

    // ---- the device: an outbox of unconfirmed readings ----------------------------------------
    const stations = ['yichang', 'shashi', 'hankou', 'huangshi'];
    const PER_STATION = 400;
    const base = Date.now() - 2 * 3_600_000;
    const outbox = new Map<string, { topic: string; payload: string }>(); // station/seq -> message
    for (const station of stations) {
      for (let seq = 1; seq <= PER_STATION; seq++) {
        const payload = encodeReadingBatch([{ station, metric: 'water_level', value: 20 + seq / 1000, ts: base + seq * 1000, quality: 'not_evaluated', seq }]);
        outbox.set(`${station}/${seq}`, { topic: topics.stationReadings('hydro', station), payload });
      }
    }
    let confirmations = 0;
    device = await mqtt.connectAsync(mosq.url, { clientId: 'device-broker-crash', clean: false, protocolVersion: 4, reconnectPeriod: 200 });
    device.on('message', (_t, p) => {
      const ack = CommittedAck.parse(JSON.parse(p.toString()));
      confirmations++;
      for (const [from, to] of ack.seqs) for (let s = from; s <= to; s++) outbox.delete(`${ack.station}/${s}`);
    });
    await device.subscribeAsync(topics.filters.committed, { qos: 1 });
    const sendAll = () => Promise.all([...outbox.values()].map((m) => device!.publishAsync(m.topic, m.payload, { qos: 1 })));
    await sendAll(); // every message PUBACKed by the broker
    expect(outbox.size).toBe(stations.length * PER_STATION);

    await mosq.stop('SIGKILL');
    await mosq.start();
    svc = await start({ config, db, log: silentLog, mqttUrl: mosq.url });
    await waitFor(async () => device!.connected, 20_000);
    await device.subscribeAsync(topics.filters.committed, { qos: 1 }); // the crash lost the device's session too
    // Whatever the broker kept was delivered by now: the rest was lost in the crash.
    await new Promise((r) => setTimeout(r, 2000));
    const storedBeforeResend = await count(db, 'SELECT count(*) AS n FROM readings');
    expect(storedBeforeResend).toBeLessThan(stations.length * PER_STATION);

    // The device resends what is not confirmed, until everything is.
    await waitFor(async () => {
      if (outbox.size === 0) return true;
      await sendAll();
      return false;
    }, 90_000, 2000);
    expect(confirmations).toBeGreaterThan(0);
    const rows = await db.query<{ station: string; n: number; seqs: number }>('SELECT station, count(*)::int AS n, count(DISTINCT seq)::int AS seqs FROM readings GROUP BY station ORDER BY station');
    expect(rows.rows).toEqual([...stations].sort().map((station) => ({ station, n: PER_STATION, seqs: PER_STATION })));
  });
});
