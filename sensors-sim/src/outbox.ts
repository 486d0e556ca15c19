import { close, fdatasync, open } from 'node:fs';
import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { SimErrors } from './errors.js';
import { HeldStore } from './held-store.js';
import { FIXED, HEADER, parseAt, type ParsedRecord } from './record-format.js';
import { takeLock } from './outbox-lock.js';

/**
 * Disk-backed outbox: an append-only log of outgoing messages in segment files plus an ack
 * cursor. Every message is written to the log before it is sent; it leaves the outbox only when
 * it is confirmed: ack() (the broker's PUBACK, --confirm puback) or confirm() (ingest committed its
 * readings, the default; see delivery/commit-tracker.ts); requeue() sends one again. After a
 * broker outage, a network cut or a restart of the simulator, sending resumes at the oldest unacknowledged message, in log order, so no message
 * is lost and the order per station is kept (delivery is at-least-once: a message whose PUBACK
 * was lost is sent again; readings carry their sequence numbers so consumers can deduplicate).
 *
 * Layout of `dir`:
 *   seg-<first id, 16 digits>.log   records: u32 body length, u32 CRC-32 of body, body
 *   cursor.json                     { "ackedBelow": id }  (every id below is acknowledged)
 *   held-<key hex>.log              messages a gateway stores during an outage (same framing),
 *                                   moved into the log, in order, when it is back
 *   lock                            pid of the process using the outbox
 * Body: f64 id, u16 lane, u8 flags (bit 0 retain), u16 topic length, u32 meta length, topic,
 * meta, payload. A torn record at the end of the last segment (crash during a write) is cut off
 * on open; a bad record elsewhere is reported as SIM_OUTBOX_CORRUPT.
 *
 * Writes are batched: append() fills a buffer and flush() writes it with one write(2) (group
 * commit); the sender calls flush() before it asks next(), and next() only returns records that
 * are in the file, so a message is always on disk (in the page cache; on stable storage per the
 * fsync policy) before it is sent. Records appended by this process are also kept in a bounded
 * in-memory cache so sending them needs no read back; records from an earlier run (and any that
 * did not fit the cache) are read from the segment files.
 *
 * fsync policy: 'interval' (default) fdatasyncs at most once per `fsyncIntervalMs` (1 s): a
 * crash of the process loses nothing (the data is in the page cache), a power loss at most the
 * last second. 'always' fdatasyncs every batch before it can be sent; 'none' leaves it to the OS.
 */

export type FsyncPolicy = 'none' | 'interval' | 'always';

export interface OutboxOptions {
  /** Roll to a new segment file after this many bytes. */
  segmentBytes?: number;
  fsync?: FsyncPolicy;
  /** fsync period for the 'interval' policy, ms. */
  fsyncIntervalMs?: number;
}

export interface OutboxRecord {
  id: number;
  lane: number;
  topic: string;
  payload: Buffer | string;
  retain: boolean;
  /** Accounting of the readings inside (station:firstSeq:lastSeq;...), empty for other messages. */
  meta: string;
}

interface Segment {
  firstId: number;
  file: string;
  size: number;
}

interface Pos {
  seg: number;
  off: number;
  len: number;
}

const UNSENT = 0;
const INFLIGHT = 1;
const ACKED = 2;

/** A record appended by this process, kept in memory until acknowledged. */
interface Cached extends OutboxRecord {
  seg: Segment;
  off: number;
  size: number;
  state: number;
}

/** Upper bound of the in-memory cache (topic + payload + meta bytes). */
const CACHE_BYTES = 64 * 1024 * 1024;

const WRITE_BUF = 1 << 22;
const READ_CHUNK = 1 << 20;

const segName = (firstId: number) => `seg-${String(firstId).padStart(16, '0')}.log`;

