/**
 * Benchmark: sensors-sim generation + publishing rate against a local Mosquitto, beside a bare
 * mqtt.js publisher of pre-built payloads (same broker, same run, same QoS 1 and in-flight window).
 * Station counts 1, 100 and 10,000; each case publishes a fixed simulated window as fast as the
 * broker acknowledges (--backfill), through the disk outbox.
 *
 *   npm run bench -- sim
 *
 * Last line: {"bench":"sim","readings_per_s":<simulator rate, 10,000 stations>,"ratio_vs_bare":<lowest ratio>}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { encodeReadingBatch, type Reading } from '@basin/schemas';
import { createLogger } from '@basin/platform';
import { startMosquitto } from '@basin/platform/testing';
import { Engine, resolveScenario, selectStations, SignalModel } from '@basin/sensors-sim';

const WINDOW = 1000;
const INTERVAL = 60_000;
const T0 = Date.UTC(2026, 6, 1);
const log = createLogger({ level: 'warn', destination: process.stderr });
const scenario = resolveScenario('normal');

/** Ticks per case so every case publishes a comparable number of messages (~40k). */
const CASES: { stations: number; ticks: number }[] = [
  { stations: 1, ticks: 40_000 },
  { stations: 100, ticks: 300 },
  { stations: 10_000, ticks: 4 },
];

async function runSim(url: string, n: number, ticks: number): Promise<{ readings: number; messages: number; secs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-bench-'));
  try {
    const engine = new Engine({
      scenario,
      seed: 1,
      stations: selectStations({ seed: 1, count: n }),
      intervalMs: INTERVAL,
      start: T0,
      end: T0 + ticks * INTERVAL,
      speed: 'max',
      mode: 'station',
      format: 'json',
      connections: 1,
      clientId: `bench-sim-${n}`,
      mqtt: { url, qos: 1, protocol: 'auto' },
      outboxDir: dir,
      fsync: 'interval',
      allowHostile: false,
      provision: false,
      window: WINDOW,
      highWater: 200_000,
      log,
    });
    const t = performance.now();
    await engine.start();
    await engine.done;
    const secs = (performance.now() - t) / 1000;
    await engine.stop();
    return { readings: engine.stats.acknowledged, messages: engine.stats.messagesAcked, secs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same messages, built before timing starts. */
function buildPayloads(n: number, ticks: number): { topic: string; payload: string; count: number }[] {
  const stations = selectStations({ seed: 1, count: n });
  const model = new SignalModel(scenario, 1, T0, INTERVAL);
  const out: { topic: string; payload: string; count: number }[] = [];
  const seq = new Map<string, number>();
  for (let k = 0; k < ticks; k++) {
    const t = T0 + k * INTERVAL;
    for (const st of stations) {
      const v = model.sample(st, t);
      for (const g of st.groups) {
        const first = (seq.get(st.id) ?? 0) + 1;
        seq.set(st.id, first + g.idx.length - 1);
        const readings: Reading[] = g.idx.map((i, j) => ({ station: st.id, metric: st.metrics[i]!, value: v[i]!, ts: t, quality: 'not_evaluated', seq: first + j }));
        out.push({ topic: g.topic, payload: encodeReadingBatch(readings, { station: st.id }), count: readings.length });
      }
    }
  }
  return out;
}

async function runBare(url: string, msgs: { topic: string; payload: string; count: number }[]): Promise<{ readings: number; secs: number }> {
  const client = await mqtt.connectAsync(url, { clientId: `bench-bare-${msgs.length}`, protocolVersion: 5, reconnectPeriod: 0 });
  let next = 0;
  let acked = 0;
  let readings = 0;
  const t = performance.now();
  await new Promise<void>((resolve, reject) => {
    let inflight = 0;
    const fill = () => {
      while (inflight < WINDOW && next < msgs.length) {
        const m = msgs[next++]!;
        inflight++;
        client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
          if (err) return reject(err);
          inflight--;
          acked++;
          readings += m.count;
          if (acked === msgs.length) resolve();
          else fill();
        });
      }
    };
    fill();
  });
  const secs = (performance.now() - t) / 1000;
  await client.endAsync();
  return { readings, secs };
}

const broker = await startMosquitto();
const results: { stations: number; sim: number; bare: number; ratio: number }[] = [];
try {
  for (const c of CASES) {
    const payloads = buildPayloads(c.stations, c.ticks);
    const bare = await runBare(broker.url, payloads);
    const sim = await runSim(broker.url, c.stations, c.ticks);
    const simRate = sim.readings / sim.secs;
    const bareRate = bare.readings / bare.secs;
    results.push({ stations: c.stations, sim: simRate, bare: bareRate, ratio: simRate / bareRate });
    process.stdout.write(
      `stations ${String(c.stations).padStart(6)}: simulator ${Math.round(simRate)} readings/s (${sim.messages} msgs in ${sim.secs.toFixed(2)} s)  bare mqtt.js ${Math.round(bareRate)} readings/s (${payloads.length} msgs in ${bare.secs.toFixed(2)} s)  ratio ${(simRate / bareRate).toFixed(3)}\n`,
    );
  }
} finally {
  await broker.dispose();
}
const big = results[results.length - 1]!;
process.stdout.write(`${JSON.stringify({ bench: 'sim', readings_per_s: Math.round(big.sim), ratio_vs_bare: Math.round(Math.min(...results.map((r) => r.ratio)) * 1000) / 1000 })}\n`);
