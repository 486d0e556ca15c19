import { EventEmitter } from 'node:events';
import { backOff } from 'exponential-backoff';
import type { Reading } from '@basin/schemas';
import type { Classified } from './classify.js';
import type { Db, Logger } from '@basin/platform';
import { classifyDbError, type DbFailure } from './db-errors.js';
import { IngestErrors } from './errors.js';
import { InOrderRelease } from './in-order.js';
import { mergeByVersion, mergeReadings, mergeStatuses, type MergedReadings, type SourcedReading } from './merge.js';
import type { QcEngine, QcResult } from './qc.js';
import { safePayloadText, safeSlice } from './sanitize.js';
import { DEAD_LETTER_PAYLOAD_CAP, commitBatch, newestPerSeries, upsertLatest, type DeadLetter } from './store.js';

/**
 * The batching stage. Producers (the MQTT client, the HJ 212 listener) submit one envelope per
 * message, already decoded and validated; the pipeline groups envelopes into batches (by reading
 * count and by age), runs QC, commits each batch in one transaction and only then calls each
 * envelope's `ack` (PUBACK to the broker, 9014 to an HJ 212 logger).
 *
 * Up to `commitConcurrency` batches commit at once, each in its own transaction on its own pool
 * connection, while the next batch fills. Batches are prepared (merged, QC-flagged) one at a time in
 * arrival order, so QC sees every series in order; they may commit in any order but are
 * acknowledged strictly in arrival order (in-order.ts: MQTT requires PUBACKs in the order of the
 * PUBLISH packets), so a batch that commits first waits for the earlier ones. While the database is
 * down or slow each commit is retried with backoff and nothing is acknowledged; when the held
 * readings or messages reach their bounds the pipeline reports `full` and producers stop reading
 * (the broker queues).
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
  /** Batches committing at once, each on its own connection (1 on a single-connection database). */
  commitConcurrency: number;
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

/** A batch taken from the queue, from preparation until its acknowledgements are released. */
interface Job {
  ticket: number;
  batch: Envelope[];
  /** readings + letters of the batch */
  size: number;
  prepared: Prepared | null;
  /** Committed parts (one, or several after bisection), acknowledged when the job is released. */
  parts: { acked: Envelope[]; info: BatchCommitted }[];
  done: Promise<void>;
}

/** A batch (or part of one) merged and QC-flagged, ready to commit; reused by retries. */
interface Prepared {
  envs: Envelope[];
  flagged: Reading[];
  results: QcResult[];
  conflicts: SourcedReading[];
  sources: string[];
  repeats: number;
  /** index in `flagged` of each series' newest reading */
  newest: number[];
}

export class Pipeline extends EventEmitter<Events> {
  private queue: Envelope[] = [];
  private queuedReadings = 0;
  /** Jobs taken and not yet released, oldest first (committing, or committed and held). */
  private held: Job[] = [];
  private heldMessages = 0;
  private heldReadings = 0;
  /** Jobs whose commit is running. */
  private readonly jobs = new Set<Job>();
  private readonly order = new InOrderRelease<Job>();
  private slotWaiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;
  /** stop(): commit what is queued now, without waiting for batches to fill. */
  private draining = false;
  private wasFull = false;
  /** Set while commits fail for availability reasons (health reports it). */
  failure: CommitFailure | null = null;
  /** What is failing now (jobs, preparation): `failure` is cleared when nothing is. */
  private readonly failing = new Set<object>();
  /** Newest committed reading per series not yet written to latest_readings. */
  private latestPending = new Map<string, Reading>();
  private latestWrittenAt = 0;
  /** A coalesced latest_readings write is in flight (one at a time). */
  private latestBusy = false;

  constructor(private readonly o: PipelineOptions) {
    super();
  }

