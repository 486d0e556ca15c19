import { BasinError } from '@basin/platform';

/**
 * Simulator error catalogue. Codes are stable (scripts and runbooks match on them); the CLI maps
 * them to exit codes: usage 2, scenario 3, broker/network 4, outbox 5.
 */
export const SimErrors = {
  USAGE: (message: string) => new BasinError('SIM_USAGE', message, 400),
  SCENARIO_NOT_FOUND: (name: string, known: string[]) =>
    new BasinError('SIM_SCENARIO_NOT_FOUND', `unknown scenario "${name}" (known: ${known.join(', ') || 'none'})`, 404, { name, known }),
  SCENARIO_INVALID: (file: string, problems: string[]) =>
    new BasinError('SIM_SCENARIO_INVALID', `scenario ${file} is invalid:\n  - ${problems.join('\n  - ')}`, 400, problems),
  HOSTILE_NOT_ALLOWED: (name: string) =>
    new BasinError('SIM_HOSTILE_NOT_ALLOWED', `scenario "${name}" publishes malformed/hostile payloads; pass --allow-hostile to run it`, 400),
  STATION_NOT_FOUND: (id: string) => new BasinError('SIM_STATION_NOT_FOUND', `scenario names unknown station "${id}"`, 400, { id }),
  CONNECT_FAILED: (url: string, cause: unknown) =>
    new BasinError('SIM_CONNECT_FAILED', `cannot connect to ${url}: ${(cause as Error)?.message ?? String(cause)}`, 503, undefined, { cause }),
  GENERATION_FAILED: (cause: unknown) =>
    new BasinError('SIM_GENERATION_FAILED', `generation failed: ${(cause as Error)?.message ?? String(cause)}`, 500, undefined, { cause }),
  OUTBOX_CORRUPT: (file: string, detail: string) => new BasinError('SIM_OUTBOX_CORRUPT', `outbox ${file} is corrupt: ${detail}`, 500, { file }),
  OUTBOX_LOCKED: (dir: string, pid: number) =>
    new BasinError('SIM_OUTBOX_LOCKED', `outbox ${dir} is in use by process ${pid}; use another --outbox directory`, 409, { dir, pid }),
  OUTBOX_MISMATCH: (dir: string, detail: string) =>
    new BasinError('SIM_OUTBOX_MISMATCH', `outbox ${dir} belongs to a different run (${detail}); use --outbox with a fresh directory or --reset-outbox`, 409),
} as const;

export const EXIT_CODES: Record<string, number> = {
  SIM_USAGE: 2,
  CONFIG_INVALID: 2,
  SIM_SCENARIO_NOT_FOUND: 3,
  SIM_SCENARIO_INVALID: 3,
  SIM_HOSTILE_NOT_ALLOWED: 3,
  SIM_STATION_NOT_FOUND: 3,
  SIM_CONNECT_FAILED: 4,
  SIM_GENERATION_FAILED: 1,
  SIM_OUTBOX_CORRUPT: 5,
  SIM_OUTBOX_LOCKED: 5,
  SIM_OUTBOX_MISMATCH: 5,
};
