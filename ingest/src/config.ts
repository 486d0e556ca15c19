import { z } from 'zod';
import { bool, databaseEnv, databaseSettings, logLevel, mqttEnv, optionalString, parseEnv, port, posInt, type Env } from '@basin/platform';
import { QcOverrides, type QcOverridesInput } from './qc.js';

/** PostgreSQL interval such as "7 days", "12 hours", "30 minutes"; "off" disables the policy. */
const interval = (def: string) =>
  z
    .string()
    .default(def)
    .transform((s) => s.trim().toLowerCase())
    .refine((s) => s === 'off' || /^\d+\s*(second|minute|hour|day|week|month|year)s?$/.test(s), 'must be "<n> <unit>" (seconds..years) or "off"')
    .transform((s) => (s === 'off' ? null : s));

/** "MN=station,MN2=station2" */
const mnMap = optionalString
  .refine((s) => s === undefined || s.split(',').every((p) => /^[^=\s]+=[a-z0-9][a-z0-9._-]{0,63}$/.test(p.trim())), 'must be MN=station[,MN=station...]')
  .transform((s) => new Map((s ?? '').split(',').filter(Boolean).map((p) => p.trim().split('=') as [string, string])));

const qcJson = optionalString.transform((s, ctx) => {
  if (s === undefined) return {} as QcOverridesInput;
  try {
    const r = QcOverrides.safeParse(JSON.parse(s));
    if (r.success) return r.data;
    ctx.addIssue({ code: 'custom', message: `invalid QC overrides: ${z.prettifyError(r.error)}` });
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `QC overrides are not JSON: ${(e as Error).message}` });
  }
  return z.NEVER;
});

