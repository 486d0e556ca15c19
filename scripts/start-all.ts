/**
 * `npm start`: the whole system in one process on embedded defaults — MQTT broker (aedes) unless
 * MQTT_URL is set, TimescaleDB (PGlite + TimescaleDB, under ./data) unless DATABASE_URL is set,
 * then ingest, twin-engine (HTTP API + viewer) and the simulator. Ctrl-C stops everything.
 * Production runs each service as its own process (see README, Operations).
 */
import { BasinError, createLogger, envHelp, migrate, onShutdown, openDb, randomPassword, redactUrl, startEmbeddedBroker, type EmbeddedBrokerAccess } from '@basin/platform';
import * as ingest from '@basin/ingest';
import * as twin from '@basin/twin-engine';
import * as sim from '@basin/sensors-sim';
import { tmpdir } from 'node:os';
import path from 'node:path';

if (process.argv.slice(2).includes('--help')) {
  process.stdout.write(
    [
      'npm start: the whole basin-twin system in one process (embedded broker and TimescaleDB unless MQTT_URL / DATABASE_URL are set).\n',
      envHelp(ingest.IngestEnv, '== ingest =='),
      envHelp(twin.TwinEnv, '== twin-engine =='),
      envHelp(sim.SimEnv, '== sensors-sim =='),
    ].join('\n'),
  );
  process.exit(0);
}

// The environment is read by a service's config.ts (ingest's; nothing here reads it) and handed to
// each service's own parser: the shared variables (DATABASE_URL, MQTT_URL, DATA_DIR...) mean the same to all.
const env = ingest.processEnv();
const problems: string[] = [];
function load<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BasinError && Array.isArray(e.details)) problems.push(...(e.details as string[]));
    else problems.push((e as Error).message);
    return null;
  }
}
const ingestCfg = load(() => ingest.loadConfig(env));
// npm start: anonymous read-only access, so the viewer works without a key (off by default elsewhere).
const twinCfg = load(() => twin.loadConfig({ API_ANONYMOUS_READ: 'true', ...env }));
// npm start: the simulator publishes every 10 s of real time and keeps its outbox beside the database
// (in a temporary directory when DATA_DIR=memory).
const dataDir = ingestCfg?.env.DATA_DIR ?? './data';
const outboxDir = dataDir === 'memory' ? path.join(tmpdir(), `basin-sim-outbox-${process.pid}`) : path.join(dataDir, 'sensors-sim-outbox');
// The embedded broker enforces the Mosquitto ACL's roles (deploy/mosquitto/README.md): ingest and
// the simulator log in with passwords made for this process; other clients are anonymous devices.
const access: EmbeddedBrokerAccess | null =
  ingestCfg && !ingestCfg.env.MQTT_URL
    ? {
        users: {
          ingest: { password: randomPassword(), roles: [{ kind: 'ingest' }] },
          simulator: { password: randomPassword(), roles: [{ kind: 'simulator' }, { kind: 'provisioner' }] },
          ...(ingestCfg.env.MQTT_EMBEDDED_PROVISIONER_PASSWORD ? { provisioner: { password: ingestCfg.env.MQTT_EMBEDDED_PROVISIONER_PASSWORD, roles: [{ kind: 'provisioner' }] } } : {}),
        },
        anonymous: [{ kind: 'simulator' }],
      }
    : null;
const simLogin = access ? { MQTT_USERNAME: 'simulator', MQTT_PASSWORD: access.users.simulator!.password } : {};
const simCfg = load(() => sim.loadConfig({ SIM_SPEED: '1', SIM_INTERVAL_S: '10', SIM_OUTBOX_DIR: outboxDir, ...env, ...simLogin }));
if (!ingestCfg || !twinCfg || !simCfg) {
  process.stderr.write(`invalid configuration:\n  - ${[...new Set(problems)].join('\n  - ')}\n`);
  process.exit(2);
}

const log = createLogger({ name: 'basin', level: twinCfg.env.LOG_LEVEL });
process.on('uncaughtException', (e) => {
  log.fatal({ err: e }, 'uncaught exception');
  process.exit(1);
});
process.on('unhandledRejection', (e) => {
  const err = e as BasinError;
  process.stderr.write(`\nfailed to start: ${err.code ? `[${err.code}] ` : ''}${err.message}\n`);
  process.exit(1);
});
const t0 = Date.now();
const db = await openDb(ingestCfg.database, log);
await migrate(db, log);
const broker = ingestCfg.env.MQTT_URL
  ? null
  : await startEmbeddedBroker({ host: ingestCfg.env.MQTT_EMBEDDED_HOST, port: ingestCfg.env.MQTT_EMBEDDED_PORT, log, access: access ?? undefined });
const mqttUrl = ingestCfg.env.MQTT_URL ?? broker!.url;
const ingestLogin = access ? { mqttOptions: { username: 'ingest', password: access.users.ingest!.password } } : {};
const ingestSvc = await ingest.start({ config: ingestCfg, db, log, mqttUrl, ...ingestLogin });
// One process: the API is ready only while ingest's broker connection is up (separately deployed,
// each service answers its own readiness: twin-engine /api/ready, ingest /readyz).
const brokerReady = {
  name: 'broker',
  check: async () => {
    if (!ingestSvc.health().mqtt) throw new Error('ingest is not connected to the MQTT broker');
  },
};
const twinSvc = await twin.start({ config: twinCfg, db, log, readiness: [brokerReady] });
const simSvc = await sim.start({ config: simCfg, log, mqttUrl });

const dbLabel = ingestCfg.database.mode === 'embedded'
  ? `embedded TimescaleDB (PGlite) at ${ingestCfg.database.dataDir ?? 'memory'} — no fsync, not for production`
  : `TimescaleDB server ${redactUrl(ingestCfg.env.DATABASE_URL ?? `postgresql://${ingestCfg.env.PGHOST}`)}`;
const banner = [
  '',
  '  Basin Twin — 长江流域数字孪生 is running',
  `  Viewer       ${twinSvc.url}/`,
  `  API          ${twinSvc.url}/api/readings/latest`,
  `  MQTT         ${redactUrl(mqttUrl)}${broker ? ' (embedded aedes)' : ''}`,
  `  Database     ${dbLabel}`,
  `  Simulator    scenario "${simCfg.scenario}", ${simCfg.speed}x speed`,
  `  Started in   ${((Date.now() - t0) / 1000).toFixed(1)} s — Ctrl-C to stop`,
  '',
].join('\n');
process.stdout.write(`${banner}\n`);

onShutdown(
  [
    ['sensors-sim', () => simSvc.stop()],
    ['ingest', () => ingestSvc.stop()],
    ['twin-engine', () => twinSvc.stop()],
    ['broker', () => broker?.close()],
    ['database', () => db.close()],
  ],
  { log, onDone: () => process.stdout.write('basin-twin stopped cleanly\n') },
);
