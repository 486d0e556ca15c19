import { EventEmitter } from 'node:events';
import { backOff } from 'exponential-backoff';
import type { Reading } from '@basin/schemas';
import type { Classified } from './classify.js';
import type { Db, Logger } from '@basin/platform';
import { classifyDbError, type DbFailure } from './db-errors.js';
import { IngestErrors } from './errors.js';
import { mergeByVersion, mergeReadings, mergeStatuses, type SourcedReading } from './merge.js';
import type { QcEngine, QcResult } from './qc.js';
import { safePayloadText, safeSlice } from './sanitize.js';
import { DEAD_LETTER_PAYLOAD_CAP, commitBatch, newestPerSeries, upsertLatest, type DeadLetter } from './store.js';

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

/** One message, classified (see classify.ts), with how to acknowledge it. */
export interface Envelope extends Classified {
  /** MQTT topic, or hj212://<MN> */
  source: string;
  /** The raw payload, for a dead letter if the database refuses the message. */
  payload?: Buffer | string;
  payloadBytes?: number;
  ack: () => void;
  receivedAt: number;
}

/** The current run of failed commit attempts (null while commits succeed). */
export interface CommitFailure {
  since: number;
  attempts: number;
  code: string | null;
  message: string;
}

export interface BatchCommitted {
  messages: number;
  /** The committed (and acknowledged) envelopes. */
  envelopes: readonly Envelope[];
  readings: readonly Reading[];
  flags: readonly QcResult[];
  inserted: number;
  duplicates: number;
  /** Readings whose key was already stored (or repeated in the batch) with a different value. */
  conflicts: number;
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
  /** Set while commits fail for availability reasons (health reports it). */
  failure: CommitFailure | null = null;
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

  /**
   * Commit a batch, isolating failures: an availability error (database down, restarting,
   * overloaded) retries what is not yet committed with jittered exponential backoff; a data error
   * (by SQLSTATE class, see db-errors.ts) bisects the batch down to the offending messages, which
   * are dead-lettered (`db_rejected`) while the rest is committed and acknowledged.
   * Returns false only when the pipeline stopped first.
   */
  private async commitWithRetry(batch: Envelope[]): Promise<boolean> {
    const pending = new Set(batch);
    const t0 = performance.now();
    try {
      await backOff(
        async () => {
          if (this.stopped) throw IngestErrors.STOPPED();
          await this.commitIsolating(batch.filter((e) => pending.has(e)), pending, t0);
        },
        {
          numOfAttempts: Number.POSITIVE_INFINITY,
          startingDelay: 100,
          timeMultiple: 2,
          maxDelay: this.o.retryMaxMs,
          jitter: 'full',
          retry: (e: unknown, attempt: number) => {
            if (this.stopped) return false;
            const f = classifyDbError(e);
            const err = e instanceof Error ? e : new Error(String(e));
            this.failure ??= { since: Date.now(), attempts: 0, code: f.code, message: '' };
            this.failure.attempts = attempt;
            this.failure.code = f.code;
            this.failure.message = safeSlice(f.message, 300);
            this.emit('retry', err, attempt);
            this.o.log.warn({ err: f.message, code: f.code, attempt, messages: pending.size }, 'commit failed (database unavailable); holding acknowledgements and retrying');
            return true;
          },
        },
      );
      this.failure = null;
      return true;
    } catch {
      return false;
    }
  }

  /** Commit `envs`; on a data error split them in halves until the offending messages are found. */
  private async commitIsolating(envs: Envelope[], pending: Set<Envelope>, t0: number): Promise<void> {
    if (envs.length === 0) return;
    try {
      await this.commitPart(envs, t0);
    } catch (e) {
      const f = classifyDbError(e);
      if (f.kind === 'availability') throw e;
      if (envs.length === 1) {
        this.o.log.warn({ code: f.code, err: f.message, source: envs[0]!.source }, 'database rejected a message; dead-lettered');
        await this.commitRejected(envs[0]!, f, t0);
      } else {
        const mid = envs.length >> 1;
        await this.commitIsolating(envs.slice(0, mid), pending, t0);
        await this.commitIsolating(envs.slice(mid), pending, t0);
        return;
      }
    }
    for (const env of envs) pending.delete(env);
  }