export class Outbox {
  private segments: Segment[] = [];
  private wfd = -1;
  /**
   * Write arena: records are encoded at wlen; bytes [wstart, wlen) are not yet in the file. A
   * flushed arena is not reused (the cache sends payloads as views into it): a full arena is
   * replaced by a new one and freed once its records are acknowledged.
   */
  private wbuf = Buffer.allocUnsafe(WRITE_BUF);
  private wstart = 0;
  private wlen = 0;
  private nextId = 0;
  private ackedBelow = 0;
  private savedCursor = -1;
  // State of records read from disk (the cache keeps its own).
  private readonly acked = new Set<number>();
  private readonly inflight = new Map<number, number>();
  private readonly positions = new Map<number, Pos>();
  private inflightCount = 0;
  // cache of records appended by this process: ids [cacheLo, cacheLo + cache.length - cacheHead)
  private cache: Cached[] = [];
  private cacheHead = 0;
  private cacheLo = 0;
  private cacheBytes = 0;
  private cacheOpen = true;
  private readonly held: HeldStore;
  // reader
  private rseg = 0;
  private roff = 0;
  /** Id of the record at the reader position, -1 when unknown. */
  private rid = -1;
  private rfd = -1;
  private rfdSeg = -1;
  private rbuf: Buffer = Buffer.alloc(0);
  private rbufStart = 0;
  private lastSync = Date.now();
  private lastCursorSave = 0;
  private readonly segmentBytes: number;
  private readonly fsync: FsyncPolicy;
  private readonly fsyncIntervalMs: number;
  private closed = false;
  /** An 'interval' fdatasync is running in the thread pool. */
  private syncing = false;

