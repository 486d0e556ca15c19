import { createRequire } from 'node:module';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger } from 'pino';

/** Paths redacted from every log line (credentials, secrets, keys, auth headers). */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'key',
  '*.key',
  'privateKey',
  '*.privateKey',
  'passphrase',
  '*.passphrase',
  'databaseUrl',
  '*.databaseUrl',
  'mqttUrl',
  '*.mqttUrl',
  'connectionString',
  '*.connectionString',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
];

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;
const PRIVATE_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;

/** Text with URL passwords and PEM private keys replaced by [redacted]. */
export function redactText(s: string): string {
  if (!s.includes('://') && !s.includes('PRIVATE KEY')) return s;
  return s.replace(URL_PASSWORD, '$1:[redacted]@').replace(PRIVATE_KEY, '[redacted $1private key]');
}

function scrub(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return redactText(v);
  if (v instanceof Error) {
    const m = redactText(v.message);
    const st = v.stack === undefined ? undefined : redactText(v.stack);
    if (m === v.message && st === v.stack) return v;
    return Object.assign(Object.create(Object.getPrototypeOf(v) as object) as Error, v, { message: m, stack: st });
  }
  if (depth > 0 && v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = scrub(x, depth - 1);
    return out;
  }
  return v;
}

export interface LoggerOptions {
  level?: LevelWithSilent;
  name?: string;
  /** Write to this stream instead of stdout (tests, CLIs logging to stderr). */
  destination?: NodeJS.WritableStream;
  /** Readable lines (pino-pretty) instead of JSON; default: when the destination is a terminal. */
  pretty?: boolean;
}

const requireCjs = createRequire(import.meta.url);

/**
 * pino with redaction: the REDACT_PATHS fields, and passwords in URLs and PEM private keys in the
 * message and in field values (two levels deep, errors included). JSON lines, or readable lines
 * (pino-pretty, loaded only then) when writing to a terminal.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const dest = opts.destination ?? process.stdout;
  const pretty = opts.pretty ?? (dest as { isTTY?: boolean }).isTTY === true;
  const options: pino.LoggerOptions = {
    name: opts.name ?? 'basin',
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (obj) => scrub(obj, 2) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = redactText(args[i] as string);
        method.apply(this, args as Parameters<typeof method>);
      },
    },
  };
  if (pretty) {
    const pinoPretty = requireCjs('pino-pretty') as typeof PinoPretty;
    return pino(options, pinoPretty({ destination: dest, colorize: opts.pretty === undefined, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  }
  return opts.destination ? pino(options, opts.destination as pino.DestinationStream) : pino(options);
}

/** Remove the password from a URL for display. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
