/**
 * Ingest benchmark: `npm run bench -- ingest [--readings N] [--naive-seconds S]`.
 *
 * One run, same machine, same `readings` hypertable (truncated between phases):
 *  (a) ceiling  — the database's own bulk insert: unnest batches of 5,000 into readings with the
 *                 same unique key (ON CONFLICT DO NOTHING), no broker, no decoding;
 *  (b) pipeline — publisher (child process, QoS 1) -> Mosquitto -> ingest (ack after commit)
 *                 -> TimescaleDB, with validation, QC flags, latest values, dead letters;
 *  (c) naive    — mqtt.js subscriber doing one INSERT per message (acked after it), same broker.
 * Embedded TimescaleDB (PGlite, in this process) by default; a TimescaleDB server if
 * DATABASE_URL is set. Prints readings/s, p50/p99 publish-to-commit latency and CPU per process,
 * and ends with one JSON line.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { METRICS, metricsOfMedium, topics, type MetricCode, type Station } from '@basin/schemas';
import { createLogger, migrate, openEmbeddedDb, openServerDb, upsertStations, type Db } from '@basin/platform';
import { startMosquitto, type TestMosquitto } from '@basin/platform/testing';
import { loadConfig, start } from '@basin/ingest';

const { values } = parseArgs({
  options: {
    readings: { type: 'string', default: '200000' },
    'naive-seconds': { type: 'string', default: '12' },
    publisher: { type: 'boolean', default: false },
    url: { type: 'string' },
    stations: { type: 'string', default: '500' },
    window: { type: 'string', default: '4000' },
  },
});
const N = Number(values.readings);
const STATIONS = Number(values.stations);
const WATER: MetricCode[] = metricsOfMedium('water').map((m) => m.code);
const stationId = (i: number) => `bench-${String(i).padStart(4, '0')}`;
const valueOf = (m: MetricCode, i: number) => {
  const d = METRICS[m];
  return Number((d.validMin + (d.validMax - d.validMin) * (0.2 + (i % 97) / 1000)).toFixed(3));
};

// ---------------------------------------------------------------------------------------------
// Publisher child: N readings as station messages (one reading per water metric), QoS 1, a window
// of unacknowledged publishes; ts = publish time (unique per station). Reports its CPU on exit.
if (values.publisher) {
  const client = await mqtt.connectAsync(values.url!, { clientId: `bench-pub-${process.pid}`, clean: true });
  const lastTs = new Array<number>(STATIONS).fill(0);
  const messages = Math.ceil(N / WATER.length);
  const window = Number(values.window);
  let inflight = 0;
  let acked = 0;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await new Promise<void>((resolve) => {
    let k = 0;
    const pump = () => {
      while (inflight < window && k < messages) {
        const s = k % STATIONS;
        const ts = Math.max(Date.now(), lastTs[s]! + 1);
        lastTs[s] = ts;
        const payload = JSON.stringify({ v: 1, readings: WATER.map((metric) => ({ metric, value: valueOf(metric, k), ts })) });
        inflight++;
        k++;
        client.publish(topics.stationReadings('water', stationId(s)), payload, { qos: 1 }, () => {
          inflight--;
          acked++;
          if (acked === messages) resolve();
          else if (inflight < window / 2) setImmediate(pump);
        });
      }
    };
    pump();
  });
  const cpu = process.cpuUsage(cpu0);
  await client.endAsync();
  process.stdout.write(`${JSON.stringify({ published: messages * WATER.length, ms: Date.now() - t0, cpu_ms: (cpu.user + cpu.system) / 1000 })}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
const out = (s: string) => process.stdout.write(`${s}\n`);
const log = createLogger({ level: 'warn', destination: process.stderr });
const serverUrl = process.env.DATABASE_URL;
const db: Db = serverUrl ? openServerDb({ mode: 'server', connectionString: serverUrl, poolMax: Number(process.env.DATABASE_POOL_MAX ?? 4) }, log) : await openEmbeddedDb(null);
await migrate(db, log);
const stations: Station[] = Array.from({ length: STATIONS }, (_, i) => ({
  id: stationId(i),
  name: { zh: `基准站${i}`, en: `Bench ${i}` },
  kind: 'water_quality',
  location: { lon: 114 + (i % 50) * 0.01, lat: 30 + Math.floor(i / 50) * 0.01, elevation: null, approximate: true },
  river: null,
  riverKm: null,
  lake: null,
  metrics: WATER,
  jurisdiction: { admin: '湖北省', owner: 'bench', riverChief: null },
  levels: null,
  synthetic: true,
  source: 'bench/ingest.ts',
}));
await upsertStations(db, stations);
const reset = () => db.exec('TRUNCATE readings; TRUNCATE latest_readings; TRUNCATE dead_letters;');
const stored = async () => Number((await db.query<{ n: number }>(`SELECT count(*) AS n FROM readings WHERE station LIKE 'bench-%'`)).rows[0]!.n);
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
/** CPU ms of another process from /proc (Linux); null elsewhere. */
const procCpuMs = (pid: number | null): number | null => {
  if (!pid) return null;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(parts[11]) + Number(parts[12])) * 1000) / 100; // utime + stime, clock ticks of 1/100 s
  } catch {
    return null;
  }
};
const mosquittoPid = (m: TestMosquitto): number | null => {
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(m.dir)) return Number(p);
    } catch {
      // process gone
    }
  }
  return null;
};
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

