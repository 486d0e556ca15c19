/**
 * Benchmark: the twin-engine's standards, routing and read API.
 *
 *   npm run bench -- twin [--stations 10000] [--rounds 7] [--classify 200000]
 *
 * - classify_per_s: single-value classifications (GB 3838, HJ 633-2012/2026, GB 15618, a mix),
 *   per CPU-second of this single-threaded process.
 * - route_72h_ms: the whole network's 72 h flood forecast (Muskingum over every reach from the
 *   dams' outflows, error correction at each gauge, ratings) from 72 h of hourly inputs; median.
 * - latest_state_ms: `GET /api/readings/latest` for `--stations` synthetic stations × 2 metrics as
 *   the twin-engine serves it (from its live state, kept current over LISTEN/NOTIFY); beside it the
 *   same answer built by the database from latest_readings (latest_state_db_ms, the API without a
 *   live state), that query's rows alone (latest_state_query_ms) and the answer computed from raw
 *   readings (latest_state_raw_ms: DISTINCT ON over the last 2 h of 5-minute readings).
 * - reach_series_ms: 30 days of hourly values of every station of one reach
 *   (`GET /api/stations/:id/series?resolution=1h`, all stations in parallel, from the continuous
 *   aggregate), beside the same buckets computed from raw 5-minute readings.
 * API figures are wall time through fastify `inject()` against a private TimescaleDB server
 * (@basin/platform/testing startTimescale), interleaved rounds, medians.
 *
 * Last line: {"bench":"twin","classify_per_s":N,"route_72h_ms":N,"latest_state_ms":N,"latest_state_raw_ms":N,...}
 */
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { BASIN_STATIONS } from '@basin/schemas';
import { createLogger, migrate, openServerDb, upsertStations, type Db } from '@basin/platform';
import { startTimescale } from '@basin/platform/testing';
import { buildApp, loadConfig } from '../twin-engine/src/index.js';
import { systemClock } from '../twin-engine/src/state/clock.js';
import { TwinState } from '../twin-engine/src/state/twin.js';
import { BasinModel } from '../twin-engine/src/model/network.js';
import { forecastFlood, type HourlySeries } from '../twin-engine/src/forecast/flood.js';
import { syntheticFlood } from '../twin-engine/src/forecast/testing.js';
import { classify, ClassifyRequest } from '../twin-engine/src/standards/classify.js';

const { values: opts } = parseArgs({ options: { stations: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '7' }, classify: { type: 'string', default: '200000' } } });
const STATIONS = Number(opts.stations);
const ROUNDS = Number(opts.rounds);
const H = 3_600_000;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const round2 = (x: number) => Math.round(x * 100) / 100;
const log = (s: string) => process.stdout.write(`${s}\n`);

function benchClassify(n: number): number {
  const reqs = [
    { standard: 'GB3838-2002', metric: 'nh3n', value: 1.0, waterBody: 'river' },
    { standard: 'GB3838-2002', metric: 'do', value: 5.5 },
    { standard: 'GB3838-2002', metric: 'tp', value: 0.04, waterBody: 'lake' },
    { standard: 'HJ633-2026', metric: 'pm25', averaging: '24h', value: 75 },
    { standard: 'HJ633-2012', metric: 'o3', averaging: '8h', value: 180 },
    { standard: 'HJ633-2026', metric: 'so2', averaging: '1h', value: 900 },
    { standard: 'GB15618-2018', metric: 'cd', value: 0.5, soilPh: 6.0, landUse: 'paddy' },
    { standard: 'GB15618-2018', metric: 'pb', value: 120, soilPh: 7.8, landUse: 'other' },
  ].map((r) => ClassifyRequest.parse(r));
  for (let i = 0; i < 20_000; i++) classify(reqs[i % reqs.length]!); // warm-up
  const c = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < n; i++) sink += classify(reqs[i % reqs.length]!).value;
  const used = process.cpuUsage(c);
  if (sink < 0) log('');
  return n / ((used.user + used.system) / 1e6);
}

