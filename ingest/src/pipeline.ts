import { EventEmitter } from 'node:events';
import type { DeviceStatus, Reading, Station } from '@basin/schemas';
import type { Db, Logger } from '@basin/platform';
import type { QcEngine, QcResult } from './qc.js';
import { commitBatch, newestPerSeries, upsertLatest, type DeadLetter } from './store.js';

/**
 * The batching stage. Producers (the MQTT client, the HJ 212 listener) submit one envelope per
 * message, already decoded and validated; the pipeline groups envelopes into batches (by reading
 * count and by age), runs QC, commits each batch in one transaction and only then calls each
 * envelope's `ack` (PUBACK to the broker, 9014 to an HJ 212 logger).
 *
 * One commit runs at a time while the next batch fills. While the database is down or slow the
 * commit is retried with backoff and nothing is acknowledged; when the held readings or messages
 * reach their bounds the pipeline reports `full` and producers stop reading (the broker queues).
 */

export interface Envelope {
  /** MQTT topic, or hj212://<MN> */
  source: string;
  readings: Reading[];
  letters: DeadLetter[];
  statuses?: { client: string; status: DeviceStatus }[];
  stations?: Station[];
  ack: () => void;
  receivedAt: number;
}

export interface BatchCommitted {
  messages: number;
  readings: readonly Reading[];
  flags: readonly QcResult[];
  inserted: number;
  duplicates: number;
  letters: readonly DeadLetter[];
  commitMs: number;
  committedAt: number;
  /** receivedAt of the oldest envelope in the batch */
  oldestReceivedAt: number;
}

export interface PipelineOptions {
  db: Db;
  qc: QcEngine;
  log: Logger;
  worker: string;
  batchSize: number;
  batchMs: number;
  maxPendingReadings: number;
  maxPendingMessages: number;
  retryMaxMs: number;
  /**
   * Coalesce latest_readings updates: write them with the first batch committed at least this
   * long after the previous write (0 = with every batch).
   */
  latestMs: number;
}

interface Events {
  committed: [BatchCommitted];
  /** commit failed and will be retried */
  retry: [Error, number];
  /** room again after being full */
  drain: [];
}

export class Pipeline extends EventEmitter<Events> {
  private queue: Envelope[] = [];
  private queuedReadings = 0;
  private committing: Envelope[] = [];
  private committingReadings = 0;
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private wasFull = false;
  private retryWake: (() => void) | null = null;
  /** Newest committed reading per series not yet written to latest_readings. */
  private latestPending = new Map<string, Reading>();
  private latestWrittenAt = 0;

  constructor(private readonly o: PipelineOptions) {
    super();
  }

  /** Messages and readings held (queued + committing), all unacknowledged. */
  get pendingMessages(): number {
    return this.queue.length + this.committing.length;
  }
  get pendingReadings(): number {
    return this.queuedReadings + this.committingReadings;
  }
  get oldestPendingAt(): number | null {
    return this.committing[0]?.receivedAt ?? this.queue[0]?.receivedAt ?? null;
  }

  /** True when producers should stop reading until `drain`. */
  get full(): boolean {
    return this.pendingReadings >= this.o.maxPendingReadings || this.pendingMessages >= this.o.maxPendingMessages;
  }

