import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommittedAck, encodeHj212Frame, encodeReadingBatch, encodeSenml, buildHj212Realtime, hj212Time, mnOf, topics } from '@basin/schemas';
import type { EmbeddedDb } from '@basin/platform';
import type { MqttClient } from 'mqtt';
import type { IngestService } from '../src/service.js';
import { count, startIngestRig, waitFor, type IngestRig } from './helpers.js';

/** Ingest in-process against a real Mosquitto and embedded TimescaleDB. */
describe('ingest pipeline (Mosquitto + embedded TimescaleDB)', () => {
  let rig: IngestRig;
  let db: EmbeddedDb;
  let svc: IngestService;
  let pub: MqttClient;

  beforeAll(async () => {
    rig = await startIngestRig({ MQTT_URL: '', INGEST_CLIENT_ID: 'ingest-pipeline-test', INGEST_HJ212_PORT: '0', INGEST_HJ212_MN_MAP: 'MN0001=wq-zongguan' });
    ({ db, svc, pub } = rig);
  });
  afterAll(async () => {
    await rig?.close();
  });
  beforeEach(async () => {
    await db.exec('DELETE FROM readings; DELETE FROM dead_letters; DELETE FROM latest_readings;');
  });

  const now = () => Date.now() - 60_000;

  it('stores a JSON batch and a SenML pack, with QARTOD flags and latest values', async () => {
    const t = now();
    await pub.publishAsync(
      topics.stationReadings('water', 'wq-zongguan'),
      encodeReadingBatch([
        { station: 'wq-zongguan', metric: 'ph', value: 7.4, ts: t, quality: 'not_evaluated', seq: 1 },
        { station: 'wq-zongguan', metric: 'do', value: 8.1, ts: t, quality: 'not_evaluated', seq: 2 },
      ], { station: 'wq-zongguan' }),
      { qos: 1 },
    );
    await pub.publishAsync(
      topics.stationReadings('air', 'air-wuhan'),
      encodeSenml('air-wuhan', [
        { station: 'air-wuhan', metric: 'pm25', value: 42, ts: t, quality: 'not_evaluated', seq: 1 },
        { station: 'air-wuhan', metric: 'o3', value: 1200, ts: t, quality: 'not_evaluated', seq: 2 },
      ]),
      { qos: 1 },
    );
    await waitFor(async () => (await count(db, 'SELECT count(*) AS n FROM readings')) === 4);
    const rows = await db.query<{ station: string; metric: string; value: number; quality: number }>(
      'SELECT station, metric, value, quality FROM readings ORDER BY station, metric',
    );
    expect(rows.rows).toEqual([
      { station: 'air-wuhan', metric: 'o3', value: 1200, quality: 4 }, // gross range fail (kept)
      { station: 'air-wuhan', metric: 'pm25', value: 42, quality: 1 },
      { station: 'wq-zongguan', metric: 'do', value: 8.1, quality: 1 },
      { station: 'wq-zongguan', metric: 'ph', value: 7.4, quality: 1 },
    ]);
    // latest values are coalesced (INGEST_LATEST_MS) but written without further traffic
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM latest_readings WHERE station = 'wq-zongguan'`)) === 2, 5000);
  });

  it('flags a spike and a stuck sensor, seeding history from the database', async () => {
    const t0 = now() - 20 * 3_600_000;
    // history already in the table (as after a restart): the in-memory window is seeded from it
    await db.query(
      `INSERT INTO readings (time, station, metric, value, quality) SELECT to_timestamp(($1::float8 + i * 60000) / 1000), 'wq-qixing', 'ph', 7 + (i % 3) * 0.05, 1 FROM generate_series(0, 9) i`,
      [t0],
    );
    // the spike 10 min after the seeded values, then every 15 min
    const send = (value: number, i: number) =>
      pub.publishAsync(topics.stationReadings('water', 'wq-qixing'), encodeReadingBatch([{ station: 'wq-qixing', metric: 'ph', value, ts: t0 + (10 + i * 15) * 60_000, quality: 'not_evaluated', seq: i }]), { qos: 1 });
    await send(8.2, 0); // spike of ~1.15 against the median of the seeded values: suspect
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'wq-qixing'`)) === 11);
    const q = await db.query<{ quality: number }>(`SELECT quality FROM readings WHERE station = 'wq-qixing' ORDER BY time DESC LIMIT 1`);
    expect(q.rows[0]?.quality).toBe(3);
    // a stuck sensor: the same value 60 times over 14.75 h fails the flat-line test (suspect from 30 and 6 h)
    for (let i = 1; i <= 60; i++) await send(7.0, i);
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'wq-qixing'`)) === 71);
    const flags = await db.query<{ quality: number }>(`SELECT quality FROM readings WHERE station = 'wq-qixing' ORDER BY time`);
    const last = flags.rows.map((r) => r.quality);
    expect(last.at(-1)).toBe(4);
    expect(last).toContain(3);
  });

  it('dead-letters bad records with reason codes without blocking the good ones of the same batch', async () => {
    const t = now();
    const payload = JSON.stringify({
      v: 1,
      readings: [
        { station: 'hankou', metric: 'water_level', value: 20.1, ts: t },
        { station: 'nowhere', metric: 'water_level', value: 20.1, ts: t },
        { station: 'hankou', metric: 'pm25', value: 3, ts: t },
        { station: 'hankou', metric: 'water_level', value: 9999, ts: t + 1 },
        { station: 'hankou', metric: 'water_level', value: 'NaN', ts: t + 2 },
        { station: 'hankou', metric: 'bogus', value: 1, ts: t + 3 },
        { station: 'hankou', metric: 'water_level', value: 20, ts: Date.now() + 86_400_000 },
        { station: 'hankou', metric: 'water_level', value: 20, ts: Date.parse('2001-01-01T00:00:00Z') },
      ],
    });
    await pub.publishAsync(topics.gatewayReadings('gw-1'), payload, { qos: 1 });
    await pub.publishAsync('basin/v1/elsewhere', 'x', { qos: 1 });
    await pub.publishAsync(topics.stationReadings('hydro', 'hankou'), Buffer.from([0xff, 0xfe, 0x00]), { qos: 1 });
    await pub.publishAsync(topics.stationReadings('hydro', 'hankou'), Buffer.alloc(300 * 1024, 0x20), { qos: 1 });
    await waitFor(async () => (await count(db, 'SELECT count(*) AS n FROM dead_letters')) === 9);
    const reasons = (await db.query<{ reason: string }>('SELECT reason FROM dead_letters ORDER BY reason')).rows.map((r) => r.reason);
    expect(reasons).toEqual(
      ['future_timestamp', 'metric_not_at_station', 'non_finite_value', 'out_of_range', 'oversized', 'stale_timestamp', 'undecodable', 'unknown_metric', 'unknown_station'].sort(),
    );
    expect(await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'hankou'`)).toBe(1);
    // the wrong topic is outside our subscription: the broker never delivers it
  });

  it('absorbs redelivered readings (idempotent on station, metric, time)', async () => {
    const t = now();
    const p = encodeReadingBatch([{ station: 'hankou', metric: 'discharge', value: 21000, ts: t, quality: 'not_evaluated', seq: 9 }]);
    const before = svc.counters.duplicates;
    for (let i = 0; i < 3; i++) await pub.publishAsync(topics.stationReadings('hydro', 'hankou'), p, { qos: 1 });
    await waitFor(async () => svc.counters.duplicates - before >= 2);
    expect(await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'hankou' AND metric = 'discharge'`)).toBe(1);
  });

  it('confirms a resent reading that is already stored, like the first copy (commit protocol)', async () => {
    // A device keeps a reading until its seq is confirmed: a copy absorbed as a duplicate (the
    // first one was stored but its confirmation lost) must be confirmed again, or it is resent forever.
    const station = 'shashi';
    const got: CommittedAck[] = [];
    const onMessage = (topic: string, p: Buffer) => {
      if (topic === topics.committed(station)) got.push(CommittedAck.parse(JSON.parse(p.toString())));
    };
    pub.on('message', onMessage);
    try {
      await pub.subscribeAsync(topics.committed(station), { qos: 1 });
      const covers = (seq: number) => got.some((a) => a.seqs.some(([f, t]) => f <= seq && seq <= t));
      const p = encodeReadingBatch([{ station, metric: 'water_level', value: 30.5, ts: now(), quality: 'not_evaluated', seq: 4711 }], { station });
      await pub.publishAsync(topics.stationReadings('hydro', station), p, { qos: 1 });
      await waitFor(async () => covers(4711));
      got.length = 0;
      const dups = svc.counters.duplicates;
      await pub.publishAsync(topics.stationReadings('hydro', station), p, { qos: 1 });
      await waitFor(async () => covers(4711));
      expect(svc.counters.duplicates).toBe(dups + 1);
      expect(await count(db, `SELECT count(*) AS n FROM readings WHERE station = $1 AND seq = 4711`, [station])).toBe(1);
    } finally {
      pub.off('message', onMessage);
      await pub.unsubscribeAsync(topics.committed(station));
    }
  });

  it('applies device status and station registration messages', async () => {
    await pub.publishAsync(topics.status('logger-7'), JSON.stringify({ v: 1, client: 'logger-7', state: 'online', ts: Date.now(), kind: 'gateway' }), { qos: 1, retain: true });
    const station = {
      id: 'wq-test-new',
      name: { zh: '测试站', en: 'Test station' },
      kind: 'water_quality',
      location: { lon: 114.3, lat: 30.6 },
      metrics: ['ph'],
      jurisdiction: { admin: '湖北省武汉市', owner: 'test' },
    };
    await pub.publishAsync(topics.registry('wq-test-new'), JSON.stringify(station), { qos: 1, retain: true });
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM stations WHERE id = 'wq-test-new'`)) === 1);
    await pub.publishAsync(topics.stationReadings('water', 'wq-test-new'), encodeReadingBatch([{ station: 'wq-test-new', metric: 'ph', value: 7, ts: now(), quality: 'not_evaluated', seq: null }]), { qos: 1 });
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'wq-test-new'`)) === 1);
    const st = await db.query<{ state: string; kind: string }>(`SELECT state, kind FROM device_status WHERE client = 'logger-7'`);
    expect(st.rows).toEqual([{ state: 'online', kind: 'gateway' }]);
    await pub.publishAsync(topics.status('logger-7'), '', { qos: 1, retain: true });
    await pub.publishAsync(topics.registry('wq-test-new'), '', { qos: 1, retain: true });
  });

  it('accepts HJ 212-2017 frames over TCP, replies 9014 after commit, dead-letters bad CRC', async () => {
    const ts = Math.floor((Date.now() - 120_000) / 1000) * 1000;
    const seg = buildHj212Realtime({
      mn: 'MN0001',
      pw: '123456',
      st: '21',
      ts,
      flag: 5,
      values: [
        { metric: 'cod', value: 12.5 }, // not reported by this station: dead-lettered
        { metric: 'nh3n', value: 0.42 },
        { metric: 'ph', value: 7.3, flag: 'C' },
      ],
    });
    const good = encodeHj212Frame(seg);
    const badCrc = good.replace(/[0-9A-F]{4}\r\n$/, '0000\r\n');
    const sock = net.connect(svc.hj212Port!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let replies = '';
    sock.on('data', (d) => (replies += d.toString()));
    sock.write(`${badCrc}junk${good.slice(0, 20)}`);
    sock.write(good.slice(20));
    await waitFor(async () => replies.includes('\r\n'));
    sock.destroy();
    expect(replies).toMatch(/^##\d{4}QN=\d{17};ST=91;CN=9014;PW=123456;MN=MN0001;Flag=4;CP=&&&&[0-9A-F]{4}\r\n$/);
    expect(replies).toContain(`QN=${hj212Time(ts, true)}`);
    const rows = await db.query<{ metric: string; value: number; quality: number; t: number }>(
      `SELECT metric, value, quality, (extract(epoch FROM time) * 1000)::float8 AS t FROM readings WHERE station = 'wq-zongguan' ORDER BY metric`,
    );
    expect(rows.rows).toEqual([
      { metric: 'nh3n', value: 0.42, quality: 1, t: ts },
      { metric: 'ph', value: 7.3, quality: 4, t: ts }, // HJ 212 flag C (calibration): fail
    ]);
    const dl = (await db.query<{ reason: string }>('SELECT reason FROM dead_letters ORDER BY reason')).rows.map((r) => r.reason);
    expect(dl).toEqual(['hj212_bad_crc', 'hj212_bad_frame', 'metric_not_at_station']);
  });

  it('HJ 212: resynchronises after a bad length header, stores mg/m3 converted, resolves simulator MNs of long ids', async () => {
    const longId = 'syn-yangtze-00042-air-quality-station';
    const station = { id: longId, name: { zh: '合成站', en: 'Synthetic' }, kind: 'air_quality', location: { lon: 114.3, lat: 30.6 }, metrics: ['so2', 'co'], jurisdiction: { admin: '湖北省武汉市', owner: 'test' }, synthetic: true };
    await pub.publishAsync(topics.registry(longId), JSON.stringify(station), { qos: 1, retain: true });
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM stations WHERE id = $1`, [longId])) === 1);
    const ts = Math.floor((Date.now() - 120_000) / 1000) * 1000;
    // what the simulator sends: MN from schemas' mnOf(), SO2 in the standard's mg/m3
    const frameFor = (id: string, so2: number) =>
      encodeHj212Frame(buildHj212Realtime({ mn: mnOf({ id }), pw: '123456', st: '22', ts, values: [{ metric: 'so2', value: so2 }, { metric: 'co', value: 0.9 }] }));
    expect(mnOf({ id: longId })).toHaveLength(24);
    const sock = net.connect(svc.hj212Port!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(`##9999QN=cut-short\r\n${frameFor('air-wuhan', 15)}${frameFor(longId, 22)}`);
    const rows = await waitFor(async () => {
      const r = await db.query<{ station: string; metric: string; value: number }>(`SELECT station, metric, value FROM readings WHERE metric IN ('so2', 'co') ORDER BY station, metric`);
      return r.rows.length === 4 ? r.rows : null;
    });
    sock.destroy();
    expect(rows.map((r) => [r.station, r.metric, Math.round(r.value * 1000) / 1000])).toEqual([
      ['air-wuhan', 'co', 0.9],
      ['air-wuhan', 'so2', 15], // sent as a21026-Rtd=0.015 (mg/m3), stored in µg/m3
      [longId, 'co', 0.9],
      [longId, 'so2', 22],
    ]);
    await pub.publishAsync(topics.registry(longId), '', { qos: 1, retain: true });
  });

  it('serves Prometheus metrics', async () => {
    const body = await (await fetch(`${svc.metricsUrl}/metrics`)).text();
    for (const name of [
      'basin_ingest_received_total',
      'basin_ingest_stored_total',
      'basin_ingest_duplicates_total',
      'basin_ingest_dead_letters_total{reason="unknown_station"}',
      'basin_ingest_batch_size_bucket',
      'basin_ingest_commit_seconds_bucket',
      'basin_ingest_lag_seconds',
      'basin_ingest_reading_age_seconds_bucket',
    ]) {
      expect(body).toContain(name);
    }
    expect((await fetch(`${svc.metricsUrl}/healthz`)).status).toBe(200);
  });
});
