/**
 * The secured field path end to end: Mosquitto with the shipped ACL template, per-device credentials
 * and a TLS listener; ingest (start(deps)) logs in as `ingest` over mqtts:// with the CA. A station
 * that publishes to another station's topic or to the registry is refused by the broker, and nothing
 * of it reaches the database; its own readings are stored and confirmed.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeReadingBatch, topics } from '@basin/schemas';
import { createLogger, issueCredentials, migrate, openEmbeddedDb, upsertAclBlock, type EmbeddedDb, type IssuedCredentials } from '@basin/platform';
import { makeTestCertificates, startMosquitto, type TestCertificates, type TestMosquitto } from '@basin/platform/testing';
import * as ingest from '@basin/ingest';

const log = createLogger({ level: 'silent' });
const ACL_TEMPLATE = fileURLToPath(new URL('../deploy/mosquitto/acl', import.meta.url));

async function waitFor(fn: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('secured field path: TLS, per-device credentials, ACL', () => {
  let certs: TestCertificates;
  let broker: TestMosquitto;
  let db: EmbeddedDb;
  let svc: ingest.IngestService;
  let device: MqttClient;
  const users: Record<string, IssuedCredentials> = {};
  const count = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]?.n ?? 0);

  beforeAll(async () => {
    certs = await makeTestCertificates();
    users.ingest = issueCredentials('ingest', [{ kind: 'ingest' }]);
    users.hankou = issueCredentials('hankou', [{ kind: 'station', id: 'hankou' }]);
    const passwd = path.join(certs.dir, 'passwd');
    const acl = path.join(certs.dir, 'acl');
    copyFileSync(ACL_TEMPLATE, acl);
    writeFileSync(passwd, `${Object.values(users).map((u) => u.passwdLine).join('\n')}\n`);
    writeFileSync(acl, upsertAclBlock(readFileSync(acl, 'utf8'), 'hankou', users.hankou.aclBlock));
    broker = await startMosquitto({ passwordFile: passwd, aclFile: acl, tls: { caFile: certs.caFile, certFile: certs.certFile, keyFile: certs.keyFile } });
    db = await openEmbeddedDb(null);
    await migrate(db);
    const config = ingest.loadConfig({
      DATA_DIR: 'memory',
      LOG_LEVEL: 'silent',
      INGEST_METRICS_PORT: '0',
      INGEST_BATCH_MS: '50',
      INGEST_RUN_JOBS: 'false',
      INGEST_CLIENT_ID: 'e2e-secure-ingest',
      MQTT_URL: broker.url,
      MQTT_USERNAME: 'ingest',
      MQTT_PASSWORD: users.ingest.password,
      INGEST_MQTT_CA: certs.caFile,
    });
    svc = await ingest.start({ config, db, log, mqttUrl: broker.url });
    device = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: 'hankou-logger',
      username: 'hankou',
      password: users.hankou.password,
      ca: readFileSync(certs.caFile),
      reconnectPeriod: 0,
    });
  });
  afterAll(async () => {
    await device?.endAsync(true).catch(() => undefined);
    await svc?.stop();
    await db?.close();
    await broker?.dispose();
  });

  const publish = (topic: string, payload: string, retain = false) =>
    new Promise<number>((resolve) =>
      device.publish(topic, payload, { qos: 1, retain }, (err, packet) =>
        resolve(err ? ((err as { code?: number }).code ?? -1) : ((packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0)),
      ),
    );

  it('refuses the forged messages at the broker; stores and confirms the station’s own', async () => {
    const confirmed: string[] = [];
    device.on('message', (topic) => confirmed.push(topic));
    await device.subscribeAsync(topics.committed('hankou'), { qos: 1 });
    const nameBefore = (await db.query<{ name_en: string }>(`SELECT name_en FROM stations WHERE id = 'hankou'`)).rows[0]?.name_en;
    const t = Date.now() - 60_000;
    const reading = (station: string, seq: number) => encodeReadingBatch([{ station, metric: 'water_level', value: 20 + seq, ts: t + seq * 1000, quality: 'not_evaluated', seq }]);

    // another station's reading topic, and a gateway topic, with readings naming that station
    expect(await publish(topics.stationReadings('hydro', 'wuhan-guanqiao'), reading('wuhan-guanqiao', 1))).toBe(135);
    expect(await publish(topics.gatewayReadings('gw-rogue'), reading('yichang', 2))).toBe(135);
    // the catalogue: a retained document renaming and moving Hankou
    const forged = JSON.stringify({ id: 'hankou', name: { zh: '假', en: 'Forged' }, kind: 'hydro', location: { lon: 0, lat: 0 } });
    expect(await publish(topics.registry('hankou'), forged, true)).toBe(135);
    // its confirmations are ingest's to send
    expect(await publish(topics.committed('hankou'), JSON.stringify({ v: 1, station: 'hankou', seqs: [[0, 99]], ts: Date.now() }))).toBe(135);
    // its own reading (the canary, sent last) is accepted, stored and confirmed
    expect(await publish(topics.stationReadings('hydro', 'hankou'), reading('hankou', 3))).toBe(0);

    await waitFor(async () => (await count(`SELECT count(*) AS n FROM readings WHERE station = 'hankou'`)) === 1);
    await waitFor(() => confirmed.length > 0);
    expect(await count(`SELECT count(*) AS n FROM readings WHERE station <> 'hankou'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM dead_letters`)).toBe(0);
    expect((await db.query<{ name_en: string }>(`SELECT name_en FROM stations WHERE id = 'hankou'`)).rows[0]?.name_en).toBe(nameBefore);
    expect(svc.counters.received).toBe(1);
  });

  it('refuses a wrong password and a client without the CA', async () => {
    await expect(
      mqtt.connectAsync(broker.url, { username: 'hankou', password: 'wrong', ca: readFileSync(certs.caFile), reconnectPeriod: 0, protocolVersion: 5 }),
    ).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
    await expect(
      mqtt.connectAsync(broker.url, { username: 'hankou', password: users.hankou!.password, reconnectPeriod: 0, connectTimeout: 10_000 }),
    ).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
  });
});