out(`ingest benchmark — ${serverUrl ? 'TimescaleDB server (DATABASE_URL)' : 'embedded TimescaleDB (PGlite, in this process)'}, ${fmt(N)} readings, ${STATIONS} stations x ${WATER.length} metrics`);

// ---- (a) ceiling ----------------------------------------------------------------------------
await reset();
let ceiling = 0;
{
  const B = Number(process.env.INGEST_BATCH_SIZE ?? 10_000);
  const tBase = Date.now() - 3_600_000;
  const cpu0 = cpuMs();
  const start0 = performance.now();
  for (let off = 0; off < N; off += B) {
    const n = Math.min(B, N - off);
    const time = new Array<string>(n);
    const station = new Array<string>(n);
    const metric = new Array<string>(n);
    const value = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      const i = off + j;
      const msg = Math.floor(i / WATER.length);
      time[j] = new Date(tBase + Math.floor(msg / STATIONS)).toISOString();
      station[j] = stationId(msg % STATIONS);
      metric[j] = WATER[i % WATER.length]!;
      value[j] = valueOf(metric[j] as MetricCode, msg);
    }
    await db.query(
      `INSERT INTO readings (time, station, metric, value, quality)
       SELECT t, s, m, v, 1 FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[]) AS u(t, s, m, v)
       ON CONFLICT DO NOTHING`,
      [time, station, metric, value],
    );
  }
  const ms = performance.now() - start0;
  const ceilingRate = (N / ms) * 1000;
  const n = await stored();
  if (n !== N) throw new Error(`ceiling stored ${n} of ${N}`);
  out(`(a) ceiling   ${fmt(ceilingRate).padStart(9)} readings/s  (${fmt(N)} in ${(ms / 1000).toFixed(1)} s, unnest x${B}; CPU this process ${fmt(cpuMs() - cpu0)} ms)`);
  ceiling = ceilingRate;
}

