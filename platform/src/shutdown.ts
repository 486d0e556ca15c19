import type { Logger } from './logger.js';

export type ShutdownStep = readonly [name: string, stop: () => Promise<void> | void];

/**
 * Stop a process cleanly on SIGINT / SIGTERM: run the steps in order (each one's failure is logged
 * and does not skip the rest), then `onDone`, then exit 0. A second signal while stopping is ignored.
 */
export function onShutdown(steps: readonly ShutdownStep[], opts: { log?: Logger; onDone?: () => void } = {}): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    opts.log?.info({ signal }, 'stopping');
    for (const [name, fn] of steps) {
      try {
        await fn();
      } catch (e) {
        opts.log?.warn({ err: (e as Error).message, step: name }, 'error while stopping');
      }
    }
    opts.onDone?.();
    process.exit(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stop(sig));
}
