#!/usr/bin/env node
/**
 * sensors-sim CLI (field engineers): `sensors-sim run|stations|scenarios|help`.
 * The CLI writes to stdout/stderr directly (tables, progress line); the engine logs with pino.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { METRICS } from '@basin/schemas';
import { BasinError, createLogger } from '@basin/platform';
import { loadConfig, processEnv } from './config.js';
import { Engine, type EngineStats } from './engine.js';
import type { Manifest } from './manifest.js';
import { EXIT_CODES, SimErrors } from './errors.js';
import { listScenarios, resolveScenario, SCENARIO_ALIASES, SCENARIO_DIR } from './scenario.js';
import { selectStations } from './stations.js';

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

const HELP: Record<string, string> = {
  main: `sensors-sim — Yangtze-basin field sensor simulator (basin-twin)

Usage: sensors-sim <command> [options]

Commands:
  run         generate readings for a scenario and publish them (MQTT or HJ 212)
  stations    list the station catalogue (real + synthetic)
  scenarios   list the scenario files
  help [cmd]  show help for a command

Run "sensors-sim <command> --help" for the options of a command.
`,
  run: `Usage: sensors-sim run [options]

Scenario and stations
  --scenario NAME|FILE   scenario name or alias (see "sensors-sim scenarios") or a .json file
                         [SIM_SCENARIO, normal]
  --stations N           number of stations: the real catalogue first, then synthetic ones
                         placed along the Yangtze and Han (deterministic from --seed)
  --seed N               random seed; same seed + scenario = same data  [SIM_SEED, 42]
  --interval DUR         simulated time between readings of a station, e.g. 60s, 5m  [SIM_INTERVAL_S, 60s]
  --allow-hostile        allow scenarios that send malformed/hostile payloads (ingest testing)

Time
  --start TIME           simulated start: ISO-8601, "now" or relative like -6h (default: now;
                         with --speed > 1 and --duration, now minus the duration so that no
                         reading lies in the future)
  --duration DUR         simulated duration, e.g. 90m, 2h, 3d (default: scenario's, else endless)
  --speed N              simulated seconds per wall second (1 = real time, 60 = 1 h per minute)
  --backfill             publish the window [start, start+duration) as fast as the broker accepts

Output
  --publish MODE         station (one topic per station) | gateway (one batch per gateway) | hj212
  --format FMT           json (reading batch) | senml   (station mode)
  --connections N        MQTT connections in station mode, or "per-station" (one client per station)
  --url URL              MQTT broker  [MQTT_URL, mqtt://127.0.0.1:1883]
  --username U, --password P   MQTT credentials  [MQTT_USERNAME, MQTT_PASSWORD]
  --qos 0|1|2            [SIM_QOS, 1]
  --mqtt-version V       auto (MQTT 5, else 3.1.1) | 5 | 3.1.1  [SIM_MQTT_PROTOCOL, auto]
  --client-id ID         client id (prefix)  [SIM_CLIENT_ID]
  --hj212 HOST:PORT      HJ 212-2017 listener for --publish hj212
  --hj212-pw PW          HJ 212 access password (PW)  [123456]
  --hj212-ack            ask for and wait for the platform's CN=9014 answers

Reliability
  --outbox DIR           disk outbox; unacknowledged messages survive broker outages and restarts
                         [SIM_OUTBOX_DIR, data/sensors-sim-outbox]; a restart with the same
                         options resumes where the previous run stopped
  --reset-outbox         delete the outbox (and its resume state) before starting
  --fsync POLICY         none | interval | always  [SIM_FSYNC, interval]
  --window N             messages in flight (not yet PUBACKed) per connection  [1000]
  --confirm MODE         commit: a reading leaves the outbox when ingest confirms it committed
                         (basin/v1/committed/<station>), unconfirmed ones are sent again after a
                         reconnect or the timeout; puback: on the broker's PUBACK (a broker or
                         ingest without confirmations)  [SIM_CONFIRM, commit]
  --confirm-timeout DUR  commit mode: send again when no confirmation came this long after the
                         PUBACK  [SIM_CONFIRM_TIMEOUT_S, 60s]

Reporting
  --manifest FILE        write per-station first/last sequence and counts, published and acknowledged
  --quiet                no progress line

Examples
  sensors-sim run --scenario flood-2020-jul --start 2020-07-01T00:00:00+08:00 --speed 3600
  sensors-sim run --scenario spill --backfill --start 2026-07-01T00:00:00+08:00 --duration 7d
  sensors-sim run --publish gateway --stations 10000 --duration 1h --backfill --manifest m.json
  sensors-sim run --publish hj212 --hj212 127.0.0.1:9212 --speed 60 --duration 1h
`,
  stations: `Usage: sensors-sim stations [--stations N] [--seed N] [--json] [--kind KIND]

Lists the stations a run would simulate: id, kind, name, river km, position (~ = approximate),
warning level, gateway and metrics. --json prints the Station documents.
`,
  scenarios: `Usage: sensors-sim scenarios [--json] [--dir DIR]

Lists the scenario files (validated against the scenario schema) with their titles.
`,
};

export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) throw SimErrors.USAGE(`bad duration "${s}" (use e.g. 90s, 15m, 2h, 3d)`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}

export function parseTime(s: string, now = Date.now()): number {
  if (s === 'now') return now;
  if (/^-\d/.test(s)) return now - parseDuration(s.slice(1));
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw SimErrors.USAGE(`bad time "${s}" (use ISO-8601, "now" or e.g. -6h)`);
  return t;
}

function pad(s: string, n: number): string {
  const w = [...s].reduce((a, c) => a + (c.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
  return s + ' '.repeat(Math.max(0, n - w));
}

function cmdStations(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { stations: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, kind: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return out(HELP.stations!), 0;
  const seed = values.seed ? Number(values.seed) : loadConfig(processEnv()).seed;
  let list = selectStations({ seed, count: values.stations ? Number(values.stations) : undefined });
  if (values.kind) list = list.filter((s) => s.station.kind === values.kind);
  if (values.json) return out(JSON.stringify(list.map((s) => s.station), null, 2) + '\n'), 0;
  out(`${pad('id', 18)}${pad('kind', 17)}${pad('name', 30)}${pad('river km', 16)}${pad('lon, lat', 22)}${pad('warning', 9)}${pad('gateway', 20)}metrics\n`);
  for (const s of list) {
    const st = s.station;
    const pos = `${st.location.approximate ? '~' : ' '}${st.location.lon.toFixed(4)}, ${st.location.lat.toFixed(4)}`;
    const km = st.river ? `${st.river} ${st.riverKm ?? ''}` : (st.lake ?? '-');
    out(`${pad(st.id, 18)}${pad(st.kind, 17)}${pad(st.name.zh, 30)}${pad(km, 16)}${pad(pos, 22)}${pad(st.levels?.warning?.toFixed(2) ?? '-', 9)}${pad(s.gateway, 20)}${st.metrics.join(',')}\n`);
  }
  out(`${list.length} stations (${list.filter((s) => !s.station.synthetic).length} real, ${list.filter((s) => s.station.synthetic).length} synthetic; ~ = approximate position)\n`);
  return 0;
}

function cmdScenarios(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return out(HELP.scenarios!), 0;
  const list = listScenarios(values.dir ?? SCENARIO_DIR);
  if (values.json) return out(JSON.stringify(list, null, 2) + '\n'), 0;
  for (const s of list) {
    const tags = [s.durationH ? `${s.durationH} h` : null, s.seasonDoy ? `season day ${s.seasonDoy}` : null, s.hostile ? 'needs --allow-hostile' : null].filter(Boolean);
    out(`${pad(s.name, 16)}${s.title}${tags.length ? `  (${tags.join(', ')})` : ''}\n`);
  }
  for (const [alias, target] of Object.entries(SCENARIO_ALIASES)) out(`${pad(alias, 16)}alias of ${target}\n`);
  return 0;
}

function progressLine(s: EngineStats, rate: number): string {
  return `sim ${new Date(s.simTime).toISOString().slice(0, 16)}Z  ${Math.round(rate)} readings/s  published ${s.published}  ${s.awaitingCommit ? `confirmed ${s.acknowledged} (awaiting commit ${s.awaitingCommit} msg)` : `confirmed ${s.acknowledged}`}  buffered ${s.buffered} msg  errors ${s.errors}  connected ${s.connected}/${s.lanes}`;
}

async function cmdRun(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      stations: { type: 'string' },
      seed: { type: 'string' },
      interval: { type: 'string' },
      'allow-hostile': { type: 'boolean' },
      start: { type: 'string' },
      duration: { type: 'string' },
      speed: { type: 'string' },
      backfill: { type: 'boolean' },
      publish: { type: 'string' },
      format: { type: 'string' },
      connections: { type: 'string' },
      url: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      qos: { type: 'string' },
      'mqtt-version': { type: 'string' },
      'client-id': { type: 'string' },
      hj212: { type: 'string' },
      'hj212-pw': { type: 'string' },
      'hj212-ack': { type: 'boolean' },
      outbox: { type: 'string' },
      'reset-outbox': { type: 'boolean' },
      fsync: { type: 'string' },
      window: { type: 'string' },
      confirm: { type: 'string' },
      'confirm-timeout': { type: 'string' },
      manifest: { type: 'string' },
      quiet: { type: 'boolean' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return out(HELP.run!), 0;
  const cfg = loadConfig(processEnv());
  const log = createLogger({ name: 'sensors-sim', level: (values['log-level'] as 'info') ?? (cfg.env.LOG_LEVEL === 'info' ? 'warn' : cfg.env.LOG_LEVEL), destination: process.stderr });
  const scenario = resolveScenario(values.scenario ?? cfg.scenario);
  if (scenario.hostile && !values['allow-hostile']) throw SimErrors.HOSTILE_NOT_ALLOWED(scenario.name);
  const seed = values.seed !== undefined ? Number(values.seed) : cfg.seed;
  if (!Number.isInteger(seed)) throw SimErrors.USAGE('--seed must be an integer');
  const count = values.stations !== undefined ? Number(values.stations) : undefined;
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 100_000)) throw SimErrors.USAGE('--stations must be 1..100000');
  const intervalMs = values.interval ? parseDuration(values.interval) : cfg.intervalS * 1000;
  if (intervalMs < 1000) throw SimErrors.USAGE('--interval must be at least 1s');
  const durationMs = values.duration ? parseDuration(values.duration) : scenario.durationH ? scenario.durationH * 3_600_000 : null;
  const speed: number | 'max' = values.backfill ? 'max' : values.speed ? Number(values.speed) : cfg.speed;
  if (speed !== 'max' && !(speed > 0)) throw SimErrors.USAGE('--speed must be positive');
  if (speed === 'max' && durationMs === null) throw SimErrors.USAGE('--backfill needs --duration (or a scenario with a duration)');
  const now = Date.now();
  const start = values.start ? parseTime(values.start, now) : speed !== 1 && durationMs !== null ? now - durationMs : now;
  const end = durationMs === null ? Infinity : start + durationMs;
  const mode = (values.publish ?? cfg.publish) as 'station' | 'gateway' | 'hj212';
  if (!['station', 'gateway', 'hj212'].includes(mode)) throw SimErrors.USAGE('--publish must be station, gateway or hj212');
  const format = (values.format ?? 'json') as 'json' | 'senml';
  if (!['json', 'senml'].includes(format)) throw SimErrors.USAGE('--format must be json or senml');
  const connections = values.connections === 'per-station' ? 'per-station' : values.connections ? Number(values.connections) : 1;
  if (connections !== 'per-station' && !(Number.isInteger(connections) && connections >= 1 && connections <= 1000)) throw SimErrors.USAGE('--connections must be 1..1000 or per-station');
  let hj212: { host: string; port: number; pw: string; awaitAnswer: boolean } | undefined;
  if (mode === 'hj212') {
    const m = /^(.+):(\d+)$/.exec(values.hj212 ?? '');
    if (!m) throw SimErrors.USAGE('--publish hj212 needs --hj212 HOST:PORT');
    hj212 = { host: m[1]!, port: Number(m[2]), pw: values['hj212-pw'] ?? '123456', awaitAnswer: !!values['hj212-ack'] };
  }
  const qos = Number(values.qos ?? cfg.qos);
  if (![0, 1, 2].includes(qos)) throw SimErrors.USAGE('--qos must be 0, 1 or 2');
  const protocol = (values['mqtt-version'] ?? cfg.protocol) as 'auto' | '5' | '3.1.1';
  if (!['auto', '5', '3.1.1'].includes(protocol)) throw SimErrors.USAGE('--mqtt-version must be auto, 5 or 3.1.1');
  const fsync = (values.fsync ?? cfg.fsync) as 'none' | 'interval' | 'always';
  if (!['none', 'interval', 'always'].includes(fsync)) throw SimErrors.USAGE('--fsync must be none, interval or always');
  const confirm = (values.confirm ?? cfg.confirm) as 'commit' | 'puback';
  if (!['commit', 'puback'].includes(confirm)) throw SimErrors.USAGE('--confirm must be commit or puback');
  const confirmTimeoutMs = values['confirm-timeout'] ? parseDuration(values['confirm-timeout']) : cfg.confirmTimeoutS * 1000;
  if (confirmTimeoutMs < 1000) throw SimErrors.USAGE('--confirm-timeout must be at least 1s');
  const outboxDir = path.resolve(values.outbox ?? cfg.outboxDir);
  if (values['reset-outbox']) (await import('./outbox.js')).Outbox.destroy(outboxDir);
  const url = values.url ?? cfg.env.MQTT_URL ?? `mqtt://${cfg.env.MQTT_EMBEDDED_HOST}:${cfg.env.MQTT_EMBEDDED_PORT}`;
  const stations = selectStations({ seed, count, extraSynthetic: count === undefined ? cfg.synthetic : undefined });

  const engine = new Engine({
    scenario,
    seed,
    stations,
    intervalMs,
    start,
    end,
    speed,
    mode,
    format,
    connections,
    clientId: values['client-id'] ?? cfg.clientId,
    mqtt: { url, username: values.username ?? cfg.env.MQTT_USERNAME, password: values.password ?? cfg.env.MQTT_PASSWORD, qos: qos as 0 | 1 | 2, protocol },
    hj212,
    outboxDir,
    fsync,
    allowHostile: !!values['allow-hostile'],
    provision: true,
    window: values.window ? Number(values.window) : 1000,
    confirm,
    confirmTimeoutMs,
    highWater: 200_000,
    log,
  });
  err(
    `sensors-sim: scenario "${scenario.name}", ${stations.length} stations, ${mode} mode, interval ${intervalMs / 1000}s, ` +
      `${speed === 'max' ? 'backfill' : `speed ${speed}x`}, ${new Date(start).toISOString()} → ${Number.isFinite(end) ? new Date(end).toISOString() : 'until stopped'}\n`,
  );
  await engine.start();
  const wall0 = Date.now();
  let lastPub = 0;
  let lastT = wall0;
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const progress = setInterval(() => {
    const t = Date.now();
    const rate = ((engine.stats.published - lastPub) * 1000) / Math.max(1, t - lastT);
    lastPub = engine.stats.published;
    lastT = t;
    if (values.quiet) return;
    if (tty) err(`\r\x1b[K${progressLine(engine.stats, rate)}`);
    else if (t - lastLine >= 5000) {
      lastLine = t;
      err(`${progressLine(engine.stats, rate)}\n`);
    }
  }, 1000);
  let interrupted = false;
  const interrupt = new Promise<void>((resolve) => {
    const onSig = () => {
      interrupted = true;
      resolve();
    };
    process.once('SIGINT', onSig);
    process.once('SIGTERM', onSig);
  });
  await Promise.race([engine.done, interrupt]);
  clearInterval(progress);
  await engine.stop();
  if (tty && !values.quiet) err('\n');
  const s = engine.stats;
  const secs = (Date.now() - wall0) / 1000;
  if (values.manifest) writeManifest(values.manifest, engine.manifest(), { scenario: scenario.name, seed, stations: stations.length, start, end, stats: s });
  err(
    `${interrupted ? 'stopped' : 'done'} after ${secs.toFixed(1)} s: published ${s.published} readings (${Math.round(s.published / Math.max(secs, 0.001))}/s) in ${s.messages} messages, ` +
      `confirmed ${s.acknowledged}${s.resent ? ` (${s.resent} messages sent again after the confirmation timeout)` : ''}, left in outbox ${s.buffered} messages, errors ${s.errors}, disconnects ${s.disconnects}, dropped (faults/outages) ${s.dropped}` +
      `${s.hostile ? `, hostile ${s.hostile}` : ''}${values.manifest ? `; manifest ${values.manifest}` : ''}\n`,
  );
  return 0;
}

function writeManifest(file: string, m: Manifest, info: { scenario: string; seed: number; stations: number; start: number; end: number; stats: EngineStats }): void {
  const doc = {
    v: 1,
    scenario: info.scenario,
    seed: info.seed,
    start: new Date(info.start).toISOString(),
    end: Number.isFinite(info.end) ? new Date(info.end).toISOString() : null,
    writtenAt: new Date().toISOString(),
    totals: { stations: info.stations, published: info.stats.published, acknowledged: info.stats.acknowledged, bufferedMessages: info.stats.buffered },
    stations: m,
  };
  writeFileSync(file, JSON.stringify(doc, null, 1) + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        return await cmdRun(rest);
      case 'stations':
        return cmdStations(rest);
      case 'scenarios':
        return cmdScenarios(rest);
      case 'help':
      case '--help':
      case '-h':
      case undefined:
        out(HELP[rest[0] ?? 'main'] ?? HELP.main!);
        return 0;
      default:
        err(`unknown command "${cmd}"\n\n${HELP.main}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof BasinError) {
      err(`sensors-sim: ${e.code}: ${e.message}\n`);
      return EXIT_CODES[e.code] ?? 1;
    }
    if ((e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`sensors-sim: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

/** Metric list for docs. */
export const METRIC_COUNT = Object.keys(METRICS).length;

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('sensors-sim', 'src', 'cli.ts'))) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      err(`sensors-sim: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
