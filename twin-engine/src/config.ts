import path from 'node:path';
import { z } from 'zod';
import { bool, databaseEnv, databaseSettings, logLevel, optionalString, parseEnv, port, posInt, type Env } from '@basin/platform';

const csv = optionalString.transform((s) => (s === undefined ? [] : s.split(',').map((x) => x.trim()).filter(Boolean)));

/** Twin-engine configuration: the only place that reads the environment. */
export const TwinEnv = z.object({
  ...databaseEnv,
  LOG_LEVEL: logLevel,
  HTTP_HOST: z.string().default('0.0.0.0').describe('HTTP bind address'),
  HTTP_PORT: port(8080).describe('HTTP port of the API and viewer'),
  VIEWER_DIR: z.string().default('viewer/dist').describe('directory of the built viewer, served at /'),
  VIEWER_TILE_ORIGINS: csv
    .refine((l) => l.every((o) => /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(o)), 'origins like https://tiles.example.org or https://*.tianditu.gov.cn')
    .describe("origins of the tile service set in the viewer's viewer-config.json (tiles.url), comma-separated; the Content-Security-Policy lets the viewer load images and tiles from them. Empty (default): no host but this one"),
  MQTT_URL: optionalString.describe("the field path's MQTT broker; when set, /api/ready also checks that it is reachable (the twin-engine neither publishes nor subscribes)"),
  HTTP_BODY_LIMIT: posInt(1_048_576).describe('largest accepted request body, bytes'),
  HTTP_QUERY_LIMIT: posInt(4096).describe('longest accepted URL (path and query string), bytes'),
  HTTP_RATE_LIMIT: posInt(1200).describe('requests per minute per client (API key or address); health and metrics exempt'),
  HTTP_CORS_ORIGINS: csv.describe('comma-separated origins allowed by CORS (a viewer served elsewhere); "*" allows any; empty = same origin only'),
  HTTP_TRUST_PROXY: bool(false).describe('trust X-Forwarded-* headers (behind a reverse proxy)'),
  API_MAX_ROWS: posInt(50_000).describe('most rows one time-series query returns'),
  API_ANONYMOUS_READ: bool(false).describe('let requests without credentials read (viewer role); `npm start` turns it on'),
  API_JWT_JWKS_FILE: optionalString.describe('JWKS file with the public keys of the OIDC provider (enables bearer JWTs)'),
  API_JWT_PUBLIC_KEY_FILE: optionalString.describe('PEM public key file for bearer JWTs (alternative to a JWKS file)'),
  API_JWT_ISSUER: optionalString.describe('required "iss" of bearer JWTs'),
  API_JWT_AUDIENCE: optionalString.describe('required "aud" of bearer JWTs'),
  API_JWT_ROLE_CLAIM: z.string().default('roles').describe('JWT claim (string or array) holding the role or group names'),
  API_JWT_ROLE_MAP: optionalString.describe('JSON map from claim values to roles, e.g. {"basin-ops":"operator"}; without it the claim values are the role names'),
  STREAM_RETENTION_S: posInt(3600).describe('seconds of live-stream events kept for reconnecting clients to resume from'),
  STREAM_MAX_BUFFER: posInt(1_048_576).describe('bytes buffered for one stream client before it is dropped as too slow'),
  STREAM_POLL_MS: posInt(200).describe('how often each process reads new stream events from the database, ms'),
  STREAM_TICKET_TTL_S: posInt(300).describe('lifetime of a stream ticket (GET /api/stream?ticket=, for EventSource), seconds; checked when a client connects'),
  STREAM_READING_SAMPLE_S: posInt(10).describe('at most one reading event per station and metric per this many seconds on the stream'),
  WEBHOOK_ALLOW_CIDRS: csv.describe('CIDRs webhook URLs may resolve to although private/loopback/link-local (e.g. 10.0.0.0/8); empty = public addresses only'),
  WEBHOOK_CONNECT_TIMEOUT_MS: posInt(5000).describe('webhook connect timeout, ms'),
  WEBHOOK_RESPONSE_TIMEOUT_MS: posInt(15_000).describe('webhook response timeout (whole response), ms'),
  WEBHOOK_MAX_RESPONSE_BYTES: posInt(65_536).describe('response bytes read from a webhook endpoint before the connection is cut'),
  WEBHOOK_POLL_MS: posInt(500).describe('how often the dispatcher looks for due deliveries, ms'),
  WEBHOOK_LEASE_S: posInt(60).describe('seconds a claimed delivery is leased to one dispatcher before another may retry it'),
  WEBHOOK_MAX_AGE_H: posInt(26).describe('hours after which a failing delivery is given up'),
  WEBHOOKS_ENABLED: bool(true).describe('run the webhook dispatcher in this process'),
  TWIN_STALE_S: posInt(900).describe('a station without a reading for this many seconds is offline in the live state'),
  TWIN_HISTORY_H: posInt(6).describe('hours of readings kept per series in the live state (trends, forecast inputs)'),
  FORECAST_ENABLED: bool(true).describe('run the 预报 flood forecast runner in this process (only the lease holder of a deployment produces runs)'),
  FORECAST_QUIET_S: posInt(60).describe('seconds without a new upstream reading before the flood forecast is re-run'),
  FORECAST_MAX_WAIT_S: posInt(600).describe('longest a re-run waits under a steady stream of upstream readings, seconds'),
  FORECAST_HISTORY_H: posInt(72).describe('hours of observed inputs each flood forecast reads'),
  SPILL_WATCH_ENABLED: bool(true).describe('run the 预报 pollutant-travel forecast on water-quality exceedances in this process (only the lease holder of a deployment produces runs)'),
  SPILL_WATCH_RERUN_MIN: posInt(30).describe('while a station stays above its class III limit, minutes of reading time between pollutant-travel runs'),
  SPILL_WATCH_PERSIST_H: posInt(6).describe('hours the latest observed excess is assumed to continue in a pollutant-travel run from an exceedance'),
  SPILL_WATCH_SOURCE_KM: posInt(15).describe('km above a bank-side water-quality station where a plume it reads is taken to have entered at its bank (transverse mixing; larger is more precautionary for the far bank)'),
});
export type TwinEnv = z.infer<typeof TwinEnv>;

