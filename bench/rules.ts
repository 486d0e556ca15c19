/**
 * Benchmark: 预警 rule evaluation throughput.
 *
 *   npm run bench -- rules [--rounds 5] [--readings 400000]
 *
 * 500 rules (threshold, sustained threshold, rate of change, composite AND across two sections,
 * water-class change) over 10,000 synthetic stations in 40 reaches; a stream of readings in time
 * order cycling through the stations' metrics, values drifting around the thresholds so rules open
 * and clear. Measured in this one process (one core): the engine with its per-station index beside
 * a naive evaluator that checks every rule's scope on every reading (same engine code otherwise),
 * interleaved rounds, medians. Rates are readings per CPU-second of this single-threaded process.
 *
 * Last line: {"bench":"rules","readings_per_s_per_core":N,"naive_readings_per_s":N,"ratio_vs_naive":N,...}
 */
import { parseArgs } from 'node:util';
import { StoredRule, type MetricCode, type RuleDefinitionInput, type WaterClass } from '@basin/schemas';
import { RuleEngine } from '../twin-engine/src/rules/engine.js';
import type { Classifiers, Observation, RuleStation } from '../twin-engine/src/rules/types.js';

const { values: opts } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, readings: { type: 'string', default: '400000' } } });
const ROUNDS = Number(opts.rounds);
const N = Number(opts.readings);
const STATIONS = 10_000;
const REACHES = 40;

const kinds = ['hydrology_gauge', 'water_quality', 'air_quality'] as const;
const stations: RuleStation[] = Array.from({ length: STATIONS }, (_, i) => ({
  id: `syn-${String(i).padStart(5, '0')}`,
  kind: kinds[i % 3]!,
  reach: `reach-${i % REACHES}`,
  river: i % 2 ? 'Yangtze' : 'Han',
  admin: `湖北省市${i % 17}`,
  riverChief: `河长${i % 23}`,
}));
const metricsOf: Record<(typeof kinds)[number], MetricCode[]> = {
  hydrology_gauge: ['water_level', 'discharge'],
  water_quality: ['nh3n', 'do', 'codmn'],
  air_quality: ['pm25', 'o3'],
};

const NH3N: Array<[number, WaterClass]> = [[0.15, 'I'], [0.5, 'II'], [1.0, 'III'], [1.5, 'IV'], [2.0, 'V']];
const classifiers: Classifiers = {
  waterClass: (_s, m, v) => {
    if (m !== 'nh3n') return null;
    for (const [l, c] of NH3N) if (v <= l) return c;
    return 'worse_than_V';
  },
  aqiCategory: () => null,
  floodLevels: () => ({}),
};

function makeRules(): StoredRule[] {
  const rules: RuleDefinitionInput[] = [];
  for (let i = 0; i < 500; i++) {
    const reach = `reach-${i % REACHES}`;
    const base = { id: `r${i}`, name: { zh: `规则${i}`, en: `rule ${i}` }, severity: 'yellow' as const, scope: { reaches: [reach] } };
    const k = i % 10;
    if (k < 4) rules.push({ ...base, scope: { ...base.scope, kinds: ['hydrology_gauge'] }, condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 30 + (i % 7), clearValue: 29.5 + (i % 7) } });
    else if (k < 6) rules.push({ ...base, forSeconds: 1800, scope: { ...base.scope, kinds: ['water_quality'] }, condition: { type: 'threshold', metric: 'do', op: '<', value: 3 + (i % 3) } });
    else if (k < 7) rules.push({ ...base, scope: { ...base.scope, kinds: ['hydrology_gauge'] }, condition: { type: 'rate_of_change', metric: 'water_level', perHour: 0.5, windowSeconds: 3600 } });
    else if (k < 8) {
      const a = stations[(i * 3 + 1) % STATIONS]!.id;
      const b = stations[(i * 3 + 4) % STATIONS]!.id;
      rules.push({ ...base, scope: { stations: [b] }, condition: { type: 'composite', op: 'and', parts: [
        { station: a, condition: { type: 'water_class', metric: 'nh3n', worseThan: 'III' } },
        { station: b, condition: { type: 'water_class', metric: 'nh3n', worseThan: 'III' } },
      ] } });
    } else rules.push({ ...base, scope: { ...base.scope, kinds: ['water_quality'] }, condition: { type: 'water_class', metric: 'nh3n', worseThan: 'III' } });
  }
  return rules.map((r) => StoredRule.parse({ ...r, version: 1 }));
}

function makeReadings(): Observation[] {
  const out: Observation[] = [];
  const t0 = Date.UTC(2026, 6, 1);
  for (let i = 0; i < N; i++) {
    const s = stations[i % STATIONS]!;
    const ms = metricsOf[s.kind as keyof typeof metricsOf];
    const round = Math.floor(i / STATIONS);
    const metric = ms[round % ms.length]!;
    const wave = Math.sin(round / 40 + (i % 97));
    const value = metric === 'water_level' ? 33 + 4 * wave : metric === 'nh3n' ? 1 + 0.6 * wave : metric === 'do' ? 5 + 2.5 * wave : 60 + 40 * wave;
    out.push({ station: s.id, metric, value, ts: t0 + round * 300_000, quality: 'pass' });
  }
  return out;
}

/** The same engine with its index defeated: every reading checks every rule's scope. */
class NaiveEngine extends RuleEngine {
  override observe(o: Observation, now: number) {
    (this as unknown as { index: Map<string, unknown> }).index.delete(o.station);
    return super.observe(o, now);
  }
}

function once(E: typeof RuleEngine, rules: StoredRule[], readings: Observation[], n: number): { rate: number; events: number } {
  const e = new E(classifiers);
  e.setRules(rules, 0);
  e.setStations(stations, 0);
  // Steady state: the per-station rule index is built once per station (at its first reading) and
  // kept until rules or stations change; build it before timing, as a running service has.
  for (const s of stations) e.observe({ station: s.id, metric: 'rainfall', value: 0, ts: 0, quality: 'pass' }, 0);
  let events = 0;
  // Per core: CPU time of this (single-threaded) process, not wall time — the figure holds on a
  // shared machine where wall time also counts the neighbours.
  const c = process.cpuUsage();
  for (let i = 0; i < n; i++) events += e.observe(readings[i]!, readings[i]!.ts).length;
  const used = process.cpuUsage(c);
  const s = (used.user + used.system) / 1e6;
  return { rate: n / s, events };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const rules = makeRules();
const readings = makeReadings();
const naiveN = Math.min(N, 40_000);
once(RuleEngine, rules, readings, Math.min(N, 50_000)); // warm-up
const fast: number[] = [];
const naive: number[] = [];
let events = 0;
for (let r = 0; r < ROUNDS; r++) {
  const a = once(RuleEngine, rules, readings, N);
  fast.push(a.rate);
  events = a.events;
  naive.push(once(NaiveEngine, rules, readings, naiveN).rate);
  process.stdout.write(`round ${r + 1}: engine ${Math.round(a.rate)} readings/s, naive ${Math.round(naive[naive.length - 1]!)} readings/s\n`);
}
const out = {
  bench: 'rules',
  rules: rules.length,
  stations: STATIONS,
  readings: N,
  events_per_round: events,
  readings_per_s_per_core: Math.round(median(fast)),
  naive_readings_per_s: Math.round(median(naive)),
  ratio_vs_naive: Number((median(fast) / median(naive)).toFixed(1)),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
