import { z } from 'zod';
import { logLevel, mqttEnv, optionalString, parseEnv, posInt, type Env } from '@basin/platform';

/** Simulator configuration from the environment (CLI flags override; see cli.ts). */
export const SimEnv = z.object({
  ...mqttEnv,
  LOG_LEVEL: logLevel,
  SIM_SCENARIO: z.string().default('normal'),
  SIM_SEED: z.coerce.number().int().default(42),
  /** Seconds of simulated time between readings of a station. */
  SIM_INTERVAL_S: posInt(60),
  /** Simulated seconds per wall-clock second. */
  SIM_SPEED: z.coerce.number().positive().default(1),
  /** Extra synthetic stations on top of the real catalogue. */
  SIM_SYNTHETIC_STATIONS: z.coerce.number().int().min(0).default(0),
  SIM_CLIENT_ID: optionalString,
  /** Disk outbox directory (unacknowledged readings survive restarts here). */
  SIM_OUTBOX_DIR: z.string().default('data/sensors-sim-outbox'),
  /** station: one topic per station; gateway: batches per gateway. */
  SIM_PUBLISH: z.enum(['station', 'gateway']).default('station'),
  SIM_QOS: z.enum(['0', '1', '2']).default('1').transform((q) => Number(q) as 0 | 1 | 2),
  SIM_MQTT_PROTOCOL: z.enum(['auto', '5', '3.1.1']).default('auto'),
  SIM_FSYNC: z.enum(['none', 'interval', 'always']).default('interval'),
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
  };
}

export const processEnv = (): Env => process.env;
