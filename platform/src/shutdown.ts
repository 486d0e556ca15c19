import closeWithGrace from 'close-with-grace';
import type { Logger } from './logger.js';

export type ShutdownStep = readonly [name: string, stop: () => Promise<void> | void];

export interface ShutdownOptions {
  log?: Logger;
  onDone?: () => void;
  /** The whole shutdown is cut short after this long (exit code 1). Default 30 s. */
  timeoutMs?: number;
}

/**
 * Stop a process cleanly on a signal (SIGINT, SIGTERM, …; close-with-grace): run the steps in order
 * (each one's failure is logged and does not skip the rest), then `onDone`, then exit 0. A second
 * signal while stopping exits at once (code 1), and so does a shutdown that takes longer than
 * `timeoutMs`. Uncaught errors stay the entry point's to handle.
 */
export function onShutdown(steps: readonly ShutdownStep[], opts: ShutdownOptions = {}): void {
  const { log } = opts;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  closeWithGrace(
    {
      delay: timeoutMs,
      skip: ['uncaughtException', 'unhandledRejection'],
      logger: false,
      onSecondSignal: (signal) => log?.warn({ signal }, 'second signal: exiting without finishing the shutdown'),
      onTimeout: () => log?.error({ timeoutMs }, 'shutdown timed out: exiting'),
    },
    async ({ signal }) => {
      log?.info({ signal }, 'stopping');
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
}
