import { z } from 'zod';
import { PlatformErrors } from './errors.js';

/**
 * Helpers for the services' config.ts files. Each service declares one zod object over the
 * environment and calls parseEnv(); every problem is reported at once.
 */
export type Env = Record<string, string | undefined>;

export function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const r = schema.safeParse(env);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  throw PlatformErrors.CONFIG_INVALID(problems);
}

/** Environment variable that is a TCP port. */
export const port = (def: number) => z.coerce.number().int().min(0).max(65535).default(def);
/** Positive integer with a default. */
export const posInt = (def: number) => z.coerce.number().int().positive().default(def);
/** Boolean from "true/false/1/0/yes/no". */
export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Empty strings count as unset. */
export const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s));

const urlWithProtocols = (protocols: string[]) =>
  optionalString.refine((s) => {
    if (s === undefined) return true;
    try {
      return protocols.includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with protocol ${protocols.join(' or ')}`);

/** Database settings: DATABASE_URL, or PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE, or embedded. */
export const databaseEnv = {
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']),
  PGHOST: optionalString,
  PGPORT: z.coerce.number().int().min(1).max(65535).optional(),
  PGUSER: optionalString,
  PGPASSWORD: optionalString,
  PGDATABASE: optionalString,
  DATABASE_POOL_MAX: posInt(10),
  /** Embedded TimescaleDB (PGlite) data directory; "memory" keeps it in memory. */
  DATA_DIR: z.string().default('./data'),
};

export type DatabaseSettings =
  | { mode: 'server'; connectionString?: string; host?: string; port?: number; user?: string; password?: string; database?: string; poolMax: number }
  | { mode: 'embedded'; dataDir: string | null };

export function databaseSettings(e: {
  DATABASE_URL?: string;
  PGHOST?: string;
  PGPORT?: number;
  PGUSER?: string;
  PGPASSWORD?: string;
  PGDATABASE?: string;
  DATABASE_POOL_MAX: number;
  DATA_DIR: string;
}): DatabaseSettings {
  if (e.DATABASE_URL || e.PGHOST) {
    return {
      mode: 'server',
      connectionString: e.DATABASE_URL,
      host: e.PGHOST,
      port: e.PGPORT,
      user: e.PGUSER,
      password: e.PGPASSWORD,
      database: e.PGDATABASE,
      poolMax: e.DATABASE_POOL_MAX,
    };
  }
  return { mode: 'embedded', dataDir: e.DATA_DIR === 'memory' ? null : e.DATA_DIR };
}

/** MQTT settings: MQTT_URL, or an embedded aedes broker on MQTT_EMBEDDED_PORT. */
export const mqttEnv = {
  MQTT_URL: urlWithProtocols(['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']),
  MQTT_USERNAME: optionalString,
  MQTT_PASSWORD: optionalString,
  MQTT_EMBEDDED_HOST: z.string().default('127.0.0.1'),
  MQTT_EMBEDDED_PORT: port(1883),
};
