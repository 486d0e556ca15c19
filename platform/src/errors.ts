/**
 * Base error with a stable code. Each package keeps its own catalogue (errors.ts) of codes,
 * HTTP statuses and messages; API errors are rendered as { status, code, message }.
 */
export class BasinError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BasinError';
  }

  toJSON(): { status: number; code: string; message: string; details?: unknown } {
    return { status: this.status, code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

/** Platform error catalogue. */
export const PlatformErrors = {
  CONFIG_INVALID: (problems: string[]) =>
    new BasinError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, 500, problems),
  DB_UNAVAILABLE: (cause: unknown) => new BasinError('DB_UNAVAILABLE', `database unavailable: ${(cause as Error)?.message ?? String(cause)}`, 503, undefined, { cause }),
  MIGRATION_FAILED: (name: string, cause: unknown) =>
    new BasinError('MIGRATION_FAILED', `migration ${name} failed: ${(cause as Error)?.message ?? String(cause)}`, 500, undefined, { cause }),
  BACKOFF_INVALID: (baseMs: number, maxMs: number) => new BasinError('BACKOFF_INVALID', `backoff needs 0 < baseMs <= maxMs (got ${baseMs}, ${maxMs})`, 500),
  BROKER_START_FAILED: (cause: unknown) => new BasinError('BROKER_START_FAILED', `embedded MQTT broker failed to start: ${(cause as Error)?.message}`, 500, undefined, { cause }),
} as const;
