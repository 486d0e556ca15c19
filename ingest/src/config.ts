import { z } from 'zod';
import { databaseEnv, databaseSettings, logLevel, mqttEnv, optionalString, parseEnv, port, posInt, type Env } from '@basin/platform';

/** Ingest configuration: the only place that reads the environment (see README, Configuration). */
export const IngestEnv = z.object({
  ...databaseEnv,
  ...mqttEnv,
  LOG_LEVEL: logLevel,
  INGEST_CLIENT_ID: optionalString,
  /** Shared-subscription group; set it to run several workers against an MQTT 5 broker. */
  INGEST_SHARE_GROUP: optionalString,
  INGEST_BATCH_SIZE: posInt(2000),
  INGEST_BATCH_MS: posInt(200),
  INGEST_MAX_FUTURE_S: posInt(300),
  INGEST_MAX_PAST_DAYS: posInt(365),
  INGEST_METRICS_PORT: port(9464),
});
export type IngestEnv = z.infer<typeof IngestEnv>;

export interface IngestConfig {
  env: IngestEnv;
  database: ReturnType<typeof databaseSettings>;
  batchSize: number;
  batchMs: number;
  maxFutureMs: number;
  maxPastMs: number;
  shareGroup: string | undefined;
  clientId: string;
  metricsPort: number;
}

export function loadConfig(env: Env): IngestConfig {
  const e = parseEnv(IngestEnv, env);
  return {
    env: e,
    database: databaseSettings(e),
    batchSize: e.INGEST_BATCH_SIZE,
    batchMs: e.INGEST_BATCH_MS,
    maxFutureMs: e.INGEST_MAX_FUTURE_S * 1000,
    maxPastMs: e.INGEST_MAX_PAST_DAYS * 86_400_000,
    shareGroup: e.INGEST_SHARE_GROUP,
    clientId: e.INGEST_CLIENT_ID ?? `ingest-${process.pid}`,
    metricsPort: e.INGEST_METRICS_PORT,
  };
}

/** The process environment, read here only. */
export const processEnv = (): Env => process.env;
