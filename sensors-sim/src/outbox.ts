import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SimErrors } from './errors.js';
import { ACKED, DeliveryTable, UNSENT, type DeliveryState, type Tracked } from './outbox/delivery-table.js';
import { HeldStore } from './outbox/held-store.js';
import { takeLock } from './outbox/lock.js';
import { SegmentLog, type FsyncPolicy, type Placed, type Segment } from './outbox/segment-log.js';

export type { FsyncPolicy } from './outbox/segment-log.js';

/**
 * Disk-backed outbox: every outgoing message is written to the segment log
 * (outbox/segment-log.ts) before it is sent and leaves the outbox only when it is confirmed:
 * ack() (the broker's PUBACK, --confirm puback) or confirm() (ingest committed its readings, the
 * default; see delivery/commit-tracker.ts); requeue() sends one again. After a broker outage, a
 * network cut or a restart, sending resumes at the oldest unacknowledged message, in log order, so
 * no message is lost and the order per station is kept (at-least-once: readings carry sequence
 * numbers so consumers deduplicate).
 *
 * Layout of `dir`:
 *   seg-<first id, 16 digits>.log   the log (record framing: outbox/record-format.ts)
 *   cursor.json                     { "ackedBelow": id }  (every id below is acknowledged)
 *   held-<key hex>.log              messages a gateway stores during an outage (outbox/held-store.ts)
 *   lock                            pid of the process using the outbox (outbox/lock.ts)
 *
 * One representation per record, whoever wrote it: an Entry with its delivery state
 * (outbox/delivery.ts) and its place in the log. Its topic, meta and payload are in memory from
 * append() (the payload as a view of the log's write arena) or once read back from the log (a
 * record of an earlier run, or appended while more than CACHE_BYTES were held); next() only returns
 * records that are in the file, so a message is always written before it is sent.
 */

export interface OutboxOptions {
  /** Roll to a new segment file after this many bytes. */
  segmentBytes?: number;
  fsync?: FsyncPolicy;
  /** fsync period for the 'interval' policy, ms. */
  fsyncIntervalMs?: number;
}

export interface OutboxRecord {
  readonly id: number;
  readonly lane: number;
  readonly topic: string;
  readonly payload: Buffer | string;
  readonly retain: boolean;
  /** Accounting of the readings inside (station:firstSeq:lastSeq;...), empty for other messages. */
  readonly meta: string;
}

/** One record of the outbox. `payload` is null while its content is only in the log. */
interface Entry extends Tracked, Placed {
  topic: string;
  meta: string;
  retain: boolean;
  payload: Buffer | string | null;
}

/** Upper bound of the record contents kept in memory. */
const CACHE_BYTES = 64 * 1024 * 1024;

const Cursor = z.object({ ackedBelow: z.number().int().min(0) });

export class Outbox {
  private readonly log: SegmentLog;
  private readonly held: HeldStore;
  private table!: DeliveryTable<Entry>;
  /** Ids below this one are in the log file (flushed), so they may be sent. */
  private flushedBelow = 0;
  private cachedBytes = 0;
  private savedCursor = -1;
  private lastCursorSave = 0;
  private closed = false;

  private constructor(
    readonly dir: string,
    opts: OutboxOptions,
    private readonly unlock: () => void,
  ) {
    const fsync = opts.fsync ?? 'interval';
    this.log = new SegmentLog(dir, opts.segmentBytes ?? 64 * 1024 * 1024, fsync, opts.fsyncIntervalMs ?? 1000);
    this.held = new HeldStore(dir, fsync);
  }

  /** Open (or create) the outbox in `dir` and recover its state. */
  static open(dir: string, opts: OutboxOptions = {}): Outbox {
    mkdirSync(dir, { recursive: true });
    const unlock = takeLock(dir);
    const ob = new Outbox(dir, opts, unlock);
    try {
      ob.recover();
    } catch (e) {
      unlock();
      throw e;
    }
    return ob;
  }

  /** Delete an outbox directory (for --reset-outbox). */
  static destroy(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }

  private recover(): void {
    const ackedBelow = this.readCursor();
    this.savedCursor = ackedBelow;
    this.table = new DeliveryTable<Entry>(ackedBelow, (e) => this.left(e));
    this.log.recover(
      () => this.table.end,
      (rec, seg, off) => {
        if (rec.id < this.table.end) return;
        // A gap (never expected: ids are written in order) counts as acknowledged.
        for (let id = this.table.end; id < rec.id; id++) this.table.add(entry(id, 0, ACKED, '', '', false, null, null, 0, 0));
        this.table.add(entry(rec.id, rec.lane, UNSENT, '', '', rec.retain, null, seg, off, rec.size));
      },
    );
    this.flushedBelow = this.table.end;
    this.log.dropBelow(this.savedCursor);
    this.held.recover();
  }

  private readCursor(): number {
    const file = path.join(this.dir, 'cursor.json');
    if (!existsSync(file)) return 0;
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw SimErrors.OUTBOX_CORRUPT(file, `not JSON: ${(e as Error).message}`);
    }
    const r = Cursor.safeParse(doc);
    if (!r.success) throw SimErrors.OUTBOX_CORRUPT(file, r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    return r.data.ackedBelow;
  }

  /** Append a message; returns its id. Buffered until flush() (called by the sender). */
  append(lane: number, topic: string, payload: Buffer | string, retain = false, meta = ''): number {
    const max = typeof payload === 'string' ? 3 * payload.length : payload.length;
    return this.appendWith(lane, topic, meta, max, (b, o) => o + (typeof payload === 'string' ? b.write(payload, o, 'utf8') : payload.copy(b, o)), retain);
  }

