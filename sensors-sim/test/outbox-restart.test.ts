import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHj212DataAck, decodeHj212Frame, decodeReadingPayload, encodeHj212Frame, hj212RealtimeValues, parseHj212Segment, parseTopic, splitHj212Stream, topics } from '@basin/schemas';
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

function options(over: Partial<EngineOptions>): EngineOptions {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-it-'));
  dirs.push(dir);
  return {
    scenario: resolveScenario('normal'),
    seed: 11,
    stations: selectStations({ seed: 11, count: 60 }),
    intervalMs: MIN,
    start: T0,
    end: T0 + 240 * MIN,
    speed: 'max',
    mode: 'station',
    format: 'json',
    connections: 2,
    clientId: 'it-sim',
    mqtt: { url: broker.url, qos: 1, protocol: 'auto' },
    outboxDir: dir,
    fsync: 'interval',
    allowHostile: false,
    provision: true,
    window: 200,
    // No ingest here: the broker's PUBACK is the confirmation (commit mode: test/commit-delivery.test.ts).
    confirm: 'puback',
    highWater: 5_000,
    log,
    ...over,
  };
}

/** A QoS 1 subscriber that records seqs per station and subscribes again after every reconnect. */
async function collector(clientId: string) {
  const seqs = new Map<string, number[]>();
  const registry = new Set<string>();
  const onMessage = (topic: string, payload: Buffer) => {
    const t = parseTopic(topic);
    if (t?.kind === 'registry') {
      registry.add(t.station);
      return;
    }
    if (!t || (t.kind !== 'station_readings' && t.kind !== 'gateway_readings')) return;
    const d = decodeReadingPayload(payload, t.kind === 'station_readings' ? t.station : null);
    expect(d.issues).toEqual([]);
    for (const r of d.readings) {
      const list = seqs.get(r.station) ?? [];
      list.push(r.seq!);
      seqs.set(r.station, list);
    }
  };
  let subscribed = false;
  const subscribe = () =>
    client.subscribe([...topics.filters.readings, topics.filters.registry], { qos: 1 }, (err) => {
      subscribed = !err;
    });
  const client = await mqtt.connectAsync(broker.url, { clientId, clean: true, reconnectPeriod: 100, protocolVersion: 4, resubscribe: false });
  client.on('message', onMessage);
  client.on('close', () => (subscribed = false));
  client.on('connect', subscribe);
  subscribe();
  await until(() => subscribed);
  return {
    seqs,
    registry,
    subscribed: () => subscribed,
    received: () => [...seqs.values()].reduce((a, s) => a + new Set(s).size, 0),
    close: () => client.endAsync(true),
  };
}