function benchRouting(): number {
  const model = new BasinModel(BASIN_STATIONS);
  const t0 = Date.parse('2026-07-01T00:00:00Z');
  const flood = syntheticFlood(model, { t0, peakAt: t0 + 72 * H, peak: 70_000, sigmaH: 18, hours: 72 });
  const series = new Map<string, HourlySeries>(flood);
  const input = { issuedAt: t0 + 71 * H, horizonH: 72, x: 0.2, series };
  for (let i = 0; i < 5; i++) forecastFlood(model, input);
  const ms: number[] = [];
  for (let i = 0; i < Math.max(ROUNDS, 21); i++) {
    const a = performance.now();
    forecastFlood(model, input);
    ms.push(performance.now() - a);
  }
  return median(ms);
}

/** Synthetic stations' last 2 h at 5 min (2 metrics) and their latest values; one reach's stations 30 days at 5 min. */
async function seed(db: Db, reachStations: string[], now: number): Promise<number> {
  const end = new Date(now).toISOString();
  await db.query(
    `INSERT INTO readings (time, station, metric, value, quality)
     SELECT $2::timestamptz - g.i * interval '5 minutes', 'syn-' || lpad(s::text, 5, '0'), m, 20 + (s % 50) * 0.1 + g.i * 0.01, 1
     FROM generate_series(0, $1::int - 1) s, generate_series(0, 23) AS g(i), unnest(ARRAY['water_level', 'nh3n']) m`,
    [STATIONS, end],
  );
  await db.query(
    `INSERT INTO latest_readings (station, metric, time, value, quality, received_at)
     SELECT DISTINCT ON (station, metric) station, metric, time, value, quality, received_at FROM readings ORDER BY station, metric, time DESC
     ON CONFLICT (station, metric) DO UPDATE SET time = EXCLUDED.time, value = EXCLUDED.value, received_at = EXCLUDED.received_at`,
  );
  await db.query(
    `INSERT INTO readings (time, station, metric, value, quality)
     SELECT $2::timestamptz - g.i * interval '5 minutes', s, 'water_level', 25 + sin(g.i / 288.0) + length(s) * 0.01, 1
     FROM unnest($1::text[]) s, generate_series(0, 30 * 288 - 1) AS g(i) ON CONFLICT DO NOTHING`,
    [reachStations, end],
  );
  for (const v of ['readings_15m', 'readings_1h', 'readings_1d']) await db.exec(`CALL refresh_continuous_aggregate('${v}', NULL, NULL)`);
  const n = await db.query<{ n: string }>(`SELECT count(*) AS n FROM readings`);
  return Number(n.rows[0]!.n);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const a = performance.now();
  await fn();
  return performance.now() - a;
}