  /** Messages and readings held (queued, committing, or committed behind an earlier batch), all unacknowledged. */
  get pendingMessages(): number {
    return this.queue.length + this.heldMessages;
  }
  get pendingReadings(): number {
    return this.queuedReadings + this.heldReadings;
  }
  get oldestPendingAt(): number | null {
    return this.held[0]?.batch[0]?.receivedAt ?? this.queue[0]?.receivedAt ?? null;
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

  /** A full batch is queued, or the oldest queued message has waited `batchMs`. */
  private ready(): boolean {
    if (this.draining || this.queuedReadings >= this.o.batchSize) return true;
    return Date.now() - this.queue[0]!.receivedAt >= this.o.batchMs;
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

  /**
   * Take batches while a commit slot is free: prepare each (in arrival order) and start its commit
   * without waiting for it. A partial batch waits to fill for at most `batchMs` from its first message.
   */
  private async run(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      if (this.jobs.size >= this.o.commitConcurrency) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      if (!this.ready()) {
        const age = Date.now() - this.queue[0]!.receivedAt;
        if (!this.timer) this.timer = setTimeout(() => this.kick(), Math.max(1, this.o.batchMs - age));
        return;
      }
      const batch = this.take();
      const size = batch.reduce((s, e) => s + e.readings.length + e.letters.length, 0);
      const job: Job = { ticket: this.order.take(), batch, size, prepared: null, parts: [], done: Promise.resolve() };
      this.held.push(job);
      this.heldMessages += batch.length;
      this.heldReadings += size;
      // Prepared here, one batch at a time, so that QC sees every series in arrival order.
      job.prepared = await this.retrying(job.batch, () => this.prepare(batch));
      if (!job.prepared) return; // stopped while the database was failing
      this.jobs.add(job);
      job.done = this.commitJob(job).finally(() => {
        this.jobs.delete(job);
        const waiters = this.slotWaiters;
        this.slotWaiters = [];
        for (const w of waiters) w();
        if (!this.loop && this.queue.length > 0 && !this.stopped) this.kick();
      });
    }
  }

  /** Commit a job, then release (acknowledge) it and any later jobs it was holding back. */
  private async commitJob(job: Job): Promise<void> {
    const ok = await this.commitWithRetry(job);
    if (!ok) return; // stopped: neither it nor any later batch is acknowledged (redelivered)
    for (const j of this.order.complete(job.ticket, job)) this.release(j);
  }

  private release(job: Job): void {
    this.held.shift();
    this.heldMessages -= job.batch.length;
    this.heldReadings -= job.size;
    for (const p of job.parts) this.afterCommit(p.acked, p.info);
    job.parts = [];
    if (this.wasFull && !this.full) {
      this.wasFull = false;
      this.emit('drain');
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
   * Run `attempt` until it succeeds, retrying availability errors (database down, restarting,
   * overloaded) with jittered exponential backoff. Returns null only when the pipeline stopped first.
   */
  private async retrying<T>(what: readonly Envelope[] | Set<Envelope>, attempt: () => Promise<T>): Promise<T | null> {
    const token = {};
    try {
      const out = await backOff(
        async () => {
          if (this.stopped) throw IngestErrors.STOPPED();
          return attempt();
        },
        {
          numOfAttempts: Number.POSITIVE_INFINITY,
          startingDelay: 100,
          timeMultiple: 2,
          maxDelay: this.o.retryMaxMs,
          jitter: 'full',
          retry: (e: unknown, n: number) => {
            if (this.stopped) return false;
            const f = classifyDbError(e);
            const err = e instanceof Error ? e : new Error(String(e));
            this.failing.add(token);
            this.failure ??= { since: Date.now(), attempts: 0, code: f.code, message: '' };
            this.failure.attempts = n;
            this.failure.code = f.code;
            this.failure.message = safeSlice(f.message, 300);
            this.emit('retry', err, n);
            const messages = what instanceof Set ? what.size : what.length;
            this.o.log.warn({ err: f.message, code: f.code, attempt: n, messages }, 'commit failed (database unavailable); holding acknowledgements and retrying');
            return true;
          },
        },
      );
      return out;
    } catch {
      return null;
    } finally {
      this.failing.delete(token);
      if (this.failing.size === 0 && !this.stopped) this.failure = null;
    }
  }

  /**
   * Commit a job, isolating failures: an availability error retries what is not yet committed (a
   * committed part is never retried); a data error (by SQLSTATE class, see db-errors.ts) bisects the
   * batch down to the offending messages, which are dead-lettered (`db_rejected`) while the rest is
   * committed. Returns false only when the pipeline stopped first.
   */
  private async commitWithRetry(job: Job): Promise<boolean> {
    const pending = new Set(job.batch);
    const t0 = performance.now();
    const ok = await this.retrying(pending, async () => {
      await this.commitIsolating(job, job.batch.filter((e) => pending.has(e)), pending, t0);
      return true;
    });
    return ok === true;
  }

  /** Commit `envs`; on a data error split them in halves until the offending messages are found. */
  private async commitIsolating(job: Job, envs: Envelope[], pending: Set<Envelope>, t0: number): Promise<void> {
    if (envs.length === 0) return;
    try {
      await this.commitPart(job, this.preparedFor(job, envs), t0);
    } catch (e) {
      const f = classifyDbError(e);
      if (f.kind === 'availability') throw e;
      if (envs.length === 1) {
        this.o.log.warn({ code: f.code, err: f.message, source: envs[0]!.source }, 'database rejected a message; dead-lettered');
        await this.commitRejected(job, envs[0]!, f, t0);
      } else {
        const mid = envs.length >> 1;
        await this.commitIsolating(job, envs.slice(0, mid), pending, t0);
        await this.commitIsolating(job, envs.slice(mid), pending, t0);
        return;
      }
    }
    for (const env of envs) pending.delete(env);
  }

  /** Dead-letter a message the database refused (its readings' seqs count as handled). */
  private async commitRejected(job: Job, env: Envelope, f: DbFailure, t0: number): Promise<void> {
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
        await this.commitPart(job, this.prepareMerged([a], new Map()), t0, env);
        return;
      } catch (e) {
        const g = classifyDbError(e);
        if (g.kind === 'availability') throw e;
      }
    }
    // Not even a bare dead letter could be stored: log it, and let the message go rather than
    // block every station behind it.
    this.o.log.error({ source: safeSlice(env.source, 200), detail: safeSlice(detail, 300) }, 'message refused by the database and not dead-lettered; dropped');
    job.parts.push({ acked: [env], info: this.emptyCommit(env, t0) });
  }

  private emptyCommit(env: Envelope, t0: number): BatchCommitted {
    return { messages: 1, envelopes: [env], readings: [], flags: [], inserted: 0, duplicates: 0, conflicts: 0, letters: [], commitMs: performance.now() - t0, committedAt: Date.now(), oldestReceivedAt: env.receivedAt };
  }

  /**
   * Merge the batch and flag its readings (QC), once: QC windows advance here, and retries reuse
   * the flags (an availability retry commits exactly what the first attempt would have).
   */
  private async prepare(envs: Envelope[]): Promise<Prepared> {
    const merged = mergeReadings(sourcedReadings(envs));
    await this.o.qc.seed(this.o.db, merged.newest.map((i) => merged.readings[i]!)); // one reading per series
    const results = this.o.qc.evaluateBatch(merged.readings);
    return { envs, ...flag(merged, results) };
  }

  /** The prepared batch, or a part of it (bisection) merged again with the batch's flags. */
  private preparedFor(job: Job, envs: Envelope[]): Prepared {
    const full = job.prepared!;
    if (envs.length === full.envs.length) return full;
    const flags = new Map<Reading, QcResult>();
    const merged = mergeReadings(sourcedReadings(full.envs));
    for (let i = 0; i < merged.readings.length; i++) flags.set(merged.readings[i]!, full.results[i]!);
    return this.prepareMerged(envs, flags);
  }

  private prepareMerged(envs: Envelope[], flags: ReadonlyMap<Reading, QcResult>): Prepared {
    const merged = mergeReadings(sourcedReadings(envs));
    // a reading first seen in this part (a repeat in the whole batch) gets the gross range test only
    const results = merged.readings.map((r) => flags.get(r) ?? this.o.qc.rangeOnly(r));
    return { envs, ...flag(merged, results) };
  }

  /** Commit a prepared batch (or part) in one transaction; its acknowledgement waits for release. */
  private async commitPart(job: Job, p: Prepared, t0: number, original?: Envelope): Promise<void> {
    const { envs, flagged } = p;
    const letters = envs.flatMap((e) => e.letters);
    // in key order, like latest_readings: concurrent commits lock shared rows in the same order
    const statuses = mergeStatuses(envs.flatMap((e) => e.statuses ?? [])).sort((x, y) => (x.client < y.client ? -1 : x.client > y.client ? 1 : 0));
    const registry = mergeByVersion(envs.flatMap((e) => e.registry ?? []), (c) => c.station.id, (c) => c.version).sort((x, y) => (x.station.id < y.station.id ? -1 : x.station.id > y.station.id ? 1 : 0));
    const audits = envs.flatMap((e) => e.audits ?? []);
    // Coalesced latest values ride with one batch at a time (or with every batch when latestMs = 0).
    const carry = this.o.latestMs === 0 || (!this.latestBusy && Date.now() - this.latestWrittenAt >= this.o.latestMs);
    const own = p.newest.map((i) => flagged[i]!);
    // the batch's own newest values, with the pending ones of earlier batches when there are any
    const snapshot = carry && this.latestPending.size > 0 ? newestPerSeries(own, new Map(this.latestPending)) : null;
    const latest = carry ? (snapshot ? [...snapshot.values()] : own) : null;
    if (latest && this.o.latestMs > 0) this.latestBusy = true;
    let res: Awaited<ReturnType<typeof commitBatch>>;
    try {
      res = await commitBatch(this.o.db, flagged, letters, {
        statuses,
        registry,
        audits,
        conflicts: p.conflicts,
        sources: p.sources,
        worker: this.o.worker,
        latest,
      });
    } finally {
      if (latest && this.o.latestMs > 0) this.latestBusy = false;
    }
    if (latest) {
      // pending values written now are done; newer ones added meanwhile by other commits stay
      if (snapshot) for (const [k, r] of snapshot) if (this.latestPending.get(k) === r) this.latestPending.delete(k);
      this.latestWrittenAt = Date.now();
    } else {
      newestPerSeries(own, this.latestPending);
      this.scheduleLatest();
    }
    // Committed: from here on nothing may send these envelopes round the retry loop again (that
    // would acknowledge their messages twice); they are acknowledged when the job is released.
    const acked = original ? [original] : envs;
    job.parts.push({
      acked,
      info: {
        messages: acked.length,
        envelopes: original ? [{ ...original, readings: [], handled: envs[0]!.handled }] : envs,
        readings: flagged,
        flags: p.results,
        inserted: res.inserted,
        // every valid reading is stored, a duplicate (same value already stored) or a conflict
        duplicates: res.duplicates + p.repeats + p.conflicts.length - res.conflicts,
        conflicts: res.conflicts,
        letters,
        commitMs: performance.now() - t0,
        committedAt: Date.now(),
        oldestReceivedAt: acked[0]!.receivedAt,
      },
    });
  }

  /** Everything running now (the batching loop and the commits) has finished. */
  private settled(): Promise<unknown> {
    return Promise.all([this.loop, ...[...this.jobs].map((j) => j.done)]);
  }

  /**
   * Commit what is queued (bounded by `timeoutMs`; at once while the database is failing), then
   * stop; unacknowledged messages are redelivered later.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const until = () => new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref());
    this.draining = true;
    while ((this.queue.length > 0 || this.loop || this.jobs.size > 0) && Date.now() < deadline && !this.failure) {
      if (this.queue.length > 0) this.kick();
      await Promise.race([this.settled(), until()]);
    }
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.latestTimer) clearTimeout(this.latestTimer);
    for (const w of this.slotWaiters.splice(0)) w();
    // A commit waiting out its backoff gives up at its next attempt; do not wait for that.
    if (!this.failure) await Promise.race([this.settled(), until()]);
    if (!this.failure) await this.flushLatest().catch((e: unknown) => this.o.log.warn({ err: (e as Error).message }, 'could not write the last latest values'));
  }

  private latestTimer: NodeJS.Timeout | null = null;

  /** Write pending latest values when due even if no further batch comes. */
  private scheduleLatest(minWait = 0): void {
    if (this.latestTimer || this.latestPending.size === 0) return;
    const wait = Math.max(minWait, this.o.latestMs - (Date.now() - this.latestWrittenAt));
    this.latestTimer = setTimeout(() => {
      this.latestTimer = null;
      if (this.stopped || this.latestPending.size === 0) return;
      // a commit is running: it or the next one writes them
      if (this.jobs.size > 0 || this.latestBusy) return this.scheduleLatest(Math.max(10, this.o.latestMs / 4));
      this.flushLatest().catch((e: unknown) => {
        this.o.log.warn({ err: (e as Error).message }, 'latest values not written; retrying');
        this.scheduleLatest(Math.max(100, this.o.latestMs));
      });
    }, wait);
  }

  /** Write coalesced latest values now (one write at a time). */
  async flushLatest(): Promise<void> {
    if (this.latestPending.size === 0 || this.latestBusy) return;
    this.latestBusy = true;
    try {
      const rows = [...this.latestPending.entries()];
      await this.o.db.transaction((tx) => upsertLatest(tx, rows.map(([, r]) => r)));
      for (const [k, r] of rows) if (this.latestPending.get(k) === r) this.latestPending.delete(k);
      this.latestWrittenAt = Date.now();
    } finally {
      this.latestBusy = false;
    }
  }
}

/** The merged readings with their QC flags (new objects: the envelopes' readings stay as decoded). */
function flag(merged: MergedReadings, results: QcResult[]): Omit<Prepared, 'envs'> {
  const readings = merged.readings;
  const flagged = new Array<Reading>(readings.length);
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    flagged[i] = { station: r.station, metric: r.metric, value: r.value, ts: r.ts, quality: results[i]!.flag, seq: r.seq };
  }
  return { flagged, results, conflicts: merged.conflicts, sources: merged.sources, repeats: merged.repeats, newest: merged.newest };
}

function* sourcedReadings(envs: readonly Envelope[]): Generator<SourcedReading> {
  for (const e of envs) for (const reading of e.readings) yield { reading, source: e.source };
}
