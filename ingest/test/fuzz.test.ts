import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { BASIN_STATIONS, METRICS, METRIC_CODES, STATION_BY_ID, topics, validRange, type MetricCode } from '@basin/schemas';
import type { EmbeddedDb } from '@basin/platform';
import type { DeadLetterReason } from '../src/errors.js';
import { count, startIngestRig, waitFor, type IngestRig } from './helpers.js';

/**
 * A flood of malformed and hostile payloads (fast-check) mixed with good readings, through a real
 * Mosquitto: ingest never crashes, stores every good reading and dead-letters every bad record
 * with the right reason, and keeps going.
 */
const STATIONS = BASIN_STATIONS.filter((s) => !s.id.startsWith('soil'));
const stationArb = fc.constantFrom(...STATIONS);
const KNOWN = new Set<string>(METRIC_CODES);

interface Msg {
  topic: string;
  payload: Buffer;
  good: { station: string; metric: string; ts: number; value: number }[];
  bad: DeadLetterReason[];
}

let tsCounter = 0;
const nextTs = () => Date.now() - 3_600_000 + tsCounter++ * 10;

const goodRecord = stationArb.chain((s) =>
  fc.record({
    station: fc.constant(s.id),
    metric: fc.constantFrom(...s.metrics),
    frac: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
);

type BadKind = Exclude<DeadLetterReason, `hj212_${string}` | 'missing_station' | 'unsupported_senml'>;
const badRecordKinds = ['unknown_metric', 'non_finite_value', 'unknown_station', 'out_of_range', 'future_timestamp', 'stale_timestamp', 'metric_not_at_station', 'station_mismatch'] as const;

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("'; DROP TABLE readings; --", '\u0000\u0001', '💥🌊', '../../etc/passwd', '${jndi:ldap://x}', '__proto__', 'constructor', '\uD800'),
);

const message: fc.Arbitrary<() => Msg> = fc.oneof(
  // a station batch of good records plus at most one bad record of a given kind
  fc.record({ goods: fc.array(goodRecord, { minLength: 0, maxLength: 4 }), bad: fc.option(fc.constantFrom(...badRecordKinds), { nil: null }), junk: hostileString, pick: stationArb }).map(
    ({ goods, bad, junk, pick }) =>
      (): Msg => {
        const good = goods.map((g) => {
          const m = validRange(STATION_BY_ID.get(g.station), g.metric as MetricCode); // water level: per station
          return { station: g.station, metric: g.metric, ts: nextTs(), value: Number((m.min + (m.max - m.min) * g.frac).toFixed(6)) };
        });
        const recs: string[] = good.map((g) => JSON.stringify(g));
        const ts = nextTs();
        const station = pick.id;
        const metric = pick.metrics[0]!;
        switch (bad) {
          case 'unknown_metric':
            recs.push(JSON.stringify({ station, metric: KNOWN.has(junk) ? `${junk}x` : junk, value: 1, ts }));
            break;
          case 'non_finite_value':
            recs.push(`{"station":"${station}","metric":"${metric}","value":${fc.sample(fc.constantFrom('1e999', '-1e999', '"NaN"', 'null', 'true', '"12"', '[]', '{}'), 1)[0]},"ts":${ts}}`);
            break;
          case 'unknown_station':
            recs.push(JSON.stringify({ station: `zz-${Math.abs(hash(junk))}`, metric, value: METRICS[metric].validMin, ts }));
            break;
          case 'out_of_range':
            recs.push(JSON.stringify({ station, metric, value: METRICS[metric].validMax + 1 + Math.abs(hash(junk)), ts }));
            break;
          case 'future_timestamp':
            recs.push(JSON.stringify({ station, metric, value: validRange(STATION_BY_ID.get(station), metric).min, ts: Date.now() + 86_400_000 + Math.abs(hash(junk)) }));
            break;
          case 'stale_timestamp':
            recs.push(JSON.stringify({ station, metric, value: validRange(STATION_BY_ID.get(station), metric).min, ts: Date.parse('2001-01-01T00:00:00Z') + Math.abs(hash(junk)) }));
            break;
          case 'metric_not_at_station': {
            const other = METRIC_CODES.find((m) => !pick.metrics.includes(m))!;
            recs.push(JSON.stringify({ station, metric: other, value: METRICS[other].validMin, ts }));
            break;
          }
          case 'station_mismatch':
            break; // handled below with a station topic
        }
        if (bad === 'station_mismatch') {
          const other = STATIONS.find((s) => s.id !== station)!;
          const own = good.filter((g) => g.station === station);
          const body = [...own.map((g) => JSON.stringify(g)), JSON.stringify({ station: other.id, metric: other.metrics[0], value: 1, ts })];
          return { topic: topics.stationReadings(METRICS[metric].medium, station), payload: Buffer.from(`{"v":1,"readings":[${body.join(',')}]}`), good: own, bad: ['station_mismatch'] };
        }
        if (recs.length === 0) return { topic: topics.gatewayReadings('fuzz'), payload: Buffer.from('{"v":1,"readings":[]}'), good: [], bad: ['invalid_payload'] };
        return { topic: topics.gatewayReadings('fuzz'), payload: Buffer.from(`{"v":1,"readings":[${recs.join(',')}]}`), good, bad: bad ? [bad as BadKind] : [] };
      },
  ),
  // bytes that are not UTF-8
  fc.uint8Array({ minLength: 0, maxLength: 200 }).map((b) => (): Msg => ({ topic: topics.gatewayReadings('fuzz'), payload: Buffer.concat([Buffer.from([0xff, 0xfe]), b]), good: [], bad: ['undecodable' as const] })),
  // text that is not JSON
  hostileString.map((s) => (): Msg => ({ topic: topics.gatewayReadings('fuzz'), payload: Buffer.from(`{{${s}`), good: [], bad: ['undecodable' as const] })),
  // JSON that is neither a batch nor a SenML pack
  fc
    .oneof(fc.integer(), hostileString, fc.boolean(), fc.constant(null), fc.dictionary(hostileString.filter((k) => k !== 'readings'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }))
    .map((v) => (): Msg => ({ topic: topics.gatewayReadings('fuzz'), payload: Buffer.from(JSON.stringify(v)), good: [], bad: ['invalid_payload' as const] })),
  // a topic under the subscription but outside the layout (unknown medium / bad station segment)
  fc.constantFrom('lava', 'WATER').map((medium) => (): Msg => ({ topic: `basin/v1/readings/${medium}/hankou`, payload: Buffer.from('{}'), good: [], bad: ['wrong_topic' as const] })),
);

function hash(s: string): number {
  let h = 7;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h % 100_000;
}

describe('fuzz: malformed and hostile payloads mixed with good ones', () => {
  let rig: IngestRig;
  let db: EmbeddedDb;
  let pub: MqttClient;

  beforeAll(async () => {
    rig = await startIngestRig({ INGEST_CLIENT_ID: 'ingest-fuzz-test' });
    ({ db, pub } = rig);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('0 crashes, every good reading stored, every bad record dead-lettered with the right reason', { timeout: 180_000 }, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 50, maxLength: 300 }), async (makers) => {
        runs++;
        await db.exec('DELETE FROM readings; DELETE FROM dead_letters; DELETE FROM latest_readings;');
        const msgs = makers.map((m) => m());
        if (runs === 1) msgs.push({ topic: topics.gatewayReadings('fuzz'), payload: Buffer.alloc(300 * 1024, 0x5b), good: [], bad: ['oversized'] });
        await Promise.all(msgs.map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1 })));
        const good = msgs.flatMap((m) => m.good);
        const bad = msgs.flatMap((m) => m.bad).sort();
        await waitFor(async () => (await count(db, 'SELECT count(*) AS n FROM dead_letters')) >= bad.length && (await count(db, 'SELECT count(*) AS n FROM readings')) >= good.length, 30_000);
        await new Promise((r) => setTimeout(r, 200)); // nothing more arrives
        const letters = (await db.query<{ reason: string }>('SELECT reason FROM dead_letters ORDER BY reason')).rows.map((r) => r.reason);
        expect(letters).toEqual(bad);
        const stored = await db.query<{ station: string; metric: string; t: number; value: number }>(
          `SELECT station, metric, (extract(epoch FROM time) * 1000)::float8 AS t, value FROM readings`,
        );
        const have = new Set(stored.rows.map((r) => `${r.station}|${r.metric}|${Math.round(r.t)}|${r.value}`));
        expect(stored.rows.length).toBe(good.length);
        for (const g of good) expect(have.has(`${g.station}|${g.metric}|${g.ts}|${g.value}`)).toBe(true);
      }),
      { numRuns: 6, seed: Number(process.env.FUZZ_SEED ?? 20261129), endOnFailure: true },
    );
    // still alive and connected: a good reading after the flood is stored
    const ts = nextTs();
    await pub.publishAsync(topics.stationReadings('hydro', 'hankou'), JSON.stringify({ v: 1, readings: [{ metric: 'water_level', value: 21.5, ts }] }), { qos: 1 });
    await waitFor(async () => (await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'hankou' AND time = to_timestamp($1 / 1000.0)`, [ts])) === 1);
  });
});
