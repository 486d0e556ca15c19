import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { buildHj212Realtime, encodeHj212Frame, encodeReadingBatch, topics, type Reading } from '@basin/schemas';
import { migrate, openEmbeddedDb, openServerDb, type Db } from '@basin/platform';
import { startMosquitto, startTimescale, type TestMosquitto, type TestTimescale } from '@basin/platform/testing';
import { start, type IngestService } from '../src/service.js';
import { count, publisher, silentLog, testConfig, waitFor } from './helpers.js';

/**
 * Hostile input: every case is followed by a good canary reading that must be stored within
 * seconds — no input stops ingestion. The same cases run on embedded PGlite-TimescaleDB and on a
 * TimescaleDB server (one Mosquitto and one server for the whole file).
 */

let mosq: TestMosquitto;
let server: TestTimescale;
beforeAll(async () => {
  [mosq, server] = await Promise.all([startMosquitto(), startTimescale()]);
});
afterAll(async () => {
  await mosq?.dispose();
  await server?.dispose();
});

const CANARY = 'hankou';
const HOUR = 3_600_000;

describe.each([
  { backend: 'embedded', open: async (): Promise<Db> => openEmbeddedDb(null) },
  { backend: 'server', open: async (): Promise<Db> => openServerDb({ mode: 'server', connectionString: await server.createDatabase(), poolMax: 4 }) },
])('hostile input ($backend)', ({ backend, open }) => {
  let db: Db;
  let svc: IngestService;
  let pub: MqttClient;
  let canaryTs = Date.now() - 2 * HOUR;

  beforeAll(async () => {
    db = await open();
    await migrate(db);
    svc = await start({
      config: testConfig({ INGEST_CLIENT_ID: `ingest-hostile-${backend}`, INGEST_HJ212_PORT: '0', INGEST_HJ212_MN_MAP: 'MN0001=wq-zongguan' }),
      db,
      log: silentLog,
      mqttUrl: mosq.url,
    });
    pub = await publisher(mosq.url);
  });
  afterAll(async () => {
    await pub?.endAsync();
    await svc?.stop();
    await db?.close();
  });

  /** A good reading published after the hostile input must be stored promptly. */
  async function canary(): Promise<void> {
    const ts = (canaryTs += 60_000);
    await pub.publishAsync(topics.stationReadings('hydro', CANARY), encodeReadingBatch([{ station: CANARY, metric: 'water_level', value: 20, ts, quality: 'not_evaluated', seq: null }]), { qos: 1 });
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM readings WHERE station = $1 AND time = to_timestamp($2 / 1000.0)`, [CANARY, ts])) === 1, 15_000);
  }
  const reasons = async (topic: string) =>
    (await db.query<{ reason: string }>('SELECT reason FROM dead_letters WHERE topic = $1 ORDER BY id', [topic])).rows.map((r) => r.reason);

  it('a payload that is a single NUL byte', async () => {
    const topic = topics.stationReadings('hydro', 'shashi');
    await pub.publishAsync(topic, Buffer.from([0]), { qos: 1 });
    await canary();
    expect(await reasons(topic)).toEqual(['undecodable']);
  });

  it('NUL and invalid UTF-8 in status and registry documents', async () => {
    const now = Date.now();
    await pub.publishAsync(topics.status('dev-nul'), JSON.stringify({ v: 1, client: 'dev-nul', state: 'online', ts: now, firmware: 'v1\u0000\uD800', reason: 'x\u0000' }), { qos: 1 });
    const doc = {
      id: 'wq-nul-test',
      name: { zh: '测试\u0000', en: 'NUL\u0000 \uDC00station' },
      kind: 'water_quality',
      location: { lon: 114.3, lat: 30.6 },
      metrics: ['ph'],
      jurisdiction: { admin: '湖北省\u0000', owner: 'test\u0000' },
    };
    await pub.publishAsync(topics.registry('wq-nul-test'), JSON.stringify(doc), { qos: 1 });
    await pub.publishAsync(topics.stationReadings('water', 'wq-zongguan'), Buffer.concat([Buffer.from('{"v":1,"readings":[{"metric":"ph","value":7,"ts":1}],"x":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), { qos: 1 });
    await canary();
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM device_status WHERE client = 'dev-nul'`)) === 1, 10_000);
    const st = await db.query<{ detail: { firmware: string } }>(`SELECT detail FROM device_status WHERE client = 'dev-nul'`);
    expect(st.rows[0]!.detail.firmware).toBe('v1\\u0000\uFFFD');
    const s = await db.query<{ name_en: string }>(`SELECT name_en FROM stations WHERE id = 'wq-nul-test'`);
    expect(s.rows[0]!.name_en).toBe('NUL\\u0000 \uFFFDstation');
  });

  it('a NUL in an HJ 212 MN, and a lone frame with a bad length header', async () => {
    const seg = buildHj212Realtime({ mn: 'MN\u00000001', pw: '123456', st: '21', ts: Date.now() - 60_000, flag: 5, values: [{ metric: 'ph', value: 7.1 }] });
    const frame = encodeHj212Frame(seg);
    const badLength = `##9999${seg}1234\r\n`;
    const sock = net.connect(svc.hj212Port!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let replies = '';
    sock.on('data', (d) => (replies += d.toString()));
    sock.write(frame);
    sock.write(badLength);
    await canary();
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM dead_letters WHERE reason = 'hj212_bad_frame' AND detail LIKE '%length%'`)) >= 1, 10_000);
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM dead_letters WHERE reason = 'hj212_unknown_mn'`)) >= 1, 10_000);
    expect(replies).toBe(''); // unknown MN: no 9014, the logger keeps the data and resends later
    sock.destroy();
  });

  it('duplicate readings and duplicate station documents within one batch', async () => {
    const t = Date.now() - HOUR;
    const r = (value: number, seq: number): Reading => ({ station: 'luoshan', metric: 'water_level', value, ts: t, quality: 'not_evaluated', seq });
    const doc = (version: number, en: string) =>
      JSON.stringify({ id: 'wq-dup-doc', version, name: { zh: '重复', en }, kind: 'water_quality', location: { lon: 114.2, lat: 30.5 }, metrics: ['ph'], jurisdiction: { admin: '湖北省武汉市', owner: 'test' } });
    await Promise.all([
      pub.publishAsync(topics.gatewayReadings('gw-dup'), encodeReadingBatch([r(21, 1), r(21, 1), r(22, 2)]), { qos: 1 }),
      pub.publishAsync(topics.registry('wq-dup-doc'), doc(1, 'first'), { qos: 1, retain: true }),
      pub.publishAsync(topics.registry('wq-dup-doc'), doc(1, 'first'), { qos: 1 }),
      pub.publishAsync(topics.registry('wq-dup-doc'), doc(2, 'second'), { qos: 1 }),
    ]);
    await canary();
    expect(await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'luoshan' AND time = to_timestamp($1 / 1000.0)`, [t])).toBe(1);
    const conflicts = await db.query<{ kept_value: number; rejected_value: number }>(`SELECT kept_value, rejected_value FROM reading_conflicts WHERE station = 'luoshan'`);
    expect(conflicts.rows).toEqual([{ kept_value: 21, rejected_value: 22 }]);
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM stations WHERE id = 'wq-dup-doc' AND name_en = 'second'`)) === 1, 10_000);
    await pub.publishAsync(topics.registry('wq-dup-doc'), '', { qos: 1, retain: true });
  });
});
