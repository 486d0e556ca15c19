import type { Station } from '@basin/schemas';
import type { Logger } from '@basin/platform';
import type { SimConfig } from './config.js';
import { Engine, type EngineStats } from './engine.js';
import type { Manifest } from './manifest.js';
import { resolveScenario } from './scenario.js';
import { selectStations, toSimStation } from './stations.js';

export interface SimDeps {
  config: SimConfig;
  log: Logger;
  mqttUrl: string;
  /** Stations to simulate (default: the real catalogue plus config.synthetic synthetic ones). */
  stations?: readonly Station[];
  /** Simulated end (epoch ms); default: run until stopped. */
  end?: number;
  /** Simulated start (epoch ms); default: now. */
  start?: number;
}

export interface SimStats {
  published: number;
  acknowledged: number;
  errors: number;
}

export interface SimService {
  readonly stats: SimStats & EngineStats;
  /** Resolves when a bounded run (deps.end) has published everything and all of it is acknowledged. */
  readonly done: Promise<void>;
  manifest(): Manifest;
  stop(): Promise<void>;
}

/** Start publishing readings for every station at the configured interval and speed (used by `npm start`). */
export async function start(deps: SimDeps): Promise<SimService> {
  const { config } = deps;
  const log = deps.log.child({ service: 'sensors-sim' });
  const scenario = resolveScenario(config.scenario);
  const stations = deps.stations
    ? deps.stations.map((s, i) => toSimStation(s, i))
    : selectStations({ seed: config.seed, extraSynthetic: config.synthetic });
  const engine = new Engine({
    scenario,
    seed: config.seed,
    stations,
    intervalMs: config.intervalS * 1000,
    start: deps.start ?? Date.now(),
    end: deps.end ?? Infinity,
    speed: config.speed,
    mode: config.publish,
    format: 'json',
    connections: 1,
    clientId: config.clientId,
    mqtt: { url: deps.mqttUrl, username: config.env.MQTT_USERNAME, password: config.env.MQTT_PASSWORD, qos: config.qos, protocol: config.protocol },
    outboxDir: config.outboxDir,
    fsync: config.fsync,
    allowHostile: false,
    provision: true,
    window: 1000,
    confirm: config.confirm,
    confirmTimeoutMs: config.confirmTimeoutS * 1000,
    highWater: 200_000,
    log,
  });
  await engine.start();
  log.info({ stations: stations.length, scenario: scenario.name, speed: config.speed, intervalS: config.intervalS }, 'simulator publishing');
  return {
    stats: engine.stats,
    done: engine.done,
    manifest: () => engine.manifest(),
    async stop() {
      await engine.stop();
      log.info({ published: engine.stats.published, acknowledged: engine.stats.acknowledged, buffered: engine.stats.buffered }, 'simulator stopped');
    },
  };
}