  submit(env: Envelope): void {
    if (this.stopped) return; // not acknowledged: redelivered by the broker / resent by the logger
    this.queue.push(env);
    this.queuedReadings += env.readings.length + env.letters.length;
    if (this.full) this.wasFull = true;
    if (this.queuedReadings >= this.o.batchSize) this.kick();
    else if (!this.timer) this.timer = setTimeout(() => this.kick(), this.o.batchMs);
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.loop) this.loop = this.run().finally(() => (this.loop = null));
  }

  /** Take whole envelopes up to the batch size (at least one). */
  private take(): Envelope[] {
    let n = 0;
    let i = 0;
    while (i < this.queue.length) {
      const size = this.queue[i]!.readings.length + this.queue[i]!.letters.length;
      if (i > 0 && n + size > this.o.batchSize) break;
      n += size;
      i++;
    }
    const batch = this.queue.splice(0, i);
    this.queuedReadings -= n;
    return batch;
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      // A partial batch waits for the timer unless a full one is ready or we are catching up.
      const batch = this.take();
      this.committing = batch;
      this.committingReadings = batch.reduce((s, e) => s + e.readings.length + e.letters.length, 0);
      const ok = await this.commitWithRetry(batch);
      this.committing = [];
      this.committingReadings = 0;
      if (!ok) return;
      if (this.wasFull && !this.full) {
        this.wasFull = false;
        this.emit('drain');
      }
      if (this.queuedReadings < this.o.batchSize && this.queue.length > 0) {
        // Not a full batch yet: let it fill for at most batchMs from its first message.
        const age = Date.now() - this.queue[0]!.receivedAt;
        if (age < this.o.batchMs) {
          if (!this.timer) this.timer = setTimeout(() => this.kick(), this.o.batchMs - age);
          return;
        }
      }
    }
  }

  private afterCommit(batch: Envelope[], info: BatchCommitted): void {
    for (const e of batch) {
      try {
        e.ack();
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message }, 'acknowledgement failed after commit (the message may be redelivered; it is absorbed as a duplicate)');
      }
    }
    try {
      this.emit('committed', info);
    } catch (err) {
      this.o.log.error({ err: (err as Error).message }, 'a committed-batch listener failed');
    }
  }

  private async commitWithRetry(batch: Envelope[]): Promise<boolean> {
    const readings = batch.flatMap((e) => e.readings);
    const letters = batch.flatMap((e) => e.letters);
    const statuses = batch.flatMap((e) => e.statuses ?? []);
    const stations = batch.flatMap((e) => e.stations ?? []);
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return false;
      const t0 = performance.now();
      try {
        await this.o.qc.seed(this.o.db, readings);
        const { results, commit } = this.o.qc.evaluateBatch(readings);
        const flagged = new Array<Reading>(readings.length);
        for (let i = 0; i < readings.length; i++) {
          const r = readings[i]!;
          flagged[i] = { station: r.station, metric: r.metric, value: r.value, ts: r.ts, quality: results[i]!.flag, seq: r.seq };
        }
        const due = Date.now() - this.latestWrittenAt >= this.o.latestMs;
        const latest = due ? newestPerSeries(flagged, new Map(this.latestPending)) : null;
        const res = await commitBatch(this.o.db, flagged, letters, { statuses, stations, worker: this.o.worker, latest: latest?.values() ?? null });
        commit();
        if (latest) {
          this.latestPending.clear();
          this.latestWrittenAt = Date.now();
        } else {
          newestPerSeries(flagged, this.latestPending);
          this.scheduleLatest();
        }
        const committedAt = Date.now();
        // Committed: from here on nothing may send the batch round the retry loop again (that
        // would acknowledge its messages twice), so acks and listeners run outside the try.
        this.afterCommit(batch, {
          messages: batch.length,
          readings: flagged,
          flags: results,
          inserted: res.inserted,
          duplicates: res.duplicates,
          letters,
          commitMs: performance.now() - t0,
          committedAt,
          oldestReceivedAt: batch[0]!.receivedAt,
        });
        return true;
      } catch (e) {
        const err = e as Error;
        this.emit('retry', err, attempt);
        this.o.log.warn({ err: err.message, attempt, messages: batch.length, readings: readings.length }, 'commit failed; holding acknowledgements and retrying');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.retryWake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.retryWake = null;
        delay = Math.min(delay * 2, this.o.retryMaxMs);
      }
    }
  }

  /** Commit what is queued (bounded by `timeoutMs`), then stop; unacknowledged messages are redelivered later. */
  async stop(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.queue.length > 0 || this.loop) && Date.now() < deadline) {
      this.kick();
      await Promise.race([this.loop, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    }
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.latestTimer) clearTimeout(this.latestTimer);
    this.retryWake?.();
    await this.loop;
    await this.flushLatest().catch((e: unknown) => this.o.log.warn({ err: (e as Error).message }, 'could not write the last latest values'));
  }

  private latestTimer: NodeJS.Timeout | null = null;

  /** Write pending latest values when due even if no further batch comes. */
  private scheduleLatest(): void {
    if (this.latestTimer || this.latestPending.size === 0) return;
    const wait = Math.max(0, this.o.latestMs - (Date.now() - this.latestWrittenAt));
    this.latestTimer = setTimeout(() => {
      this.latestTimer = null;
      if (this.stopped || this.latestPending.size === 0) return;
      if (this.loop) return this.scheduleLatest(); // a commit is running: it or the next one writes them
      this.loop = this.flushLatest()
        .catch((e: unknown) => {
          this.o.log.warn({ err: (e as Error).message }, 'latest values not written; retrying');
          this.scheduleLatest();
        })
        .finally(() => {
          this.loop = null;
          if (this.queue.length > 0) this.kick();
        });
    }, wait);
  }

  /** Write coalesced latest values now. */
  async flushLatest(): Promise<void> {
    if (this.latestPending.size === 0) return;
    const rows = [...this.latestPending.entries()];
    await this.o.db.transaction((tx) => upsertLatest(tx, rows.map(([, r]) => r)));
    for (const [k, r] of rows) if (this.latestPending.get(k) === r) this.latestPending.delete(k);
    this.latestWrittenAt = Date.now();
  }
}