async function benchApi(): Promise<Record<string, number>> {
  const ts = await startTimescale();
  const settings = { mode: 'server' as const, connectionString: await ts.createDatabase(), poolMax: 8 };
  const db = openServerDb(settings);
  let twin: TwinState | null = null;
  try {
    await migrate(db);
    await upsertStations(db, BASIN_STATIONS);
    const model = new BasinModel(BASIN_STATIONS);
    const reach = [...model.reaches.keys()].sort((a, b) => model.stationsOf(b).length - model.stationsOf(a).length)[0]!;
    const reachStations = model.stationsOf(reach);
    const now = Math.floor(Date.now() / H) * H;
    const rows = await seed(db, reachStations, now);
    log(`seeded ${rows} readings: ${STATIONS} synthetic stations (2 h, 5 min, 2 metrics); reach ${reach}: ${reachStations.length} stations × 30 days at 5 min`);
    const config = loadConfig({ VIEWER_DIR: '/nonexistent', API_ANONYMOUS_READ: 'true', HTTP_RATE_LIMIT: '1000000' });
    const silent = createLogger({ level: 'silent' });
    twin = new TwinState(db, settings, systemClock, config.twin, silent);
    await twin.start();
    const app = await buildApp({ config, db, log: silent, twin });
    const dbApp = await buildApp({ config, db, log: silent });
    const from = new Date(now - 30 * 86_400_000).toISOString();
    const to = new Date(now).toISOString();
    // Both answers checked once (outside the timings): the same 20,000 entries.
    const bodies = await Promise.all([app, dbApp].map((a) => a.inject({ url: '/api/readings/latest' })));
    if (bodies.some((r) => r.statusCode !== 200 || r.json<unknown[]>().length < STATIONS * 2) || !isDeepStrictEqual(bodies[0]!.json(), bodies[1]!.json())) {
      const [a, b] = bodies.map((r) => r.json<unknown[]>());
      const i = a!.findIndex((x, k) => !isDeepStrictEqual(x, b![k]));
      throw new Error(`latest: the answers differ at ${i}: ${JSON.stringify(a![i])} vs ${JSON.stringify(b![i])}`);
    }
    const latestOf = (a: typeof app) => async () => {
      const r = await a.inject({ url: '/api/readings/latest' });
      if (r.statusCode !== 200) throw new Error(`latest: ${r.statusCode}`);
    };
    const latestApi = latestOf(app);
    const latestDb = latestOf(dbApp);
    const latestQuery = () => db.query(`SELECT station, metric, value, time, quality, received_at FROM latest_readings ORDER BY station, metric`);
    const latestRaw = () =>
      db.query(`SELECT DISTINCT ON (station, metric) station, metric, value, time, quality FROM readings WHERE time > $1::timestamptz - interval '2 hours' ORDER BY station, metric, time DESC`, [to]);
    const seriesApi = () =>
      Promise.all(reachStations.map(async (s) => {
        const r = await app.inject({ url: `/api/stations/${s}/series?metric=water_level&resolution=1h&from=${from}&to=${to}` });
        if (r.statusCode !== 200 || r.json<{ buckets: unknown[] }>().buckets.length < 700) throw new Error(`series ${s}: ${r.statusCode}`);
      }));
    const seriesRaw = () =>
      Promise.all(reachStations.map((s) =>
        db.query(`SELECT time_bucket('1 hour', time) AS bucket, min(value), max(value), avg(value), last(value, time), count(*) FROM readings WHERE station = $1 AND metric = 'water_level' AND time >= $2 AND time <= $3 GROUP BY 1 ORDER BY 1`, [s, from, to]),
      ));
    const m = { latest: [] as number[], latestDb: [] as number[], latestQuery: [] as number[], latestRaw: [] as number[], series: [] as number[], seriesRaw: [] as number[] };
    await latestApi();
    await seriesApi();
    for (let r = 0; r < ROUNDS; r++) {
      // A committed reading before each timing: the answer is rebuilt (changed entries re-serialised,
      // the rest joined from their cached texts), not the cached whole answer of an unchanged state.
      twin.apply([{ station: 'syn-00000', metric: 'water_level', value: 30 + r, ts: now + (r + 1) * 1000, quality: 'pass' }]);
      m.latest.push(await timed(latestApi));
      m.latestDb.push(await timed(latestDb));
      m.latestQuery.push(await timed(latestQuery));
      m.latestRaw.push(await timed(latestRaw));
      m.series.push(await timed(seriesApi));
      m.seriesRaw.push(await timed(seriesRaw));
      log(`round ${r + 1}: latest ${m.latest[r]!.toFixed(1)} ms (built by the database ${m.latestDb[r]!.toFixed(1)}, its query alone ${m.latestQuery[r]!.toFixed(1)}, raw ${m.latestRaw[r]!.toFixed(1)}), reach series ${m.series[r]!.toFixed(1)} ms (raw ${m.seriesRaw[r]!.toFixed(1)})`);
    }
    await app.close();
    await dbApp.close();
    return {
      reach_stations: reachStations.length,
      readings: rows,
      latest_state_ms: round2(median(m.latest)),
      latest_state_db_ms: round2(median(m.latestDb)),
      latest_state_query_ms: round2(median(m.latestQuery)),
      latest_state_raw_ms: round2(median(m.latestRaw)),
      latest_ratio_raw_vs_api: round2(median(m.latestRaw) / median(m.latest)),
      latest_ratio_db_vs_api: round2(median(m.latestDb) / median(m.latest)),
      reach_series_ms: round2(median(m.series)),
      reach_series_raw_ms: round2(median(m.seriesRaw)),
      reach_ratio_raw_vs_api: round2(median(m.seriesRaw) / median(m.series)),
    };
  } finally {
    await twin?.stop();
    await db.close();
    await ts.dispose();
  }
}

const classifyPerS = benchClassify(Number(opts.classify));
log(`classify: ${Math.round(classifyPerS)} per CPU-second`);
const routeMs = benchRouting();
log(`route 72 h (whole network): ${routeMs.toFixed(2)} ms`);
const api = await benchApi();
process.stdout.write(`${JSON.stringify({ bench: 'twin', stations: STATIONS, classify_per_s: Math.round(classifyPerS), route_72h_ms: round2(routeMs), ...api })}\n`);
