/**
 * Benchmark: sensors-sim generation + publishing rate against a local Mosquitto, beside a bare
 * mqtt.js publisher of pre-built payloads (same broker, same run).
 *
 *   npm run bench -- sim [--rounds N] [--warmup N] [--cases 1,100,10000] [--msgs N] [--generation auto|worker|inline] [--versus worker|inline]
 *
 * Fairness: both sides publish with QoS 1, MQTT 5, one connection, the same in-flight window
 * (1000) and the same socket options (TCP_NODELAY, as the simulator's lanes set it). The bare side
 * publishes exactly the payloads the simulator produces for the same stations and ticks (same
 * rounding, timestamps and sequence numbers), built before timing starts, as Buffers like the
 * simulator hands them to mqtt.js (views of its outbox write buffer); the totals of readings and
 * payload bytes of every pair are checked equal. The simulator runs as users run it:
 * backfill (`--speed max`), its disk outbox (fresh directory per round, default fsync policy
 * 'interval'), manifest accounting, birth message, generation as the engine chooses it (`auto`:
 * on a worker thread from 1,000 stations on machines with 4 cores or more; `--generation
 * worker|inline` forces one). `--versus MODE`
 * adds a third arm to every round, the simulator with that generation mode beside the same bare
 * round (order rotated), so both modes are compared in one run (`versus` in the JSON line). Timing of both starts before
 * the connection and ends when the last PUBACK arrived; the simulator's set-up before it (opening the
 * outbox, building the engine, starting the generation worker: `engine.prepare()`) is not timed, as
 * the bare side's payloads are built before timing too. The CPU time per message counts every
 * thread of the process (the worker's too).
 *
 * Robustness (the machine is shared, rates drift 2-3x between runs): per case, short rounds of
 * bare and simulator alternate (AB BA AB …, so a slow drift hurts both equally); the first
 * `--warmup` pairs are discarded; the figure per case is the median of the per-pair ratios
 * (sim rate / bare rate of the adjacent bare round), beside the medians of both rates and the
 * CPU time per message of this process (less sensitive to the neighbours than wall time; the
 * "CPU-time ratio" = bare CPU per message / simulator CPU per message is printed for reference,
 * the headline figure is the rate ratio). A full GC runs before every timed round (outside the
 * timing), so no round pays for the previous round's garbage.
 *
 * Last line: {"bench":"sim","readings_per_s":<simulator median readings/s at 10,000 stations>,
 * "ratio_vs_bare":<worst case's median pair ratio>,"ratios":{<stations>:<median pair ratio>}}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import mqtt from 'mqtt';
import { encodeReadingBatch, type Reading } from '@basin/schemas';
import { createLogger } from '@basin/platform';
import { startMosquitto } from '@basin/platform/testing';
import { Engine, resolveScenario, roundValue, selectStations, SignalModel, type SimStation } from '@basin/sensors-sim';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    warmup: { type: 'string', default: '1' },
    cases: { type: 'string', default: '1,100,10000' },
    msgs: { type: 'string', default: '30000' },
    generation: { type: 'string', default: 'auto' },
    versus: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const WARMUP = Number(args.warmup);
const TARGET_MSGS = Number(args.msgs);
const WINDOW = 1000;
const INTERVAL = 60_000;
const T0 = Date.UTC(2026, 6, 1);
const log = createLogger({ level: 'warn', destination: process.stderr });
const scenario = resolveScenario('normal');
// A full collection before every timed round: otherwise a round pays for the garbage the
// previous one left (the simulator's write arenas and caches, the bare side's packets), which
// skews the pair ratios in whichever direction the order happens to favour.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

interface Round {
  secs: number;
  messages: number;
  readings: number;
  bytes: number;
  cpuUs: number;
}

interface Msg {
  topic: string;
  payload: Buffer;
  count: number;
}

type Generation = 'auto' | 'worker' | 'inline';

async function runSim(url: string, stations: SimStation[], ticks: number, tag: string, generation = args.generation as Generation): Promise<Round> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-bench-'));
  try {
    const engine = new Engine({
      scenario,
      seed: 1,
      stations,
      intervalMs: INTERVAL,
      start: T0,
      end: T0 + ticks * INTERVAL,
      speed: 'max',
      mode: 'station',
      format: 'json',
      connections: 1,
      clientId: `bench-sim-${tag}`,
      mqtt: { url, qos: 1, protocol: 'auto' },
      outboxDir: dir,
      fsync: 'interval',
      allowHostile: false,
      provision: false,
      window: WINDOW,
      // The bare side's unit is the PUBACK too (there is no ingest in this benchmark).
      confirm: 'puback',
      highWater: 200_000,
      generation,
      log,
    });
    await engine.prepare();
    collect();
    const c0 = process.cpuUsage();
    const t = performance.now();
    await engine.start();
    await engine.done;
    const secs = (performance.now() - t) / 1000;
    const c = process.cpuUsage(c0);
    await engine.stop();
    return { secs, messages: engine.stats.messagesAcked, readings: engine.stats.acknowledged, bytes: engine.stats.bytes, cpuUs: c.user + c.system };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The simulator's messages for the same stations and ticks, built before timing starts. */
