import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { buildHj212Realtime, encodeHj212Frame, encodeReadingBatch, topics, type Reading } from '@basin/schemas';
import { migrate, type Db } from '@basin/platform';
import { BACKENDS, openTestDb, startMosquitto, type TestDb, type TestMosquitto } from '@basin/platform/testing';
import { start, type IngestService } from '../src/service.js';
import { count, publisher, silentLog, testConfig, waitFor } from './helpers.js';

/**
 * Hostile input: every case is followed by a good canary reading that must be stored within
 * seconds — no input stops ingestion. The same cases run on embedded PGlite-TimescaleDB and on a
 * TimescaleDB server (one Mosquitto and one server for the whole file).
 */

let mosq: TestMosquitto;
beforeAll(async () => {
  mosq = await startMosquitto();
});
afterAll(async () => {
  await mosq?.dispose();
});

const CANARY = 'hankou';
const HOUR = 3_600_000;

describe.each(BACKENDS)('hostile input (%s)', (backend) => {
  let tdb: TestDb;
  let db: Db;
  let svc: IngestService;
  let pub: MqttClient;
  let canaryTs = Date.now() - 2 * HOUR;

  beforeAll(async () => {
    tdb = await openTestDb(backend);
    db = tdb.db;
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
    await tdb?.close();
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

  it('a conflicting duplicate of a stored reading is recorded with both values and counted', async () => {
    const t = Date.now() - 3 * HOUR;
    const send = (value: number) => pub.publishAsync(topics.stationReadings('hydro', 'huangshi'), encodeReadingBatch([{ station: 'huangshi', metric: 'water_level', value, ts: t, quality: 'not_evaluated', seq: null }]), { qos: 1 });
    await send(15.5);
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'huangshi' AND time = to_timestamp($1 / 1000.0)`, [t])) === 1, 15_000);
    const before = svc.counters.conflicts;
    await send(16.5);
    await send(15.5); // an exact redelivery is a duplicate, not a conflict
    await canary();
    await waitFor(async () => svc.counters.conflicts > before, 10_000);
    const rows = await db.query<{ kept_value: number; rejected_value: number; source: string }>(`SELECT kept_value, rejected_value, source FROM reading_conflicts WHERE station = 'huangshi'`);
    expect(rows.rows).toEqual([{ kept_value: 15.5, rejected_value: 16.5, source: topics.stationReadings('hydro', 'huangshi') }]);
    expect(svc.counters.conflicts - before).toBe(1);
    expect(await (await fetch(`${svc.metricsUrl}/metrics`)).text()).toMatch(/basin_ingest_conflicts_total [1-9]/);
  });

  it('a far-future status is rejected and a later real offline applies', async () => {
    const client = 'dev-future';
    await pub.publishAsync(topics.status(client), JSON.stringify({ v: 1, client, state: 'online', ts: 8.64e15 }), { qos: 1 });
    await pub.publishAsync(topics.status(client), JSON.stringify({ v: 1, client, state: 'offline', ts: Date.now() }), { qos: 1 });
    await canary();
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM device_status WHERE client = $1 AND state = 'offline'`, [client])) === 1, 10_000);
    expect(await reasons(topics.status(client))).toEqual(['future_timestamp']);
  });

  it('SenML units are converted to the catalogue unit, unknown units dead-lettered', async () => {
    const t = (Date.now() - HOUR) / 1000;
    const topic = topics.stationReadings('water', 'wq-qixing');
    await pub.publishAsync(
      topic,
      JSON.stringify([
        { bn: 'urn:basin:wq-qixing:', bt: t, n: 'conductivity', v: 0.5, u: 'mS/cm' },
        { n: 'water_temp', v: 293.15, u: 'K' },
        { n: 'ph', v: 7.2, t: 1, u: 'furlong' },
      ]),
      { qos: 1 },
    );
    await canary();
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'wq-qixing' AND time = to_timestamp($1)`, [t])) === 2, 10_000);
    const rows = await db.query<{ metric: string; value: number }>(`SELECT metric, value FROM readings WHERE station = 'wq-qixing' AND time = to_timestamp($1) ORDER BY metric`, [t]);
    expect(rows.rows.map((r) => [r.metric, Math.round(r.value * 1000) / 1000])).toEqual([
      ['conductivity', 500],
      ['water_temp', 20],
    ]);
    expect(await reasons(topic)).toContain('unknown_unit');
  });

  it('huge, deep and many-bad-record payloads: one clean dead letter each', async () => {
    const deepTopic = topics.stationReadings('hydro', 'jianli');
    await pub.publishAsync(deepTopic, '['.repeat(100_000) + ']'.repeat(100_000), { qos: 1 });
    const manyTopic = topics.gatewayReadings('gw-many-bad');
    const ts0 = Date.now() - HOUR;
    await pub.publishAsync(manyTopic, JSON.stringify({ v: 1, station: 'nowhere', readings: Array.from({ length: 5000 }, (_, i) => ({ metric: 'ph', value: 7, ts: ts0 - i })) }), { qos: 1 });
    const bigTopic = topics.stationReadings('hydro', 'yichang');
    await pub.publishAsync(bigTopic, Buffer.alloc(300 * 1024, 0x20), { qos: 1 });
    await canary();
    const deep = await db.query<{ reason: string; detail: string }>('SELECT reason, detail FROM dead_letters WHERE topic = $1', [deepTopic]);
    expect(deep.rows).toEqual([{ reason: 'invalid_payload', detail: 'JSON nested deeper than 32 levels' }]);
    const many = await db.query<{ reason: string; count: number }>('SELECT reason, count FROM dead_letters WHERE topic = $1', [manyTopic]);
    expect(many.rows).toEqual([{ reason: 'unknown_station', count: 5000 }]);
    expect(await reasons(bigTopic)).toEqual(['oversized']);
  });

  it('a registry document cannot overwrite a catalogue station; junk retained is recorded once', async () => {
    const fake = { id: 'hankou', name: { zh: '假', en: 'Fake Hankou' }, kind: 'hydrology_gauge', location: { lon: 0, lat: 0 }, metrics: ['ph'], jurisdiction: { admin: 'x', owner: 'x' } };
    const topic = topics.registry('hankou');
    await pub.publishAsync(topic, JSON.stringify(fake), { qos: 1, retain: true });
    const outside = { ...fake, id: 'wq-far-away', name: { zh: '远', en: 'Far' }, location: { lon: 10, lat: 50 } };
    await pub.publishAsync(topics.registry('wq-far-away'), JSON.stringify(outside), { qos: 1 });
    await canary(); // a Hankou reading is still accepted: the catalogue station is unchanged
    await waitFor(async () => (await reasons(topic)).length === 1, 10_000);
    expect(await reasons(topic)).toEqual(['catalogue_protected']);
    expect(await reasons(topics.registry('wq-far-away'))).toEqual(['outside_basin']);
    const s = await db.query<{ name_en: string; lon: number }>(`SELECT name_en, lon FROM stations WHERE id = 'hankou'`);
    expect(s.rows[0]!.name_en).not.toBe('Fake Hankou');
    expect(s.rows[0]!.lon).toBeGreaterThan(100);
    // a second subscriber session gets the retained junk again: it is not recorded twice
    const again = await start({ config: testConfig({ INGEST_CLIENT_ID: `ingest-hostile-${backend}-2`, INGEST_METRICS_ENABLED: 'false' }), db, log: silentLog, mqttUrl: mosq.url });
    await canary();
    await again.stop();
    expect(await reasons(topic)).toEqual(['catalogue_protected']);
    expect(await count(db, `SELECT count(*) AS n FROM station_audit WHERE station = 'hankou' AND action = 'rejected'`)).toBe(1);
    await pub.publishAsync(topic, '', { qos: 1, retain: true });
  });

  it('a provisioned station changes only with a higher version, every version kept and audited', async () => {
    const id = 'wq-versioned';
    const doc = (version: number, en: string) => JSON.stringify({ id, version, name: { zh: '版本', en }, kind: 'water_quality', location: { lon: 113.9, lat: 30.4 }, metrics: ['ph', 'do'], jurisdiction: { admin: '湖北省', owner: 'test' } });
    await pub.publishAsync(topics.registry(id), doc(1, 'v1'), { qos: 1 });
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM stations WHERE id = $1`, [id])) === 1, 10_000);
    await pub.publishAsync(topics.registry(id), doc(1, 'v1 changed without a version'), { qos: 1 });
    await pub.publishAsync(topics.registry(id), doc(3, 'v3'), { qos: 1 });
    await canary();
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM stations WHERE id = $1 AND name_en = 'v3'`, [id])) === 1, 10_000);
    expect(await reasons(topics.registry(id))).toEqual(['stale_version']);
    const versions = await db.query<{ version: number }>('SELECT version FROM station_versions WHERE station = $1 ORDER BY version', [id]);
    expect(versions.rows.map((r) => r.version)).toEqual([1, 3]);
    const audit = await db.query<{ action: string }>('SELECT action FROM station_audit WHERE station = $1 ORDER BY id', [id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['created', 'rejected', 'updated']);
    await expect(db.query('DELETE FROM station_audit WHERE station = $1', [id])).rejects.toThrow(/append-only/);
  });

  it('HJ 212: a stale timestamp is permanent (answered), an unregistered MN is not', async () => {
    const frame = (mn: string, ts: number) => encodeHj212Frame(buildHj212Realtime({ mn, pw: '123456', st: '21', ts, flag: 5, values: [{ metric: 'ph', value: 7.2 }] }));
    const sock = net.connect(svc.hj212Port!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let replies = '';
    sock.on('data', (d) => (replies += d.toString()));
    sock.write(frame('MN0001', Date.parse('2001-01-01T00:00:00Z')));
    await waitFor(async () => replies.includes('CN=9014'), 10_000);
    replies = '';
    sock.write(frame('MN9999', Date.now() - 60_000));
    await canary();
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM dead_letters WHERE topic = 'hj212://MN9999'`)) >= 1, 10_000);
    expect(replies).toBe('');
    sock.destroy();
  });

  it('publishes commit confirmations per station for stored and dead-lettered seqs', async () => {
    const sub = await publisher(mosq.url);
    const acks: { station: string; seqs: [number, number][] }[] = [];
    sub.on('message', (_t, p) => acks.push(JSON.parse(p.toString())));
    await sub.subscribeAsync(topics.committed('shashi'), { qos: 1 });
    const t = Date.now() - 4 * HOUR;
    const rs: Reading[] = [1, 2, 3, 5].map((seq) => ({ station: 'shashi', metric: 'water_level', value: seq === 5 ? 9999 : 30, ts: t + seq * 1000, quality: 'not_evaluated', seq }));
    await pub.publishAsync(topics.stationReadings('hydro', 'shashi'), encodeReadingBatch(rs), { qos: 1 });
    await waitFor(async () => acks.some((a) => a.seqs.some(([, to]) => to >= 5)), 10_000);
    await sub.endAsync();
    const covered = acks.flatMap((a) => a.seqs);
    expect(covered).toEqual([
      [1, 3],
      [5, 5],
    ]);
  });
});
