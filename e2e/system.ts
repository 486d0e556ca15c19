/**
 * The running system for the e2e tests: ingest and twin-engine on a broker and a migrated database
 * (`startServices`; the browser tests' system starts them so), and the whole system on the
 * production path — Mosquitto, a private TimescaleDB server, ingest, twin-engine — with simulator
 * runs published through it (`startServerSystem`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Station } from '@basin/schemas';
import { createLogger, migrate, type Db } from '@basin/platform';
import { openTestDb, startMosquitto, type TestDb, type TestMosquitto } from '@basin/platform/testing';
import * as ingest from '@basin/ingest';
import * as twin from '@basin/twin-engine';
import * as sim from '@basin/sensors-sim';

const log = createLogger({ level: 'silent' });
type Env = Record<string, string>;
interface Stoppable {
  stop(): Promise<void>;
}

export interface Services {
  /** The settings ingest and twin-engine share (broker, HTTP on a port the OS picks, viewer folder). */
  env: Env;
  ingest: ingest.IngestService;
  twin: twin.TwinService;
}

/** Ingest and twin-engine (anonymous reads) on a broker and a migrated database; `ingestEnv`/`twinEnv`: their further settings. */
export async function startServices(o: { mqttUrl: string; db: Db; viewerDir: string; ingestEnv?: Env; twinEnv?: Env }): Promise<Services> {
  const env = { MQTT_URL: o.mqttUrl, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', INGEST_METRICS_PORT: '0', VIEWER_DIR: o.viewerDir };
  const ing = await ingest.start({ config: ingest.loadConfig({ ...env, ...o.ingestEnv }), db: o.db, log, mqttUrl: o.mqttUrl });
  try {
    const tw = await twin.start({ config: twin.loadConfig({ ...env, API_ANONYMOUS_READ: 'true', ...o.twinEnv }), db: o.db, log });
    return { env, ingest: ing, twin: tw };
  } catch (e) {
    await ing.stop().catch(() => undefined);
    throw e;
  }
}

export interface SimRun {
  /** Scenario name or file. */
  scenario: string;
  seed: number;
  intervalS: number;
  /** Simulated seconds per wall second. */
  speed: number;
  clientId: string;
  stations: readonly Station[];
  /** Epoch ms of the first and last readings. */
  start: number;
  end: number;
}

export interface ServerSystem {
  db: Db;
  twin: twin.TwinService;
  /** Publishes a simulator run through the system and returns once it has sent its last reading. */
  publish(run: SimRun): Promise<void>;
  /** Stops a run under way, twin-engine, ingest, the database server and the broker. */
  stop(): Promise<void>;
}

/**
 * Mosquitto and a private TimescaleDB server (migrated), ingest and twin-engine on them (the twin's
 * LISTEN connection through DATABASE_URL); on a failure to start, what had started is stopped.
 */
export async function startServerSystem(o: { ingestEnv?: Env; twinEnv?: Env }): Promise<ServerSystem> {
  const [broker, testDb] = await Promise.allSettled([startMosquitto(), openTestDb('server')]);
  const running: Stoppable[] = [];
  const stop = async () => {
    for (const s of running.reverse()) await s.stop().catch(() => undefined);
    if (testDb.status === 'fulfilled') await testDb.value.close();
    if (broker.status === 'fulfilled') await broker.value.dispose();
  };
  try {
    if (broker.status === 'rejected') throw broker.reason;
    if (testDb.status === 'rejected') throw testDb.reason;
    return await serverSystem(broker.value, testDb.value, o, running, stop);
  } catch (e) {
    await stop();
    throw e;
  }
}

async function serverSystem(broker: TestMosquitto, testDb: TestDb, o: { ingestEnv?: Env; twinEnv?: Env }, running: Stoppable[], stop: () => Promise<void>): Promise<ServerSystem> {
  const db = testDb.db;
  await migrate(db);
  const s = await startServices({ mqttUrl: broker.url, db, viewerDir: '/nonexistent', ingestEnv: o.ingestEnv, twinEnv: { DATABASE_URL: testDb.url!, ...o.twinEnv } });
  running.push(s.ingest, s.twin);
  const publish = async (run: SimRun) => {
    const env = {
      SIM_SCENARIO: run.scenario,
      SIM_SEED: String(run.seed),
      SIM_INTERVAL_S: String(run.intervalS),
      SIM_SPEED: String(run.speed),
      SIM_OUTBOX_DIR: mkdtempSync(path.join(tmpdir(), 'basin-outbox-')),
      SIM_CLIENT_ID: run.clientId,
      SIM_FSYNC: 'none',
    };
    const sm = await sim.start({ config: sim.loadConfig(env), log, mqttUrl: broker.url, stations: run.stations, start: run.start, end: run.end });
    running.push(sm);
    await sm.done;
    await sm.stop();
    running.splice(running.indexOf(sm), 1);
  };
  return { db, twin: s.twin, publish, stop };
}
