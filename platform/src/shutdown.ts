import closeWithGrace from 'close-with-grace';
import type { Logger } from './logger.js';

export type ShutdownStep = readonly [name: string, stop: () => Promise<void> | void];

export interface ShutdownOptions {
  log?: Logger;
  onDone?: () => void;
  /** The whole shutdown is cut short after this long (exit code 1). Default 30 s. */
  timeoutMs?: number;
  /** Signals this soon after the first one are the same Ctrl-C delivered again. Default 2 s. */
  repeatWindowMs?: number;
}

/** The stop signals this module handles itself (close-with-grace keeps the rest). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * What a stop signal means (pure): the first starts the shutdown; one within `windowMs` of the
 * first is the same request delivered again — a terminal's Ctrl-C reaches the whole process group,
 * and npm and tsx relay it to their child as well, so one keypress arrives two or three times —
 * and is ignored; a later one is the operator insisting: exit at once.
 */
export function signalVerdict(firstAt: number | null, now: number, windowMs: number): 'start' | 'repeat' | 'force' {
  if (firstAt === null) return 'start';
  return now - firstAt < windowMs ? 'repeat' : 'force';
}

/**
 * Stop a process cleanly on a signal (close-with-grace): run the steps in order (each one's
 * failure is logged and does not skip the rest), then `onDone`, then exit 0. A second signal more
 * than `repeatWindowMs` after the first exits at once (code 1), and so does a shutdown that takes
 * longer than `timeoutMs`. Uncaught errors stay the entry point's to handle.
 */
export function onShutdown(steps: readonly ShutdownStep[], opts: ShutdownOptions = {}): void {
  const { log } = opts;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const windowMs = opts.repeatWindowMs ?? 2_000;
  const grace = closeWithGrace(
    {
      delay: timeoutMs,
      skip: ['uncaughtException', 'unhandledRejection', ...STOP_SIGNALS],
      logger: false,
      onSecondSignal: (signal) => log?.warn({ signal }, 'second signal: exiting without finishing the shutdown'),
      onTimeout: () => log?.error({ timeoutMs }, 'shutdown timed out: exiting'),
    },
    async () => {
      for (const [name, fn] of steps) {
        try {
          await fn();
        } catch (e) {
          log?.warn({ err: (e as Error).message, step: name }, 'error while stopping');
        }
      }
      opts.onDone?.();
    },
  );
  let firstAt: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    const verdict = signalVerdict(firstAt, Date.now(), windowMs);
    if (verdict === 'repeat') return;
    if (verdict === 'force') {
      log?.warn({ signal }, 'second signal: exiting without finishing the shutdown');
      process.exit(1);
    }
    firstAt = Date.now();
    log?.info({ signal }, 'stopping');
    void grace.close();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
}
