/**
 * End-to-end delivery (commit mode) against a real Mosquitto killed with SIGKILL while it holds
 * a backlog. The "ingest" is a plain MQTT client of this test: a persistent session (the broker
 * queues for it while it is away) that collects the readings and publishes a CommittedAck for
 * every message it received, as the real ingest does after its commit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeReadingPayload, parseTopic, topics, type CommittedAck } from '@basin/schemas';
import { createLogger } from '@basin/platform';
import { startMosquitto, type TestMosquitto } from '@basin/platform/testing';
import { Engine, type EngineOptions } from '../src/engine.js';
import { resolveScenario } from '../src/scenario.js';
import { selectStations } from '../src/stations.js';

const log = createLogger({ level: 'silent' });
const T0 = Date.UTC(2026, 6, 1);
const MIN = 60_000;

let broker: TestMosquitto;
const dirs: string[] = [];
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const until = async (cond: () => boolean, ms = 90_000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The fake ingest: collects seqs per station, confirms each message's seqs once received ("committed"). */
function fakeIngest() {
  const collected = new Map<string, Set<number>>();
  let received = 0;
  let client: MqttClient | null = null;
  const onMessage = (c: MqttClient) => (topic: string, payload: Buffer) => {
    const t = parseTopic(topic);
    if (!t || (t.kind !== 'station_readings' && t.kind !== 'gateway_readings')) return;
    const ranges = new Map<string, [number, number]>();
    for (const r of decodeReadingPayload(payload, t.kind === 'station_readings' ? t.station : null).readings) {
      const set = collected.get(r.station) ?? new Set<number>();
      set.add(r.seq!);
      collected.set(r.station, set);
      received++;
      const e = ranges.get(r.station);
      if (!e) ranges.set(r.station, [r.seq!, r.seq!]);
      else e[1] = Math.max(e[1], r.seq!);
    }
    for (const [station, range] of ranges) {
      const ack: CommittedAck = { v: 1, station, seqs: [range], ts: Date.now() };
      c.publish(topics.committed(station), JSON.stringify(ack), { qos: 1 });
    }
  };
  return {
    collected,
    received: () => received,
    async start() {
      // Persistent session: the broker queues readings for it while it is away.
      const c = await mqtt.connectAsync(broker.url, { clientId: 'fake-ingest', clean: false, protocolVersion: 4, reconnectPeriod: 200 });
      c.on('message', onMessage(c));
      await c.subscribeAsync([...topics.filters.readings], { qos: 1 });
      client = c;
    },
    async stop() {
      await client?.endAsync(true);
      client = null;
    },
  };
}

function options(over: Partial<EngineOptions>): EngineOptions {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-commit-'));
  dirs.push(dir);
  return {
    scenario: resolveScenario('normal'),
    seed: 5,
    stations: selectStations({ seed: 5, count: 40 }),
    intervalMs: MIN,
    start: T0,
    end: T0 + 240 * MIN,
    speed: (24 * MIN) / 1000, // 240 simulated minutes in ~10 s
    mode: 'station',
    format: 'json',
    connections: 2,
    clientId: 'it-commit-sim',
    mqtt: { url: broker.url, qos: 1, protocol: 'auto' },
    outboxDir: dir,
    fsync: 'interval',
    allowHostile: false,
    provision: false,
    window: 200,
    confirm: 'commit',
    confirmTimeoutMs: 3000,
    highWater: 1_000_000,
    log,
    ...over,
  };
}

describe('end-to-end delivery (commit confirmations)', () => {
  it('loses nothing when Mosquitto is killed (SIGKILL) while it holds a backlog for an absent ingest (generation on the worker thread)', async () => {
    const ingest = fakeIngest();
    await ingest.start();
    const engine = new Engine(options({ generation: 'worker' }));
    await engine.start();
    await until(() => ingest.received() > 1500, 90_000, 'first readings at the ingest');
    // The ingest goes away: the broker queues for its session and PUBACKs the simulator, which
    // keeps those messages, awaiting confirmation.
    await ingest.stop();
    const acked = engine.stats.acknowledged;
    await until(() => engine.stats.awaitingCommit > 300, 90_000, 'a backlog at the broker');
    expect(engine.stats.acknowledged - acked).toBeLessThan(engine.stats.awaitingCommit * 10); // PUBACKs confirm nothing
    await broker.stop('SIGKILL');
    await broker.start();
    await ingest.start();
    await engine.done;
    await engine.stop();
    await ingest.stop();

    const manifest = engine.manifest();
    const ids = Object.keys(manifest);
    expect(ids.length).toBe(40);
    let missing = 0;
    for (const id of ids) {
      const m = manifest[id]!;
      const got = ingest.collected.get(id) ?? new Set<number>();
      for (let seq = 1; seq <= m.published.last!; seq++) if (!got.has(seq)) missing++;
      expect(m.acknowledged.count, `${id} confirmed`).toBe(m.published.count);
    }
    expect(missing).toBe(0);
    expect(engine.stats.buffered).toBe(0);
    expect(engine.stats.disconnects).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it('sends again what was never confirmed, after the confirmation timeout, while the connection stays up', async () => {
    // The ingest's first session is clean and ends: the broker drops what it would have queued;
    // only the timeout can bring those readings back.
    const collected = new Map<string, Set<number>>();
    let confirming = true;
    const c = await mqtt.connectAsync(broker.url, { clientId: 'fake-ingest-2', clean: true, protocolVersion: 4 });
    c.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      if (t?.kind !== 'station_readings' || !confirming) return;
      const rs = decodeReadingPayload(payload, t.station).readings;
      for (const r of rs) (collected.get(r.station) ?? collected.set(r.station, new Set()).get(r.station)!).add(r.seq!);
      const seqs = rs.map((r) => r.seq!);
      c.publish(topics.committed(t.station), JSON.stringify({ v: 1, station: t.station, seqs: [[Math.min(...seqs), Math.max(...seqs)]], ts: Date.now() }), { qos: 1 });
    });
    await c.subscribeAsync([...topics.filters.readings], { qos: 1 });
    const engine = new Engine(options({ clientId: 'it-commit-timeout', end: T0 + 60 * MIN, speed: 'max', stations: selectStations({ seed: 5, count: 10 }) }));
    // Deaf for the first messages: received and dropped, never confirmed.
    confirming = false;
    await engine.start();
    await until(() => engine.stats.awaitingCommit > 50, 60_000, 'unconfirmed messages');
    confirming = true;
    await engine.done;
    await engine.stop();
    await c.endAsync(true);
    expect(engine.stats.resent).toBeGreaterThan(0);
    for (const [id, m] of Object.entries(engine.manifest())) {
      expect(collected.get(id)?.size ?? 0, id).toBe(m.published.count);
      expect(m.acknowledged.count).toBe(m.published.count);
    }
  }, 120_000);
});