function buildPayloads(stations: SimStation[], ticks: number): Msg[] {
  const model = new SignalModel(scenario, 1, T0, INTERVAL);
  const out: Msg[] = [];
  const seq = new Map<string, number>();
  for (let k = 0; k < ticks; k++) {
    const t = T0 + k * INTERVAL;
    for (const st of stations) {
      const v = model.sample(st, t);
      for (const g of st.groups) {
        const first = (seq.get(st.id) ?? 0) + 1;
        seq.set(st.id, first + g.idx.length - 1);
        const readings: Reading[] = g.idx.map((i, j) => ({ station: st.id, metric: st.metrics[i]!, value: roundValue(st.metrics[i]!, v[i]!), ts: t, quality: 'not_evaluated', seq: first + j }));
        out.push({ topic: g.topic, payload: Buffer.from(encodeReadingBatch(readings, { station: st.id })), count: readings.length });
      }
    }
  }
  return out;
}

async function runBare(url: string, msgs: Msg[], tag: string): Promise<Round> {
  collect();
  const c0 = process.cpuUsage();
  const t = performance.now();
  const client = await mqtt.connectAsync(url, { clientId: `bench-bare-${tag}`, protocolVersion: 5, clean: true, reconnectPeriod: 0, keepalive: 30 });
  (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  let next = 0;
  let acked = 0;
  let readings = 0;
  let bytes = 0;
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
          bytes += m.payload.length;
          if (acked === msgs.length) resolve();
          else fill();
        });
      }
    };
    fill();
  });
  const secs = (performance.now() - t) / 1000;
  const c = process.cpuUsage(c0);
  await client.endAsync();
  return { secs, messages: acked, readings, bytes, cpuUs: c.user + c.system };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