/** Ingest configuration: the only place that reads the environment (see ingest/README.md, Tuning). */
export const IngestEnv = z.object({
  ...databaseEnv,
  ...mqttEnv,
  LOG_LEVEL: logLevel,
  INGEST_CLIENT_ID: optionalString.describe('MQTT client id; keep it stable so the persistent session survives restarts (default ingest-<pid>)'),
  INGEST_SHARE_GROUP: optionalString.describe('Shared-subscription group; set it to run several workers against an MQTT 5 broker.'),
  INGEST_SESSION_EXPIRY_S: posInt(7 * 86_400).describe('MQTT session expiry (MQTT 5) in seconds; the broker keeps queueing for that long while ingest is away.'),
  INGEST_KEEPALIVE_S: posInt(30).describe('MQTT keepalive, seconds'),
  INGEST_BATCH_SIZE: posInt(2000).describe('Readings per database commit (a batch closes at this size or after INGEST_BATCH_MS).'),
  INGEST_BATCH_MS: posInt(200).describe('longest a batch waits to fill before it is committed, ms'),
  INGEST_MAX_PENDING: posInt(20_000).describe('Readings held unacknowledged (queued + committing) before ingest stops reading from the broker.'),
  INGEST_MAX_INFLIGHT: z.coerce.number().int().min(1).max(65535).default(10_000).describe('Messages held unacknowledged before ingest stops reading; also the MQTT 5 receive maximum.'),
  INGEST_COMMIT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2).describe('Batches committing at once, each in its own transaction on its own pool connection (acknowledged in arrival order); 1 on embedded TimescaleDB (one connection).'),
  INGEST_RETRY_MAX_MS: posInt(5000).describe('Longest wait between commit retries while the database is unavailable.'),
  INGEST_LATEST_MS: z.coerce.number().int().min(0).max(60_000).default(1000).describe('Coalesce latest_readings updates over this many ms (0 = with every batch).'),
  INGEST_LATEST_REPAIR: interval('15 minutes').describe('At start, rebuild latest values from the readings of this recent window (after a crash).'),
  INGEST_MAX_FUTURE_S: posInt(300).describe('readings further in the future than this are dead-lettered (future_timestamp), seconds'),
  INGEST_MAX_PAST_DAYS: posInt(365).describe('readings older than this are dead-lettered (stale_timestamp), days'),
  INGEST_MAX_LAG_S: posInt(30).describe('/healthz and /readyz report degraded when the oldest unacknowledged message is older than this, seconds'),
  INGEST_MQTT_CA: optionalString.describe('mqtts://: CA certificate file (PEM) to verify the broker; default: the system CAs'),
  INGEST_MQTT_CERT: optionalString.describe('mqtts://: client certificate file (PEM), for brokers that require one'),
  INGEST_MQTT_KEY: optionalString.describe('mqtts://: private key file (PEM) of the client certificate'),
  INGEST_METRICS_ENABLED: bool(true).describe('serve Prometheus /metrics and /healthz'),
  INGEST_METRICS_HOST: z.string().default('127.0.0.1').describe('bind address of /metrics'),
  INGEST_METRICS_PORT: port(9464).describe('Prometheus /metrics port; 0 picks a free port.'),
  INGEST_QC_WINDOW: z.coerce.number().int().min(3).max(1000).default(24).describe('QC: readings kept per station and metric for the spike, rate-of-change and flat-line tests.'),
  INGEST_QC_OVERRIDES: qcJson.describe('QC threshold overrides, JSON: {"ph": {"spike": {"suspect": 0.5, "fail": 1.5}}, ...}.'),
  INGEST_COMPRESS_AFTER: interval('7 days').describe('compress reading chunks older than this (segment by station, metric; "off" disables)'),
  INGEST_RETAIN_RAW: interval('400 days').describe('drop raw reading chunks older than this ("off" keeps them)'),
  INGEST_RETAIN_15M: interval('2 years').describe('retention of the 15-minute aggregate'),
  INGEST_RETAIN_1H: interval('5 years').describe('retention of the hourly aggregate'),
  INGEST_RETAIN_1D: interval('off').describe('retention of the daily aggregate'),
  INGEST_RUN_JOBS: z.enum(['auto', 'true', 'false']).default('auto').describe('Run the policy jobs from ingest: auto = only on embedded TimescaleDB (no background workers).'),
  INGEST_JOBS_TICK_S: posInt(60).describe('how often ingest runs due policy jobs itself, seconds'),
  INGEST_HJ212_PORT: z.coerce.number().int().min(0).max(65535).optional().describe('HJ 212-2017 TCP listener; unset disables it, 0 picks a free port.'),
  INGEST_HJ212_HOST: z.string().default('127.0.0.1').describe('bind address of the HJ 212 listener'),
  INGEST_HJ212_MN_MAP: mnMap.describe('HJ 212 MN codes to station ids, "MN=station,MN2=station2" (default: the MN stored with each station: explicit, the upper-cased id, or the hashed form of a long id; the hj212_devices table wins)'),
  INGEST_HJ212_TZ_OFFSET_MIN: z.coerce.number().int().min(-720).max(840).default(480).describe('Time zone of HJ 212 DataTime / QN fields, minutes east of UTC (China Standard Time = 480).'),
  INGEST_HJ212_IDLE_S: posInt(600).describe('close HJ 212 connections idle this long, seconds'),
  INGEST_HJ212_MAX_SEGMENT: z.coerce.number().int().min(1).max(9999).default(1024).describe('longest HJ 212 data segment accepted, bytes (the standard: 1024; raise for loggers known to exceed it)'),
});
export type IngestEnv = z.infer<typeof IngestEnv>;

export interface PolicyConfig {
  compressAfter: string | null;
  retain: { raw: string | null; '15m': string | null; '1h': string | null; '1d': string | null };
  /** Run jobs in-process: true, false, or auto (embedded DB only). */
  runJobs: 'auto' | 'true' | 'false';
  jobsTickMs: number;
}

export interface Hj212Config {
  port: number;
  host: string;
  mnMap: ReadonlyMap<string, string>;
  tzOffsetMin: number;
  idleMs: number;
  /** Longest data segment accepted (INGEST_HJ212_MAX_SEGMENT). */
  maxSegment: number;
}

