import path from 'node:path';
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

/**
 * Render `--help` text for an environment schema: one line per variable with its default and
 * description (from `.describe()`).
 */
export function envHelp(schema: z.ZodObject, title: string): string {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { default?: unknown; description?: string }>;
  };
  const rows = Object.entries(js.properties ?? {}).map(([name, p]) => {
    const def = p.default === undefined ? '' : `(default ${JSON.stringify(p.default)})`;
    return `  ${name.padEnd(28)} ${p.description ?? ''} ${def}`.trimEnd();
  });
  return `${title}\n\nEnvironment variables:\n${rows.join('\n')}\n`;
}
/** Boolean from "true/false/1/0/yes/no". */
export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level');

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
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']).describe('TimescaleDB server URL; unset = embedded TimescaleDB (PGlite)'),
  PGHOST: optionalString.describe('TimescaleDB host (alternative to DATABASE_URL)'),
  PGPORT: z.coerce.number().int().min(1).max(65535).optional().describe('TimescaleDB port'),
  PGUSER: optionalString.describe('TimescaleDB user'),
  PGPASSWORD: optionalString.describe('TimescaleDB password (never logged)'),
  PGDATABASE: optionalString.describe('TimescaleDB database name'),
  DATABASE_POOL_MAX: posInt(10).describe('pg pool size per process (1 for a PGlite socket server)'),
  DATA_DIR: z.string().default('./data').describe('data directory of the embedded system (TimescaleDB in DATA_DIR/timescaledb); "memory" keeps it in memory (no fsync: not for production)'),
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
  // The database gets its own subdirectory: DATA_DIR also holds e.g. the simulator's outbox.
  return { mode: 'embedded', dataDir: e.DATA_DIR === 'memory' ? null : path.join(e.DATA_DIR, 'timescaledb') };
}

/** MQTT settings: MQTT_URL, or an embedded aedes broker on MQTT_EMBEDDED_PORT. */
export const mqttEnv = {
  MQTT_URL: urlWithProtocols(['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']).describe('broker URL (Mosquitto); unset = embedded aedes broker'),
  MQTT_USERNAME: optionalString.describe('MQTT user name'),
  MQTT_PASSWORD: optionalString.describe('MQTT password (never logged)'),
  MQTT_EMBEDDED_HOST: z.string().default('127.0.0.1').describe('embedded broker bind address'),
  MQTT_EMBEDDED_PORT: port(1883).describe('embedded broker port (a free port is taken if it is in use)'),
  MQTT_EMBEDDED_PROVISIONER_PASSWORD: optionalString.describe('embedded broker: password of user "provisioner", the only one allowed to write basin/v1/registry/+ (unset: nobody outside the process)'),
};