const broker = await startMosquitto();
const results: { stations: number; ratio: number; simReadings: number; versus: number | null }[] = [];
const versus = args.versus as Generation | undefined;
try {
  for (const n of args.cases.split(',').map(Number)) {
    const stations = selectStations({ seed: 1, count: n });
    const perTick = stations.reduce((a, s) => a + s.groups.length, 0);
    const ticks = Math.max(1, Math.round(TARGET_MSGS / perTick));
    const payloads = buildPayloads(stations, ticks);
    const pairs: { bare: Round; sim: Round }[] = [];
    const versusRatios: number[] = [];
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      let bare: Round;
      let sim: Round;
      let alt: Round | null = null;
      if (r % 2 === 0) {
        bare = await runBare(broker.url, payloads, `${n}-${r}`);
        sim = await runSim(broker.url, stations, ticks, `${n}-${r}`);
        if (versus) alt = await runSim(broker.url, stations, ticks, `${n}-${r}-v`, versus);
      } else {
        if (versus) alt = await runSim(broker.url, stations, ticks, `${n}-${r}-v`, versus);
        sim = await runSim(broker.url, stations, ticks, `${n}-${r}`);
        bare = await runBare(broker.url, payloads, `${n}-${r}`);
      }
      const altRatio = alt && alt.readings / alt.secs / (bare.readings / bare.secs);
      if (altRatio !== null && r >= WARMUP) versusRatios.push(altRatio);
      if (bare.bytes !== sim.bytes || bare.readings !== sim.readings) throw new Error(`unfair comparison: bare ${bare.readings} readings / ${bare.bytes} B, simulator ${sim.readings} / ${sim.bytes} B`);
      const ratio = sim.readings / sim.secs / (bare.readings / bare.secs);
      process.stdout.write(
        `  ${r < WARMUP ? 'warm-up' : `round ${r - WARMUP + 1}`}: bare ${fmt(bare.messages / bare.secs)} msg/s (${(bare.cpuUs / bare.messages).toFixed(1)} µs CPU/msg)  sim ${fmt(sim.messages / sim.secs)} msg/s (${(sim.cpuUs / sim.messages).toFixed(1)} µs CPU/msg)  ratio ${ratio.toFixed(3)}` +
          (alt ? `  | ${versus} ${fmt(alt.messages / alt.secs)} msg/s (${(alt.cpuUs / alt.messages).toFixed(1)} µs CPU/msg) ratio ${altRatio!.toFixed(3)}` : '') +
          '\n',
      );
      if (r >= WARMUP) pairs.push({ bare, sim });
    }
    const rate = (xs: Round[], k: 'messages' | 'readings') => median(xs.map((x) => x[k] / x.secs));
    const bares = pairs.map((p) => p.bare);
    const sims = pairs.map((p) => p.sim);
    const ratio = median(pairs.map((p) => p.sim.readings / p.sim.secs / (p.bare.readings / p.bare.secs)));
    const simReadings = rate(sims, 'readings');
    const cpuRatio = median(bares.map((b) => b.cpuUs / b.messages)) / median(sims.map((x) => x.cpuUs / x.messages));
    results.push({ stations: n, ratio, simReadings, versus: versus ? median(versusRatios) : null });
    process.stdout.write(
      `stations ${String(n).padStart(6)} (${ticks} ticks, ${payloads.length} msgs, ${fmt(sims[0]!.bytes)} payload bytes per round, median of ${pairs.length} pairs): ` +
        `simulator ${fmt(rate(sims, 'messages'))} msg/s ${fmt(simReadings)} readings/s ${median(sims.map((s) => s.cpuUs / s.messages)).toFixed(1)} µs CPU/msg | ` +
        `bare mqtt.js ${fmt(rate(bares, 'messages'))} msg/s ${fmt(rate(bares, 'readings'))} readings/s ${median(bares.map((s) => s.cpuUs / s.messages)).toFixed(1)} µs CPU/msg | ` +
        `ratio ${ratio.toFixed(3)} (CPU-time ratio ${cpuRatio.toFixed(3)})${versus ? ` | ${versus} generation: ratio ${median(versusRatios).toFixed(3)}` : ''}\n`,
    );
  }
} finally {
  await broker.dispose();
}
const worst = results.reduce((a, b) => (b.ratio < a.ratio ? b : a));
const big = results[results.length - 1]!;
process.stdout.write(`ratio_vs_bare is the worst case (${worst.stations} stations); readings_per_s is the simulator at ${big.stations} stations\n`);
process.stdout.write(
  `${JSON.stringify({ bench: 'sim', readings_per_s: Math.round(big.simReadings), ratio_vs_bare: Math.round(worst.ratio * 1000) / 1000, ratios: Object.fromEntries(results.map((r) => [r.stations, Math.round(r.ratio * 1000) / 1000])), generation: args.generation, ...(versus ? { versus: { generation: versus, ratios: Object.fromEntries(results.map((r) => [r.stations, Math.round(r.versus! * 1000) / 1000])) } } : {}) })}\n`,
);