export interface IngestConfig {
  env: IngestEnv;
  database: ReturnType<typeof databaseSettings>;
  batchSize: number;
  batchMs: number;
  maxPending: number;
  maxInflight: number;
  commitConcurrency: number;
  retryMaxMs: number;
  latestMs: number;
  latestRepair: string | null;
  maxFutureMs: number;
  maxPastMs: number;
  maxLagMs: number;
  /** TLS files for mqtts:// (paths). */
  mqttTls: { ca?: string; cert?: string; key?: string };
  shareGroup: string | undefined;
  clientId: string;
  sessionExpiryS: number;
  keepaliveS: number;
  metrics: { enabled: boolean; host: string; port: number };
  /** Kept for compatibility: the metrics port (see `metrics`). */
  metricsPort: number;
  qc: { window: number; overrides: QcOverridesInput };
  policies: PolicyConfig;
  hj212: Hj212Config | null;
}

export function loadConfig(env: Env): IngestConfig {
  const e = parseEnv(IngestEnv, env);
  return {
    env: e,
    database: databaseSettings(e),
    batchSize: e.INGEST_BATCH_SIZE,
    batchMs: e.INGEST_BATCH_MS,
    maxPending: Math.max(e.INGEST_MAX_PENDING, e.INGEST_BATCH_SIZE),
    maxInflight: e.INGEST_MAX_INFLIGHT,
    commitConcurrency: e.INGEST_COMMIT_CONCURRENCY,
    retryMaxMs: e.INGEST_RETRY_MAX_MS,
    latestMs: e.INGEST_LATEST_MS,
    latestRepair: e.INGEST_LATEST_REPAIR,
    maxFutureMs: e.INGEST_MAX_FUTURE_S * 1000,
    maxPastMs: e.INGEST_MAX_PAST_DAYS * 86_400_000,
    maxLagMs: e.INGEST_MAX_LAG_S * 1000,
    mqttTls: { ca: e.INGEST_MQTT_CA, cert: e.INGEST_MQTT_CERT, key: e.INGEST_MQTT_KEY },
    shareGroup: e.INGEST_SHARE_GROUP,
    clientId: e.INGEST_CLIENT_ID ?? `ingest-${process.pid}`,
    sessionExpiryS: e.INGEST_SESSION_EXPIRY_S,
    keepaliveS: e.INGEST_KEEPALIVE_S,
    metrics: { enabled: e.INGEST_METRICS_ENABLED, host: e.INGEST_METRICS_HOST, port: e.INGEST_METRICS_PORT },
    metricsPort: e.INGEST_METRICS_PORT,
    qc: { window: e.INGEST_QC_WINDOW, overrides: e.INGEST_QC_OVERRIDES },
    policies: {
      compressAfter: e.INGEST_COMPRESS_AFTER,
      retain: { raw: e.INGEST_RETAIN_RAW, '15m': e.INGEST_RETAIN_15M, '1h': e.INGEST_RETAIN_1H, '1d': e.INGEST_RETAIN_1D },
      runJobs: e.INGEST_RUN_JOBS,
      jobsTickMs: e.INGEST_JOBS_TICK_S * 1000,
    },
    hj212:
      e.INGEST_HJ212_PORT === undefined
        ? null
        : {
            port: e.INGEST_HJ212_PORT,
            host: e.INGEST_HJ212_HOST,
            mnMap: e.INGEST_HJ212_MN_MAP,
            tzOffsetMin: e.INGEST_HJ212_TZ_OFFSET_MIN,
            idleMs: e.INGEST_HJ212_IDLE_S * 1000,
            maxSegment: e.INGEST_HJ212_MAX_SEGMENT,
          },
  };
}

/** The process environment, read here only. */
export const processEnv = (): Env => process.env;
export const processArgs = (): string[] => process.argv.slice(2);
