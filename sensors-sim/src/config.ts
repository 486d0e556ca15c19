import { z } from 'zod';
import { logLevel, mqttEnv, optionalString, parseEnv, posInt, type Env } from '@basin/platform';

/** Simulator configuration from the environment (CLI flags override; see cli.ts). */
export const SimEnv = z.object({
  ...mqttEnv,
  LOG_LEVEL: logLevel,
  SIM_SCENARIO: z.string().default('normal').describe('scenario name (sensors-sim scenarios) or path to a scenario file'),
  SIM_SEED: z.coerce.number().int().default(42).describe('random seed: the same seed gives the same data'),
  SIM_INTERVAL_S: posInt(60).describe('simulated seconds between readings of a station'),
  SIM_SPEED: z.coerce.number().positive().default(1).describe('simulated seconds per wall-clock second'),
  SIM_SYNTHETIC_STATIONS: z.coerce.number().int().min(0).default(0).describe('synthetic stations along the rivers on top of the real catalogue'),
  SIM_CLIENT_ID: optionalString.describe('MQTT client id (default sensors-sim-<pid>)'),
  SIM_OUTBOX_DIR: z.string().default('data/sensors-sim-outbox').describe('disk outbox: unacknowledged readings survive broker outages and restarts here'),
  SIM_PUBLISH: z.enum(['station', 'gateway']).default('station').describe('station: one topic per station; gateway: batches per gateway'),
  SIM_QOS: z.enum(['0', '1', '2']).default('1').transform((q) => Number(q) as 0 | 1 | 2).describe('MQTT QoS of readings'),
  SIM_MQTT_PROTOCOL: z.enum(['auto', '5', '3.1.1']).default('auto').describe('MQTT version; auto = 5, falling back to 3.1.1'),
  SIM_CONFIRM: z
    .enum(['commit', 'puback'])
    .default('commit')
    .describe('when a reading leaves the outbox: commit = when ingest confirms it committed (basin/v1/committed/<station>); puback = on the broker PUBACK (brokers/ingests without confirmations)'),
  SIM_CONFIRM_TIMEOUT_S: posInt(60).describe('commit mode: send a reading again when its commit confirmation has not come this long after the PUBACK'),
  SIM_FSYNC: z.enum(['none', 'interval', 'always']).default('interval').describe('outbox fsync policy: interval = at most 1 s of readings at risk on power loss'),
});
export type SimEnv = z.infer<typeof SimEnv>;

export interface SimConfig {
  env: SimEnv;
  scenario: string;
  seed: number;
  intervalS: number;
  speed: number;
  synthetic: number;
  clientId: string;
  outboxDir: string;
  publish: 'station' | 'gateway';
  qos: 0 | 1 | 2;
  protocol: 'auto' | '5' | '3.1.1';
  fsync: 'none' | 'interval' | 'always';
  confirm: 'commit' | 'puback';
  confirmTimeoutS: number;
}

export function loadConfig(env: Env): SimConfig {
  const e = parseEnv(SimEnv, env);
  return {
    env: e,
    scenario: e.SIM_SCENARIO,
    seed: e.SIM_SEED,
    intervalS: e.SIM_INTERVAL_S,
    speed: e.SIM_SPEED,
    synthetic: e.SIM_SYNTHETIC_STATIONS,
    clientId: e.SIM_CLIENT_ID ?? `sensors-sim-${process.pid}`,
    outboxDir: e.SIM_OUTBOX_DIR,
    publish: e.SIM_PUBLISH,
    qos: e.SIM_QOS,
    protocol: e.SIM_MQTT_PROTOCOL,
    fsync: e.SIM_FSYNC,
    confirm: e.SIM_CONFIRM,
    confirmTimeoutS: e.SIM_CONFIRM_TIMEOUT_S,
  };
}

export const processEnv = (): Env => process.env;
