import type { Db, Logger } from '@basin/platform';
import { appendStream, type StreamEventInput } from '../ops/events.js';
import type { TwinState } from '../state/twin.js';
import { StreamSampler } from './sampler.js';

export interface TwinFeedOptions {
  /** At most one reading event per station and metric per this many ms. */
  sampleMs: number;
  /** Pending events are appended at most this often (one transaction per flush). */
  flushMs?: number;
  /** Pending events kept while the database is unreachable; the oldest are dropped beyond it. */
  maxPending?: number;
}

export interface TwinFeedStats {
  appended: number;
  deduplicated: number;
  dropped: number;
  failedFlushes: number;
}

/**
 * Writes the twin's state changes to the live stream: sampled readings and station online /
 * offline transitions (StreamSampler), appended in batches. Every twin-engine process runs one;
 * the events' dedup keys make the copies from several processes one event each.
 */
export class TwinStreamFeed {
  readonly stats: TwinFeedStats = { appended: 0, deduplicated: 0, dropped: 0, failedFlushes: 0 };
  private readonly sampler: StreamSampler;
  private pending: StreamEventInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private off: (() => void) | null = null;
  private failing = false;

  constructor(
    private readonly db: Db,
    private readonly twin: TwinState,
    private readonly log: Logger,
    private readonly o: TwinFeedOptions,
  ) {
    this.sampler = new StreamSampler(o.sampleMs);
  }

  start(): void {
    this.off = this.twin.subscribe((e) => {
      if (e.type === 'model' || e.type === 'forecast') return;
      const events = this.sampler.offer(e);
      if (!events.length) return;
      this.pending.push(...events);
      const max = this.o.maxPending ?? 10_000;
      if (this.pending.length > max) {
        this.stats.dropped += this.pending.length - max;
        this.pending.splice(0, this.pending.length - max);
      }
      this.timer ??= setTimeout(() => void this.flush(), this.o.flushMs ?? 200);
    });
  }

  /** Append what is pending now (also used at shutdown and by tests). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushing ??= this.write().finally(() => {
      this.flushing = null;
      // After a failure, wait longer before the retry (the database is likely down).
      const delay = this.failing ? 2_000 : (this.o.flushMs ?? 200);
      if (this.pending.length && this.off) this.timer ??= setTimeout(() => void this.flush(), delay);
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    const batch = this.pending.splice(0, 1000);
    if (!batch.length) return;
    try {
      const ids = await this.db.transaction((tx) => appendStream(tx, batch));
      this.stats.appended += ids.length;
      this.stats.deduplicated += batch.length - ids.length;
      this.failing = false;
    } catch (e) {
      // Put the batch back (oldest first) and retry on the next flush.
      this.stats.failedFlushes++;
      this.failing = true;
      this.pending.unshift(...batch);
      this.log.warn({ err: (e as Error).message, pending: this.pending.length }, 'live-stream feed: append failed; will retry');
    }
  }

  async stop(): Promise<void> {
    this.off?.();
    this.off = null;
    await this.flush().catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