/** A TCP pass-through to the broker that the test can shut (cutting and refusing connections) and open. */
async function tcpGate(target: number) {
  let isOpen = true;
  const socks = new Set<net.Socket>();
  const server = net.createServer((c) => {
    if (!isOpen) return c.destroy();
    const up = net.connect(target, '127.0.0.1');
    socks.add(c).add(up);
    c.pipe(up).pipe(c);
    const kill = () => {
      c.destroy();
      up.destroy();
      socks.delete(c);
      socks.delete(up);
    };
    c.on('error', kill).on('close', kill);
    up.on('error', kill).on('close', kill);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    shut() {
      isOpen = false;
      for (const s of socks) s.destroy();
    },
    open() {
      isOpen = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const until = async (cond: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** Every station's received sequence numbers, deduplicated, must be exactly 1..last (no loss, no gap), and arrive in order. */
function assertComplete(seqs: Map<string, number[]>, manifest: ReturnType<Engine['manifest']>) {
  const ids = Object.keys(manifest);
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) {
    const m = manifest[id]!;
    const got = seqs.get(id) ?? [];
    const uniq = [...new Set(got)].sort((a, b) => a - b);
    expect(uniq.length, `${id} received`).toBe(m.published.count);
    expect(uniq[0]).toBe(1);
    expect(uniq.at(-1)).toBe(m.published.last);
    expect(uniq.at(-1)! - uniq[0]! + 1, `${id} has no gaps`).toBe(uniq.length);
    expect(m.acknowledged.count).toBe(m.published.count);
    // order per station: the first delivery of each seq is increasing
    const firstSeen = got.filter((s, i) => got.indexOf(s) === i);
    expect(firstSeen).toEqual(uniq);
  }
}

describe('disk outbox against a real Mosquitto', () => {
  it('loses nothing and leaves no sequence gaps when the broker is stopped and restarted mid-run', async () => {
    // The checking subscriber connects to Mosquitto directly; the simulator through a gate (a TCP
    // pass-through) that the test keeps shut after the restart until the subscriber has subscribed
    // again, so the check cannot miss messages published before its subscription existed.
    const sub = await collector('it-sub-broker-restart');
    const gate = await tcpGate(broker.port);
    // highWater above anything this run can buffer: generation must go on into the outbox while
    // the broker is down, however large the backlog was when it stopped (a slow, loaded machine).
    const o = options({ speed: (40 * MIN) / 1000, highWater: 1_000_000, mqtt: { url: `mqtt://127.0.0.1:${gate.port}`, qos: 1, protocol: 'auto' } });
    const engine = new Engine(o);
    await engine.start();
    await until(() => engine.stats.acknowledged > 2000);
    gate.shut();
    await broker.stop();
    const publishedAtStop = engine.stats.published;
    await until(() => engine.stats.published > publishedAtStop + 2000); // keeps generating into the outbox
    expect(engine.stats.buffered).toBeGreaterThan(0);
    expect(engine.stats.connected).toBe(0);
    await broker.start();
    await until(() => sub.subscribed());
    gate.open();
    await engine.done;
    await engine.stop();
    await until(() => sub.received() >= engine.stats.published);
    expect(engine.stats.disconnects).toBeGreaterThanOrEqual(2);
    assertComplete(sub.seqs, engine.manifest());
    // synthetic stations were provisioned before their readings
    for (const s of o.stations.filter((x) => x.station.synthetic)) expect(sub.registry.has(s.id)).toBe(true);
    await sub.close();
    await gate.close();
  });

  it('resumes after a simulator restart from the outbox: zero loss, zero gaps, same data (generation on the worker thread)', async () => {
    const sub = await collector('it-sub-sim-restart');
    const o = options({ mode: 'gateway', connections: 1, generation: 'worker' });
    const first = new Engine(o);
    await first.start();
    await until(() => first.stats.acknowledged > 3000);
    await first.stop(0); // "crash": in-flight and unsent messages stay on disk
    expect(first.stats.published).toBeLessThan(60 * 240 * 3); // it really stopped early
    const second = new Engine(o);
    await second.start();
    await second.done;
    await second.stop();
    const manifest = second.manifest();
    await until(() => sub.received() >= Object.values(manifest).reduce((a, m) => a + m.published.count, 0));
    assertComplete(sub.seqs, manifest);
    await sub.close();
  });
});

describe('HJ 212 output', () => {
  it('sends CN=2011 frames with a valid CRC to a TCP listener and waits for its 9014 answers', async () => {
    const frames: string[] = [];
    const server = net.createServer((sock) => {
      let rest: Uint8Array = new Uint8Array(0);
      sock.on('data', (chunk) => {
        const buf = new Uint8Array([...rest, ...chunk]);
        const split = splitHj212Stream(buf);
        rest = split.rest.slice();
        for (const f of split.frames) {
          const seg = decodeHj212Frame(f); // throws on a bad CRC
          frames.push(seg);
          const p = parseHj212Segment(seg);
          sock.write(encodeHj212Frame(buildHj212DataAck(p)));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const o = options({ mode: 'hj212', hj212: { host: '127.0.0.1', port, pw: '654321', awaitAnswer: true }, end: T0 + 10 * MIN, mqtt: undefined });
    const engine = new Engine(o);
    await engine.start();
    await engine.done;
    await engine.stop();
    server.close();
    const senders = o.stations.filter((s) => s.station.kind === 'water_quality' || s.station.kind === 'air_quality' || s.station.kind === 'water_intake' || s.station.kind === 'lake_gauge');
    expect(frames.length).toBe(senders.length * 10);
    const p = parseHj212Segment(frames.find((f) => f.includes('MN=WQ-ZONGGUAN'))!);
    expect(p).toMatchObject({ cn: '2011', st: '21', pw: '654321', flag: 5 });
    const v = hj212RealtimeValues(p);
    expect(v.ts).toBe(T0);
    expect(v.values.map((x) => x.metric)).toContain('do');
    expect(engine.stats.acknowledged).toBe(engine.stats.published);
  });
});
