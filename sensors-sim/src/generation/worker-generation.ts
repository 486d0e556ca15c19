import { Worker } from 'node:worker_threads';
import type { Batch } from './batch.js';
import type { WorkerInit, WorkerRequest } from './worker.js';

/**
 * The sending thread's side of the generation worker (worker.ts): starts it, asks it for runs of
 * messages and hands each Batch, in order, to `onBatch`. Generation and encoding (CPU-bound)
 * then run beside sending instead of between its turns.
 */
export class WorkerGeneration {
  private readonly worker: Worker;
  /** Resolves once the worker has built its generator. */
  readonly ready: Promise<void>;
  /** Requests not yet answered. */
  pending = 0;
  private closed = false;

  constructor(init: WorkerInit, onBatch: (b: Batch) => void, onError: (e: Error) => void) {
    this.worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: init });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.once('message', () => {
        this.worker.off('error', reject);
        this.worker.on('error', (e) => this.closed || onError(e));
        this.worker.on('message', (b: Batch) => {
          this.pending--;
          onBatch(b);
        });
        resolve();
      });
    });
    // A failed start surfaces through `ready`; keep it from being an unhandled rejection meanwhile.
    this.ready.catch(() => undefined);
  }

  /** Ask for up to `budget` station-ticks, not beyond tick `limit`. */
  request(budget: number, limit: number): void {
    this.pending++;
    this.worker.postMessage({ budget, limit } satisfies WorkerRequest);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }
}