  /**
   * Append a message whose payload `write(buf, off)` encodes in place (at most `maxPayload`
   * bytes; returns the end offset): no intermediate string or buffer.
   */
  appendWith(lane: number, topic: string, meta: string, maxPayload: number, write: (buf: Buffer, off: number) => number, retain = false): number {
    if (this.closed) throw new Error('outbox closed');
    const id = this.table.end;
    const e = entry(id, lane, UNSENT, topic, meta, retain, null, null, 0, 0);
    const payload = this.log.append(e, id, lane, retain, topic, meta, maxPayload, write);
    // Kept in memory while there is room (a view of the arena: off the JS heap).
    if (this.cachedBytes + e.size <= CACHE_BYTES) {
      e.payload = payload;
      this.cachedBytes += e.size;
    }
    this.table.add(e);
    return id;
  }

  /** An entry left the table (acknowledged): its content is no longer held. */
  private left(e: Entry): void {
    if (e.payload !== null) this.cachedBytes -= e.size;
  }

  /**
   * Hold a message under `key` (a gateway in an outage): it is written to the key's held file
   * (with the next flush) but not sent; releaseHeld(key) moves the held messages into the log.
   */
  hold(key: string, lane: number, topic: string, payload: Buffer | string, meta = ''): void {
    if (this.closed) throw new Error('outbox closed');
    this.held.hold(key, lane, topic, payload, meta);
  }

  /** Keys with held messages and how many each holds. */
  heldCounts(): Map<string, number> {
    return this.held.counts();
  }

  /**
   * Move the messages held under `key` into the log (in the order they were held, before
   * anything appended later) and delete the held file. A crash between the two steps sends
   * them twice (at-least-once), never loses them.
   */
  releaseHeld(key: string, each?: (rec: { lane: number; topic: string; meta: string }) => void): number {
    const recs = this.held.read(key);
    if (!recs) return 0;
    for (const rec of recs) {
      this.append(rec.lane, rec.topic, rec.payload, rec.retain, rec.meta);
      each?.(rec);
    }
    this.writeLog();
    this.log.sync();
    this.held.remove(key);
    return recs.length;
  }

  private writeLog(): void {
    this.log.flush(this.table.end);
    this.flushedBelow = this.table.end;
  }

  /** Write buffered records to disk (and fsync per policy); persist the ack cursor. */
  flush(): void {
    if (this.closed) return;
    this.writeLog();
    this.held.flush();
    const now = Date.now();
    this.log.syncInBackground(now, this.held.files());
    if (now - this.lastCursorSave >= 100) this.saveCursor();
  }

  /** Messages appended but not yet acknowledged. */
  get backlog(): number {
    return this.table.backlog;
  }

  get inFlight(): number {
    return this.table.inFlight;
  }

  /** Messages appended and not yet sent (nor acknowledged). */
  get unsent(): number {
    return this.table.unsent;
  }

  /** Every id below this one is acknowledged. */
  get cursor(): number {
    return this.table.ackedBelow;
  }

  get lastId(): number {
    return this.table.end - 1;
  }

  /**
   * Next message to send, in log order, skipping acknowledged and in-flight ones; null when
   * there is none (written to the file) or when the next one belongs to a lane that cannot send
   * now (head-of-line: per-station order is never broken).
   */
  next(canSend: (lane: number) => boolean): OutboxRecord | null {
    const e = this.table.next(this.flushedBelow, canSend);
    if (e && e.payload === null) this.load(e);
    return e as OutboxRecord | null;
  }

  /** Read a record's content back from the log. */
  private load(e: Entry): void {
    const rec = this.log.read(e.seg!, e.off);
    if (rec.id !== e.id) throw SimErrors.OUTBOX_CORRUPT(e.seg!.file, `record ${rec.id} where ${e.id} was expected`);
    e.topic = rec.topic;
    e.meta = rec.meta;
    // A copy: the read buffer is reused.
    e.payload = Buffer.from(rec.payload);
    this.cachedBytes += e.size;
  }

  /** The broker acknowledged message `id`. Returns false for an id that was not in flight. */
  ack(id: number): boolean {
    return this.table.ack(id);
  }

  /**
   * The platform confirmed message `id` (end-to-end: committed): it leaves the outbox whether it
   * is in flight or was returned to the unsent ones by a reconnect. Returns false when it already
   * left (or never existed).
   */
  confirm(id: number): boolean {
    return this.table.confirm(id);
  }

  /** Message `id` (in flight) is to be sent again (its confirmation did not come in time). */
  requeue(id: number): boolean {
    return this.table.requeue(id);
  }

  /** A lane lost its connection: its in-flight messages are unsent again; sending restarts at the oldest unacknowledged message. */
  release(lane?: number): number {
    return this.table.release(lane);
  }

  private saveCursor(): void {
    const cursor = this.table.ackedBelow;
    if (this.savedCursor === cursor) return;
    const file = path.join(this.dir, 'cursor.json');
    writeFileSync(`${file}.tmp`, JSON.stringify({ ackedBelow: cursor }));
    renameSync(`${file}.tmp`, file);
    this.savedCursor = cursor;
    this.lastCursorSave = Date.now();
    // Segments whose every record is acknowledged (per the saved cursor) are deleted.
    this.log.dropBelow(cursor);
  }

  close(): void {
    if (this.closed) return;
    this.writeLog();
    this.held.close();
    this.log.close();
    this.saveCursor();
    this.closed = true;
    this.unlock();
  }
}

function entry(id: number, lane: number, state: DeliveryState, topic: string, meta: string, retain: boolean, payload: Buffer | string | null, seg: Segment | null, off: number, size: number): Entry {
  return { id, lane, state, topic, meta, retain, payload, seg, off, size };
}
