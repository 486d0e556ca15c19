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
 * Then, on a private TimescaleDB server (@basin/platform/testing), with the twin-engine service
 * running (live state on LISTEN/NOTIFY, the elected evaluator, the shipped rules):
 * - commit_to_alert_p50/p99_ms: a reading committed (INSERT returns) → its alert row visible, for
 *   `--samples` sequential NH3-N readings at a Wuhan intake (1.05 mg/L, class IV, opens the shipped
 *   `nh3n-worse-than-iii`; 0.95 clears it before the next), under `--rate` readings/s (default
 *   10,000) of background load committed at every station in batches every 50 ms;
 * - rehearsal_ms: a 72 h what-if over the whole network (a synthetic flood's 72 h of inputs at every
 *   gauge, Three Gorges release changed for 48 h, a spill upstream of Wuhan), snapshot to stored
 *   result through RehearsalService.compute, median of 3 (two rehearsals each: modified and baseline).
 * `--db false` skips this part.
 *
 * Last line: {"bench":"rules","readings_per_s_per_core":N,"naive_readings_per_s":N,"ratio_vs_naive":N,"commit_to_alert_p99_ms":N,"rehearsal_ms":N,...}
 */
import { parseArgs } from 'node:util';
import { StoredRule, type MetricCode, type RuleDefinitionInput, type WaterClass } from '@basin/schemas';
import { BASIN_STATIONS } from '@basin/schemas';
import { createLogger, migrate, openServerDb, upsertStations, type Db } from '@basin/platform';
import { startTimescale } from '@basin/platform/testing';
import * as twin from '@basin/twin-engine';
import { RuleEngine } from '../twin-engine/src/rules/engine.js';
import { RehearsalService } from '../twin-engine/src/rehearsal/service.js';
import { syntheticFlood } from '../twin-engine/src/forecast/testing.js';
import type { Classifiers, Observation, RuleStation } from '../twin-engine/src/rules/types.js';

const { values: opts } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, readings: { type: 'string', default: '400000' }, db: { type: 'string', default: 'true' }, samples: { type: 'string', default: '40' }, rate: { type: 'string', default: '10000' } } });
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
const server = opts.db === 'false' ? null : await serverPart();
const out = {
  bench: 'rules',
  rules: rules.length,
  stations: STATIONS,
  readings: N,
  events_per_round: events,
  readings_per_s_per_core: Math.round(median(fast)),
  naive_readings_per_s: Math.round(median(naive)),
  ratio_vs_naive: Number((median(fast) / median(naive)).toFixed(1)),
  ...server,
};
process.stdout.write(`${JSON.stringify(out)}\n`);

// --- on a TimescaleDB server: commit → alert latency under load, and the rehearsal ---------------

async function serverPart() {
  const H = 3_600_000;
  const log = createLogger({ level: 'silent' });
  const ts = await startTimescale();
  const url = await ts.createDatabase();
  const db: Db = openServerDb({ mode: 'server', connectionString: url, poolMax: 12 });
  try {
    await migrate(db);
    await upsertStations(db, BASIN_STATIONS);
    // 72 h of inputs at every gauge and the Three Gorges outflow (a synthetic flood), for the rehearsal.
    const now = Math.floor(Date.now() / H) * H;
    const insert = (rows: Array<[number, string, string, number]>) =>
      db.query(`INSERT INTO readings (time, station, metric, value, quality) SELECT to_timestamp(t / 1000.0), s, m, v, 1 FROM unnest($1::float8[], $2::text[], $3::text[], $4::float8[]) AS u(t, s, m, v) ON CONFLICT DO NOTHING`,
        [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])]);
    const tw = await twin.start({ config: twin.loadConfig({ DATABASE_URL: url, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', VIEWER_DIR: '/nonexistent', WEBHOOKS_ENABLED: 'false', FORECAST_ENABLED: 'false' }), db, log });
    const flood = syntheticFlood(tw.twin.model, { t0: now - 71 * H, peakAt: now + 24 * H, peak: 30_000, sigmaH: 30, hours: 72 });
    const rows: Array<[number, string, string, number]> = [];
    for (const [id, sr] of flood) {
      for (const [key, metric] of [['discharge', 'discharge'], ['stage', 'water_level'], ['outflow', 'outflow']] as const) {
        sr[key]?.forEach((v, i) => rows.push([sr.start + i * H, id, metric, v]));
      }
    }
    await insert(rows);

    // Background load: `rate` readings/s committed in batches every 50 ms, a calm metric per station.
    const SIGNAL = 'intake-baihezui';
    const calm = BASIN_STATIONS.filter((s) => s.id !== SIGNAL && s.metrics.includes('rainfall')).map((s) => s.id);
    let loading = true;
    let loaded = 0;
    let seq = 0;
    const bg = (async () => {
      let tick = Date.now();
      while (loading) {
        const per = Math.round(Number(opts.rate) / 20);
        const t = Date.now();
        const batch: Array<[number, string, string, number]> = [];
        for (let i = 0; i < per; i++) batch.push([t - 1000 + (seq++ % 997) / 1000, calm[(loaded + i) % calm.length]!, 'rainfall', 0]);
        await insert(batch);
        loaded += per;
        tick += 50;
        const wait = tick - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    })();
    const loadStart = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const visible = async (open: boolean, since: number) => {
      for (;;) {
        const r = await db.query(`SELECT 1 FROM alerts WHERE rule_id = 'nh3n-worse-than-iii' AND subject = $1 AND ${open ? "state <> 'resolved'" : "state = 'resolved' AND resolved_at >= $2"}`, open ? [SIGNAL] : [SIGNAL, new Date(since).toISOString()]);
        if (r.rows.length) return performance.now();
        await new Promise((res) => setTimeout(res, 2));
      }
    };
    const lat: number[] = [];
    for (let n = 0; n < Number(opts.samples); n++) {
      const ts1 = Date.now();
      await insert([[ts1, SIGNAL, 'nh3n', 1.05]]);
      const t0 = performance.now();
      lat.push((await visible(true, 0)) - t0);
      const ts2 = Date.now() + 1;
      await insert([[ts2, SIGNAL, 'nh3n', 0.95]]);
      await visible(false, ts2);
    }
    loading = false;
    await bg;
    const backgroundRate = Math.round(loaded / ((Date.now() - loadStart) / 1000));

    const service = new RehearsalService({ db, log, twin: tw.twin });
    const body = { name: 'bench', hours: 72, modifiers: [{ type: 'reservoir_outflow' as const, station: 'three-gorges', outflow: 50_000, hours: 48, startHours: 0 }, { type: 'spill' as const, station: 'intake-hanwu', metric: 'nh3n' as const, massKg: 200_000, hours: 2, startHours: 0 }] };
    const times: number[] = [];
    let alerts = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await service.compute(body, now);
      times.push(performance.now() - t0);
      alerts = r.alerts.length;
    }
    await tw.stop();
    lat.sort((a, b) => a - b);
    const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 10) / 10;
    process.stdout.write(`commit -> alert over ${lat.length} samples under ${backgroundRate} readings/s: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms; rehearsal 72 h: ${times.map(Math.round).join(', ')} ms (${alerts} alert events)\n`);
    return { db: 'timescaledb-server', samples: lat.length, background_readings_per_s: backgroundRate, commit_to_alert_p50_ms: q(0.5), commit_to_alert_p99_ms: q(0.99), rehearsal_ms: Math.round(median(times)), rehearsal_alert_events: alerts };
  } finally {
    await db.close();
    await ts.dispose();
  }
}