  /** Dead-letter a message the database refused (its readings' seqs count as handled). */
  private async commitRejected(env: Envelope, f: DbFailure, t0: number): Promise<void> {
    const detail = `SQLSTATE ${f.code ?? '?'}: ${f.message}`;
    const handled = [...(env.handled ?? []), ...env.readings.filter((r) => r.seq !== null).map((r) => ({ station: r.station, seq: r.seq! }))];
    const letter = (payload: string | null): DeadLetter => ({ topic: env.source, reason: 'db_rejected', detail, payload, payloadBytes: env.payloadBytes ?? 0, count: 1 });
    const payload = env.payload === undefined ? null : safePayloadText(env.payload, DEAD_LETTER_PAYLOAD_CAP);
    const attempts: Envelope[] = [
      { ...env, readings: [], letters: [letter(payload), ...env.letters], statuses: [], registry: [], handled },
      // the letters themselves may be what the database refused: keep only ours, without payload
      { ...env, readings: [], letters: [letter(null)], statuses: [], registry: [], handled },
    ];
    for (const a of attempts) {
      try {
        await this.commitPart([a], t0, env);
        return;
      } catch (e) {
        const g = classifyDbError(e);
        if (g.kind === 'availability') throw e;
      }
    }
    // Not even a bare dead letter could be stored: log it, and let the message go rather than
    // block every station behind it.
    this.o.log.error({ source: safeSlice(env.source, 200), detail: safeSlice(detail, 300) }, 'message refused by the database and not dead-lettered; dropped');
    this.afterCommit([env], this.emptyCommit(env, t0));
  }

  private emptyCommit(env: Envelope, t0: number): BatchCommitted {
    return { messages: 1, envelopes: [env], readings: [], flags: [], inserted: 0, duplicates: 0, conflicts: 0, letters: [], commitMs: performance.now() - t0, committedAt: Date.now(), oldestReceivedAt: env.receivedAt };
  }

  /** Merge, QC and commit some envelopes in one transaction, then acknowledge them. */
  private async commitPart(envs: Envelope[], t0: number, original?: Envelope): Promise<void> {
    const merged = mergeReadings(sourcedReadings(envs));
    const readings = merged.readings;
    const letters = envs.flatMap((e) => e.letters);
    const statuses = mergeStatuses(envs.flatMap((e) => e.statuses ?? []));
    const registry = mergeByVersion(envs.flatMap((e) => e.registry ?? []), (c) => c.station.id, (c) => c.version);
    const audits = envs.flatMap((e) => e.audits ?? []);
    await this.o.qc.seed(this.o.db, readings);
    const { results, commit } = this.o.qc.evaluateBatch(readings);
    const flagged = new Array<Reading>(readings.length);
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      flagged[i] = { station: r.station, metric: r.metric, value: r.value, ts: r.ts, quality: results[i]!.flag, seq: r.seq };
    }
    const due = Date.now() - this.latestWrittenAt >= this.o.latestMs;
    const latest = due ? newestPerSeries(flagged, new Map(this.latestPending)) : null;
    const res = await commitBatch(this.o.db, flagged, letters, {
      statuses,
      registry,
      audits,
      conflicts: merged.conflicts,
      sources: merged.sources,
      worker: this.o.worker,
      latest: latest?.values() ?? null,
    });
    commit();
    if (latest) {
      this.latestPending.clear();
      this.latestWrittenAt = Date.now();
    } else {
      newestPerSeries(flagged, this.latestPending);
      this.scheduleLatest();
    }
    // Committed: from here on nothing may send these envelopes round the retry loop again (that
    // would acknowledge their messages twice), so acks and listeners run outside the caller's try.
    const acked = original ? [original] : envs;
    this.afterCommit(acked, {
      messages: acked.length,
      envelopes: original ? [{ ...original, readings: [], handled: envs[0]!.handled }] : envs,
      readings: flagged,
      flags: results,
      inserted: res.inserted,
      // every valid reading is stored, a duplicate (same value already stored) or a conflict
      duplicates: res.duplicates + merged.repeats + merged.conflicts.length - res.conflicts,
      conflicts: res.conflicts,
      letters,
      commitMs: performance.now() - t0,
      committedAt: Date.now(),
      oldestReceivedAt: acked[0]!.receivedAt,
    });
  }

  /**
   * Commit what is queued (bounded by `timeoutMs`; at once while the database is failing), then
   * stop; unacknowledged messages are redelivered later.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const until = () => new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref());
    while ((this.queue.length > 0 || this.loop) && Date.now() < deadline && !this.failure) {
      this.kick();
      await Promise.race([this.loop, until()]);
    }
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.latestTimer) clearTimeout(this.latestTimer);
    // A commit waiting out its backoff gives up at its next attempt; do not wait for that.
    if (!this.failure) await Promise.race([this.loop, until()]);
    if (!this.failure) await this.flushLatest().catch((e: unknown) => this.o.log.warn({ err: (e as Error).message }, 'could not write the last latest values'));
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

function* sourcedReadings(envs: readonly Envelope[]): Generator<SourcedReading> {
  for (const e of envs) for (const reading of e.readings) yield { reading, source: e.source };
}