export interface TwinConfig {
  env: TwinEnv;
  database: ReturnType<typeof databaseSettings>;
  http: { host: string; port: number; bodyLimit: number; queryLimit: number; rateLimit: number; corsOrigins: string[]; trustProxy: boolean };
  viewerDir: string;
  /** Origins the viewer may load tiles from (CSP img-src and connect-src); none unless configured. */
  viewerTileOrigins: string[];
  maxRows: number;
  auth: {
    anonymousRead: boolean;
    jwt: { jwksFile?: string; publicKeyFile?: string; issuer?: string; audience?: string; roleClaim: string; roleMap?: Record<string, string> } | null;
  };
  stream: { retentionS: number; maxBuffer: number; pollMs: number; readingSampleS: number; ticketTtlS: number };
  twin: { staleMs: number; historyMs: number };
  forecast: { enabled: boolean; quietMs: number; maxWaitMs: number; historyH: number };
  spillWatch: { enabled: boolean; rerunMs: number; persistH: number; sourceKm: number };
  webhooks: {
    enabled: boolean;
    allowCidrs: string[];
    connectTimeoutMs: number;
    responseTimeoutMs: number;
    maxResponseBytes: number;
    pollMs: number;
    leaseS: number;
    maxAgeH: number;
  };
}

const RoleMap = z.record(z.string(), z.enum(['viewer', 'operator', 'admin']));

export function loadConfig(env: Env): TwinConfig {
  const e = parseEnv(TwinEnv, env);
  const jwtOn = e.API_JWT_JWKS_FILE !== undefined || e.API_JWT_PUBLIC_KEY_FILE !== undefined;
  return {
    env: e,
    database: databaseSettings(e),
    http: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      bodyLimit: e.HTTP_BODY_LIMIT,
      queryLimit: e.HTTP_QUERY_LIMIT,
      rateLimit: e.HTTP_RATE_LIMIT,
      corsOrigins: e.HTTP_CORS_ORIGINS,
      trustProxy: e.HTTP_TRUST_PROXY,
    },
    viewerDir: path.resolve(e.VIEWER_DIR),
    viewerTileOrigins: e.VIEWER_TILE_ORIGINS,
    maxRows: e.API_MAX_ROWS,
    auth: {
      anonymousRead: e.API_ANONYMOUS_READ,
      jwt: jwtOn
        ? {
            jwksFile: e.API_JWT_JWKS_FILE,
            publicKeyFile: e.API_JWT_PUBLIC_KEY_FILE,
            issuer: e.API_JWT_ISSUER,
            audience: e.API_JWT_AUDIENCE,
            roleClaim: e.API_JWT_ROLE_CLAIM,
            roleMap: e.API_JWT_ROLE_MAP === undefined ? undefined : RoleMap.parse(JSON.parse(e.API_JWT_ROLE_MAP)),
          }
        : null,
    },
    twin: { staleMs: e.TWIN_STALE_S * 1000, historyMs: e.TWIN_HISTORY_H * 3_600_000 },
    forecast: { enabled: e.FORECAST_ENABLED, quietMs: e.FORECAST_QUIET_S * 1000, maxWaitMs: e.FORECAST_MAX_WAIT_S * 1000, historyH: e.FORECAST_HISTORY_H },
    spillWatch: { enabled: e.SPILL_WATCH_ENABLED, rerunMs: e.SPILL_WATCH_RERUN_MIN * 60_000, persistH: e.SPILL_WATCH_PERSIST_H, sourceKm: e.SPILL_WATCH_SOURCE_KM },
    stream: { retentionS: e.STREAM_RETENTION_S, maxBuffer: e.STREAM_MAX_BUFFER, pollMs: e.STREAM_POLL_MS, readingSampleS: e.STREAM_READING_SAMPLE_S, ticketTtlS: e.STREAM_TICKET_TTL_S },
    webhooks: {
      enabled: e.WEBHOOKS_ENABLED,
      allowCidrs: e.WEBHOOK_ALLOW_CIDRS,
      connectTimeoutMs: e.WEBHOOK_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: e.WEBHOOK_RESPONSE_TIMEOUT_MS,
      maxResponseBytes: e.WEBHOOK_MAX_RESPONSE_BYTES,
      pollMs: e.WEBHOOK_POLL_MS,
      leaseS: e.WEBHOOK_LEASE_S,
      maxAgeH: e.WEBHOOK_MAX_AGE_H,
    },
  };
}

export const processEnv = (): Env => process.env;
export const processArgs = (): string[] => process.argv.slice(2);