// ---- (b) pipeline ---------------------------------------------------------------------------
await reset();
const mosq = await startMosquitto();
const mPid = mosquittoPid(mosq);
let pipelineRate = 0;
let p50 = NaN;
let p99 = NaN;
{
  const config = loadConfig({
    ...(serverUrl ? { DATABASE_URL: serverUrl } : { DATA_DIR: 'memory' }),
    MQTT_URL: mosq.url,
    INGEST_CLIENT_ID: 'bench-ingest',
    INGEST_METRICS_ENABLED: 'false',
    INGEST_RUN_JOBS: 'false',
    INGEST_BATCH_SIZE: process.env.INGEST_BATCH_SIZE ?? '10000',
    INGEST_MAX_PENDING: process.env.INGEST_MAX_PENDING ?? '100000',
    INGEST_BATCH_MS: '100',
    LOG_LEVEL: 'warn',
  });
  const svc = await start({ config, db, log, mqttUrl: mosq.url });
  const latencies: number[] = [];
  let committed = 0;
  let lastCommit = 0;
  let firstReceived = 0;
  let commitMs = 0;
  svc.onCommitted((b) => {
    for (const r of b.readings) latencies.push(b.committedAt - r.ts);
    committed += b.inserted;
    lastCommit = b.committedAt;
    commitMs += b.commitMs;
    if (!firstReceived) firstReceived = b.oldestReceivedAt;
  });
  const cpu0 = cpuMs();
  const mCpu0 = procCpuMs(mPid);
  const t0 = Date.now();
  const pub = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--publisher', '--url', mosq.url, '--readings', String(N), '--stations', String(STATIONS), '--window', values.window!], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pubOut = '';
  pub.stdout.on('data', (d: Buffer) => (pubOut += d.toString()));
  const pubDone = new Promise<void>((resolve) => pub.once('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  while (committed < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await pubDone;
  const pubStats = JSON.parse(pubOut.trim().split('\n').pop() ?? '{}') as { published?: number; cpu_ms?: number; ms?: number };
  // from the first message received by ingest to the last commit (publisher start-up excluded)
  const ms = lastCommit - firstReceived;
  void t0;
  const cpu = cpuMs() - cpu0;
  const mCpu = mCpu0 === null ? null : (procCpuMs(mPid) ?? 0) - mCpu0;
  await svc.stop();
  const n = await stored();
  if (n !== N) throw new Error(`pipeline stored ${n} of ${N}`);
  pipelineRate = (N / ms) * 1000;
  p50 = pct(latencies, 50);
  p99 = pct(latencies, 99);
  out(
    `(b) pipeline  ${fmt(pipelineRate).padStart(9)} readings/s  (${fmt(N)} in ${(ms / 1000).toFixed(1)} s; publish->commit p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms; ` +
      `${svc.counters.batches} commits taking ${(commitMs / 1000).toFixed(1)} s; CPU: ingest+db ${fmt(cpu)} ms, mosquitto ${mCpu === null ? 'n/a' : fmt(mCpu)} ms, publisher ${fmt(pubStats.cpu_ms ?? NaN)} ms)`,
  );
}

// ---- (c) naive ------------------------------------------------------------------------------
await reset();
let naiveRate = 0;
{
  const seconds = Number(values['naive-seconds']);
  const client = await mqtt.connectAsync(mosq.url, { clientId: 'bench-naive', clean: true });
  let readings = 0;
  let first = 0;
  let last = 0;
  const latencies: number[] = [];
  client.handleMessage = (packet, done) => {
    const doc = JSON.parse(packet.payload.toString()) as { readings: { metric: string; value: number; ts: number }[] };
    const station = packet.topic.split('/').pop()!;
    const params: unknown[] = [];
    const rows = doc.readings.map((r, i) => {
      params.push(new Date(r.ts).toISOString(), station, r.metric, r.value);
      return `($${i * 4 + 1}::timestamptz, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}::float8, 2)`;
    });
    db.query(`INSERT INTO readings (time, station, metric, value, quality) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`, params).then(
      () => {
        const now = Date.now();
        if (!first) first = now;
        last = now;
        readings += doc.readings.length;
        for (const r of doc.readings) latencies.push(now - r.ts);
        done();
      },
      (e: unknown) => done(e as Error),
    );
  };
  await client.subscribeAsync(topics.filters.readings[0]!, { qos: 1 });
  const cpu0 = cpuMs();
  const pub = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--publisher', '--url', mosq.url, '--readings', String(N), '--stations', String(STATIONS), '--window', '200'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const t0 = Date.now();
  while (Date.now() - t0 < seconds * 1000 && readings < N) await new Promise((r) => setTimeout(r, 50));
  pub.kill();
  await client.endAsync(true);
  naiveRate = (readings / Math.max(1, last - first)) * 1000;
  out(`(c) naive     ${fmt(naiveRate).padStart(9)} readings/s  (${fmt(readings)} in ${((last - first) / 1000).toFixed(1)} s, one INSERT per message; p50 ${fmt(pct(latencies, 50))} ms; CPU ingest+db ${fmt(cpuMs() - cpu0)} ms)`);
}
await mosq.dispose();
await db.close();

const ratioCeiling = pipelineRate / ceiling;
const ratioNaive = pipelineRate / naiveRate;
out(`pipeline / ceiling = ${ratioCeiling.toFixed(2)} (goal >= 0.5), pipeline / naive = ${ratioNaive.toFixed(1)}x (goal >= 10x)`);
out(
  JSON.stringify({
    bench: 'ingest',
    readings_per_s: Math.round(pipelineRate),
    ratio_vs_ceiling: Number(ratioCeiling.toFixed(3)),
    ratio_vs_naive: Number(ratioNaive.toFixed(2)),
    p99_ms: Math.round(p99),
  }),
);
process.exit(0);