  private constructor(
    readonly dir: string,
    opts: OutboxOptions,
    private readonly unlock: () => void,
  ) {
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    this.fsync = opts.fsync ?? 'interval';
    this.fsyncIntervalMs = opts.fsyncIntervalMs ?? 1000;
    this.held = new HeldStore(dir, this.fsync);
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
    const cursorFile = path.join(this.dir, 'cursor.json');
    if (existsSync(cursorFile)) {
      try {
        this.ackedBelow = Number((JSON.parse(readFileSync(cursorFile, 'utf8')) as { ackedBelow: number }).ackedBelow) || 0;
      } catch (e) {
        throw SimErrors.OUTBOX_CORRUPT(cursorFile, (e as Error).message);
      }
    }
    this.savedCursor = this.ackedBelow;
    const files = readdirSync(this.dir)
      .filter((f) => /^seg-\d{16}\.log$/.test(f))
      .sort();
    this.segments = files.map((f) => ({ firstId: Number(f.slice(4, 20)), file: path.join(this.dir, f), size: 0 }));
    // Scan every segment: validate records, find the last id, cut a torn tail.
    let lastId = this.ackedBelow - 1;
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const buf = readFileSync(seg.file);
      let off = 0;
      while (off < buf.length) {
        const rec = parseAt(buf, off);
        if (!rec) {
          if (i !== this.segments.length - 1) throw SimErrors.OUTBOX_CORRUPT(seg.file, `bad record at byte ${off}`);
          const fd = openSync(seg.file, 'r+');
          ftruncateSync(fd, off);
          closeSync(fd);
          break;
        }
        lastId = rec.id;
        off += rec.size;
      }
      seg.size = off;
    }
    this.nextId = Math.max(lastId + 1, this.ackedBelow);
    if (this.segments.length === 0 || this.last().size >= this.segmentBytes) this.newSegment();
    else this.wfd = openSync(this.last().file, 'a');
    this.dropAckedSegments();
    this.rewind();
    this.held.recover();
  }

  private last(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private newSegment(): void {
    if (this.wfd >= 0) {
      if (this.fsync !== 'none') fdatasyncSync(this.wfd);
      closeSync(this.wfd);
    }
    const file = path.join(this.dir, segName(this.nextId));
    this.wfd = openSync(file, 'a');
    this.segments.push({ firstId: this.nextId, file, size: fstatSync(this.wfd).size });
  }

  /** Append a message; returns its id. Buffered until flush() (called by the sender). */
  append(lane: number, topic: string, payload: Buffer | string, retain = false, meta = ''): number {
    return this.appendWith(lane, topic, meta, typeof payload === 'string' ? 3 * payload.length : payload.length, (b, o) => o + (typeof payload === 'string' ? b.write(payload, o, 'utf8') : payload.copy(b, o)), retain);
  }

  /**
   * Append a message whose payload `write(buf, off)` encodes in place (at most `maxPayload`
   * bytes; returns the end offset): no intermediate string or buffer.
   */
  appendWith(lane: number, topic: string, meta: string, maxPayload: number, write: (buf: Buffer, off: number) => number, retain = false): number {
    if (this.closed) throw new Error('outbox closed');
    const id = this.nextId++;
    // Room for the worst case (3 UTF-8 bytes per UTF-16 unit); the real lengths come from the writes.
    const bound = HEADER + FIXED + 3 * (topic.length + meta.length) + maxPayload;
    if (this.wlen + bound > this.wbuf.length) {
      this.flushBuffer();
      this.wbuf = Buffer.allocUnsafe(Math.max(WRITE_BUF, bound));
      this.wstart = 0;
      this.wlen = 0;
    }
    const b = this.wbuf;
    const start = this.wlen + HEADER;
    let o = start + FIXED;
    const tlen = b.write(topic, o, 'utf8');
    o += tlen;
    const mlen = meta.length ? b.write(meta, o, 'utf8') : 0;
    o += mlen;
    const payloadStart = o;
    o = write(b, o);
    b.writeDoubleLE(id, start);
    b.writeUInt16LE(lane, start + 8);
    b.writeUInt8(retain ? 1 : 0, start + 10);
    b.writeUInt16LE(tlen, start + 11);
    b.writeUInt32LE(mlen, start + 13);
    const body = o - start;
    const total = HEADER + body;
    b.writeUInt32LE(body, this.wlen);
    b.writeUInt32LE(crc32(b.subarray(start, o)), this.wlen + 4);
    const seg = this.last();
    const off = seg.size + this.wlen - this.wstart;
    this.wlen = o;
    // Keep it in memory (contiguous ids only; when the cache is full, later records are read back from disk).
    const n = this.cache.length - this.cacheHead;
    if (n === 0) {
      this.cache = [];
      this.cacheHead = 0;
      this.cacheLo = id;
      this.cacheBytes = 0;
      this.cacheOpen = true;
    }
    if (this.cacheOpen && this.cacheLo + n === id) {
      // The payload is sent as a view of the arena (off the JS heap: the string can die young).
      this.cache.push({ id, lane, topic, payload: b.subarray(payloadStart, o), retain, meta, seg, off, size: total, state: UNSENT });
      this.cacheBytes += total;
      if (this.cacheBytes > CACHE_BYTES) this.cacheOpen = false;
    } else this.cacheOpen = false;
    return id;
  }

  private cached(id: number): Cached | undefined {
    const i = id - this.cacheLo;
    return i >= 0 ? this.cache[this.cacheHead + i] : undefined;
  }

  /**
   * Hold a message under `key` (a gateway in an outage): it is written to the key's held file
   * (with the next flush) but not sent; release(key) moves the held messages into the log.
   */
  hold(key: string, lane: number, topic: string, payload: string, meta = ''): void {
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
  releaseHeld(key: string, each?: (rec: { lane: number; topic: string; payload: string; meta: string }) => void): number {
    const recs = this.held.read(key);
    if (!recs) return 0;
    for (const rec of recs) {
      const payload = rec.payload.toString('utf8');
      this.append(rec.lane, rec.topic, payload, rec.retain, rec.meta);
      each?.({ lane: rec.lane, topic: rec.topic, payload, meta: rec.meta });
    }
    this.flushBuffer();
    if (this.fsync !== 'none') fdatasyncSync(this.wfd);
    this.held.remove(key);
    return recs.length;
  }

  private flushBuffer(): void {
    if (this.wlen === this.wstart) return;
    let done = 0;
    const n = this.wlen - this.wstart;
    while (done < n) done += writeSync(this.wfd, this.wbuf, this.wstart + done, n - done);
    this.last().size += n;
    this.wstart = this.wlen;
    if (this.fsync === 'always') fdatasyncSync(this.wfd);
    if (this.last().size >= this.segmentBytes) this.newSegment();
  }

  /** Write buffered records to disk (and fsync per policy); persist the ack cursor. */
  flush(): void {
    if (this.closed) return;
    this.flushBuffer();
    this.held.flush();
    const now = Date.now();
    if (this.fsync === 'interval' && now - this.lastSync >= this.fsyncIntervalMs && !this.syncing) {
      // Off the event loop (the thread pool), through its own descriptor of the segment file
      // (fdatasync flushes the file, whichever descriptor asks): the data written so far reaches
      // stable storage just as with a blocking call, without stalling sending for the disk.
      // Still at most once per interval; segment rolls and close() sync synchronously.
      this.syncing = true;
      this.lastSync = now;
      const files = [this.last().file, ...this.held.files()];
      let left = files.length;
      const one = () => {
        if (--left === 0) this.syncing = false;
      };
      for (const file of files) {
        open(file, 'r', (err, fd) => {
          if (err) return one();
          fdatasync(fd, () => close(fd, one));
        });
      }
    }
    if (now - this.lastCursorSave >= 100) this.saveCursor();
  }

  /** Messages appended but not yet acknowledged. */
  get backlog(): number {
    return this.nextId - this.ackedBelow - this.acked.size - this.cachedAcked;
  }
  private cachedAcked = 0;

  get inFlight(): number {
    return this.inflightCount;
  }

  /** Messages appended and not yet sent (nor acknowledged). */
  get unsent(): number {
    return this.backlog - this.inflightCount;
  }

  /** Every id below this one is acknowledged. */
  get cursor(): number {
    return this.ackedBelow;
  }

  get lastId(): number {
    return this.nextId - 1;
  }

  /**
   * Next message to send, in log order, skipping acknowledged and in-flight ones; null when
   * there is none (flushed) or when the next one belongs to a lane that cannot send now
   * (head-of-line: per-station order is never broken).
   */
  next(canSend: (lane: number) => boolean): OutboxRecord | null {
    for (;;) {
      const seg = this.segments[this.rseg];
      if (!seg) return null;
      if (this.roff >= seg.size) {
        if (this.rseg === this.segments.length - 1) return null;
        this.rseg++;
        this.roff = 0;
        continue;
      }
      const c = this.rid >= 0 ? this.cached(this.rid) : undefined;
      if (c && c.seg === seg && c.off === this.roff) {
        if (c.state !== UNSENT) {
          this.roff += c.size;
          this.rid++;
          continue;
        }
        if (!canSend(c.lane)) return null;
        c.state = INFLIGHT;
        this.inflightCount++;
        this.roff += c.size;
        this.rid++;
        return c;
      }
      const rec = this.readAt(this.rseg, this.roff);
      if (!rec) throw SimErrors.OUTBOX_CORRUPT(seg.file, `bad record at byte ${this.roff}`);
      const rc = this.cached(rec.id);
      if (rc && rc.seg === seg && rc.off === this.roff) {
        this.rid = rec.id;
        continue; // served from the cache
      }
      if (rec.id < this.ackedBelow || this.acked.has(rec.id) || this.inflight.has(rec.id)) {
        this.roff += rec.size;
        this.rid = rec.id + 1;
        continue;
      }
      if (!canSend(rec.lane)) return null;
      this.positions.set(rec.id, { seg: this.rseg, off: this.roff, len: rec.size });
      this.inflight.set(rec.id, rec.lane);
      this.inflightCount++;
      this.roff += rec.size;
      this.rid = rec.id + 1;
      return { id: rec.id, lane: rec.lane, topic: rec.topic, payload: rec.payload, retain: rec.retain, meta: rec.meta };
    }
  }

  private readAt(seg: number, off: number): ParsedRecord | null {
    const rel = off - this.rbufStart;
    if (this.rfdSeg === seg && rel >= 0 && rel + HEADER <= this.rbuf.length) {
      const body = this.rbuf.readUInt32LE(rel);
      if (rel + HEADER + body <= this.rbuf.length) return parseAt(this.rbuf, rel);
    }
    if (this.rfdSeg !== seg) {
      if (this.rfd >= 0) closeSync(this.rfd);
      this.rfd = openSync(this.segments[seg]!.file, 'r');
      this.rfdSeg = seg;
    }
    const avail = this.segments[seg]!.size - off;
    let want = Math.min(Math.max(READ_CHUNK, HEADER), avail);
    let buf = Buffer.allocUnsafe(want);
    let n = readSync(this.rfd, buf, 0, want, off);
    if (n >= HEADER) {
      const body = buf.readUInt32LE(0);
      if (HEADER + body > n && HEADER + body <= avail) {
        want = HEADER + body;
        buf = Buffer.allocUnsafe(want);
        n = readSync(this.rfd, buf, 0, want, off);
      }
    }
    this.rbuf = buf.subarray(0, n);
    this.rbufStart = off;
    return parseAt(this.rbuf, 0);
  }

  /** The broker acknowledged message `id`. Returns false for an id that was not in flight. */
  ack(id: number): boolean {
    if (id < this.ackedBelow) return false;
    const c = this.cached(id);
    if (c) {
      if (c.state !== INFLIGHT) return false;
      c.state = ACKED;
      this.cachedAcked++;
    } else {
      if (!this.inflight.delete(id)) return false;
      this.acked.add(id);
    }
    this.inflightCount--;
    for (;;) {
      const h = this.cached(this.ackedBelow);
      if (h) {
        if (h.state !== ACKED) break;
        this.cachedAcked--;
        this.cacheHead++;
        this.cacheLo++;
        this.cacheBytes -= h.size;
        if (this.cacheHead > 4096 && this.cacheHead * 2 > this.cache.length) {
          this.cache = this.cache.slice(this.cacheHead);
          this.cacheHead = 0;
        }
      } else if (this.acked.delete(this.ackedBelow)) this.positions.delete(this.ackedBelow);
      else break;
      this.ackedBelow++;
    }
    return true;
  }

  /**
   * The platform confirmed message `id` (end-to-end: committed): it leaves the outbox whether it
   * is in flight or was returned to the unsent ones by a reconnect. Returns false when it already
   * left (or never existed).
   */
  confirm(id: number): boolean {
    if (id < this.ackedBelow || id >= this.nextId) return false;
    const c = this.cached(id);
    if (c) {
      if (c.state === ACKED) return false;
      if (c.state === UNSENT) {
        c.state = INFLIGHT;
        this.inflightCount++;
      }
      return this.ack(id);
    }
    if (this.acked.has(id)) return false;
    if (!this.inflight.has(id)) {
      this.inflight.set(id, -1);
      this.inflightCount++;
    }
    return this.ack(id);
  }

  /** Message `id` (in flight) is to be sent again (its confirmation did not come in time). */
  requeue(id: number): boolean {
    const c = this.cached(id);
    if (c) {
      if (c.state !== INFLIGHT) return false;
      c.state = UNSENT;
    } else if (!this.inflight.delete(id)) return false;
    this.inflightCount--;
    this.rewindTo(c ? { seg: this.segments.indexOf(c.seg), off: c.off, len: c.size } : this.positions.get(id), id);
    return true;
  }

  /** A lane lost its connection: its in-flight messages are unsent again; reading restarts at the oldest unacknowledged message. */
  release(lane?: number): number {
    let n = 0;
    for (const [id, l] of this.inflight) {
      if (lane === undefined || l === lane) {
        this.inflight.delete(id);
        n++;
      }
    }
    for (let i = this.cacheHead; i < this.cache.length; i++) {
      const c = this.cache[i]!;
      if (c.state === INFLIGHT && (lane === undefined || c.lane === lane)) {
        c.state = UNSENT;
        n++;
      }
    }
    this.inflightCount -= n;
    this.rewind();
    return n;
  }

  /** Move the reader back to record `id` at `p` if it is behind the reader. */
  private rewindTo(p: Pos | undefined, id: number): boolean {
    if (!p || p.seg < 0) return false;
    if (p.seg < this.rseg || (p.seg === this.rseg && p.off < this.roff)) {
      this.rseg = p.seg;
      this.roff = p.off;
      this.rid = id;
    }
    return true;
  }

  private rewind(): void {
    const c = this.cached(this.ackedBelow);
    const p: Pos | undefined = c ? { seg: this.segments.indexOf(c.seg), off: c.off, len: c.size } : this.positions.get(this.ackedBelow);
    if (this.rewindTo(p, this.ackedBelow)) return;
    if (this.positions.size > 0 || this.inflightCount > 0) return;
    // Fresh start: find the segment holding ackedBelow and scan from its start (skips acked ids).
    let s = 0;
    for (let i = 0; i < this.segments.length; i++) if (this.segments[i]!.firstId <= this.ackedBelow) s = i;
    this.rseg = s;
    this.roff = 0;
    this.rid = -1;
  }

  private saveCursor(): void {
    if (this.savedCursor === this.ackedBelow) return;
    const file = path.join(this.dir, 'cursor.json');
    writeFileSync(`${file}.tmp`, JSON.stringify({ ackedBelow: this.ackedBelow }));
    renameSync(`${file}.tmp`, file);
    this.savedCursor = this.ackedBelow;
    this.lastCursorSave = Date.now();
    this.dropAckedSegments();
  }

  /** Delete segments whose every record is acknowledged (never the one being written). */
  private dropAckedSegments(): void {
    while (this.segments.length > 1 && this.segments[1]!.firstId <= this.savedCursor) {
      const seg = this.segments.shift()!;
      if (this.rfdSeg === 0) {
        closeSync(this.rfd);
        this.rfd = -1;
        this.rfdSeg = -1;
      } else if (this.rfdSeg > 0) this.rfdSeg--;
      if (this.rseg === 0) {
        this.roff = 0;
        this.rid = -1;
      } else this.rseg--;
      for (const p of this.positions.values()) p.seg--;
      try {
        unlinkSync(seg.file);
      } catch {
        /* already gone */
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.flushBuffer();
    this.held.close();
    if (this.fsync !== 'none') fdatasyncSync(this.wfd);
    this.saveCursor();
    this.closed = true;
    closeSync(this.wfd);
    if (this.rfd >= 0) closeSync(this.rfd);
    this.unlock();
  }
}
