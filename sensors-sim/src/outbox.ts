import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { SimErrors } from './errors.js';

/**
 * Disk-backed outbox: an append-only log of outgoing messages in segment files plus an ack
 * cursor. Every message is written to the log before it is sent; it leaves the outbox only when
 * the broker acknowledged it (PUBACK). After a broker outage, a network cut or a restart of the
 * simulator, sending resumes at the oldest unacknowledged message, in log order, so no message
 * is lost and the order per station is kept (delivery is at-least-once: a message whose PUBACK
 * was lost is sent again; readings carry their sequence numbers so consumers can deduplicate).
 *
 * Layout of `dir`:
 *   seg-<first id, 16 digits>.log   records: u32 body length, u32 CRC-32 of body, body
 *   cursor.json                     { "ackedBelow": id }  (every id below is acknowledged)
 *   lock                            pid of the process using the outbox
 * Body: f64 id, u16 lane, u8 flags (bit 0 retain), u16 topic length, u32 meta length, topic,
 * meta, payload. A torn record at the end of the last segment (crash during a write) is cut off
 * on open; a bad record elsewhere is reported as SIM_OUTBOX_CORRUPT.
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
  payload: Buffer;
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

const HEADER = 8;
const FIXED = 8 + 2 + 1 + 2 + 4;
const WRITE_BUF = 1 << 22;
const READ_CHUNK = 1 << 20;

const segName = (firstId: number) => `seg-${String(firstId).padStart(16, '0')}.log`;

export class Outbox {
  private segments: Segment[] = [];
  private wfd = -1;
  private wbuf = Buffer.allocUnsafe(WRITE_BUF);
  private wlen = 0;
  private nextId = 0;
  private ackedBelow = 0;
  private savedCursor = -1;
  private readonly acked = new Set<number>();
  private readonly inflight = new Map<number, number>();
  private readonly positions = new Map<number, Pos>();
  // reader
  private rseg = 0;
  private roff = 0;
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

  private constructor(
    readonly dir: string,
    opts: OutboxOptions,
  ) {
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    this.fsync = opts.fsync ?? 'interval';
    this.fsyncIntervalMs = opts.fsyncIntervalMs ?? 1000;
  }

  /** Open (or create) the outbox in `dir` and recover its state. */
  static open(dir: string, opts: OutboxOptions = {}): Outbox {
    mkdirSync(dir, { recursive: true });
    const lock = path.join(dir, 'lock');
    if (existsSync(lock)) {
      const pid = Number(readFileSync(lock, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) throw SimErrors.OUTBOX_LOCKED(dir, pid);
    }
    writeFileSync(lock, String(process.pid));
    const ob = new Outbox(dir, opts);
    ob.recover();
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
    if (this.closed) throw new Error('outbox closed');
    const id = this.nextId++;
    const tlen = Buffer.byteLength(topic);
    const mlen = Buffer.byteLength(meta);
    const plen = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    const body = FIXED + tlen + mlen + plen;
    const total = HEADER + body;
    if (this.wlen + total > this.wbuf.length) {
      this.flushBuffer();
      if (total > this.wbuf.length) this.wbuf = Buffer.allocUnsafe(total);
    }
    const b = this.wbuf;
    let o = this.wlen + HEADER;
    const start = o;
    b.writeDoubleLE(id, o);
    o += 8;
    b.writeUInt16LE(lane, o);
    o += 2;
    b.writeUInt8(retain ? 1 : 0, o);
    o += 1;
    b.writeUInt16LE(tlen, o);
    o += 2;
    b.writeUInt32LE(mlen, o);
    o += 4;
    o += b.write(topic, o, 'utf8');
    if (mlen) o += b.write(meta, o, 'utf8');
    if (typeof payload === 'string') o += b.write(payload, o, 'utf8');
    else o += payload.copy(b, o);
    b.writeUInt32LE(body, this.wlen);
    b.writeUInt32LE(crc32(b.subarray(start, o)), this.wlen + 4);
    this.wlen = o;
    return id;
  }

  private flushBuffer(): void {
    if (this.wlen === 0) return;
    let done = 0;
    while (done < this.wlen) done += writeSync(this.wfd, this.wbuf, done, this.wlen - done);
    this.last().size += this.wlen;
    this.wlen = 0;
    if (this.fsync === 'always') fdatasyncSync(this.wfd);
    if (this.last().size >= this.segmentBytes) this.newSegment();
  }

  /** Write buffered records to disk (and fsync per policy); persist the ack cursor. */
  flush(): void {
    if (this.closed) return;
    this.flushBuffer();
    const now = Date.now();
    if (this.fsync === 'interval' && now - this.lastSync >= this.fsyncIntervalMs) {
      fdatasyncSync(this.wfd);
      this.lastSync = now;
    }
    if (now - this.lastCursorSave >= 100) this.saveCursor();
  }

  /** Messages appended but not yet acknowledged. */
  get backlog(): number {
    return this.nextId - this.ackedBelow - this.acked.size;
  }

  get inFlight(): number {
    return this.inflight.size;
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
      const rec = this.readAt(this.rseg, this.roff);
      if (!rec) throw SimErrors.OUTBOX_CORRUPT(seg.file, `bad record at byte ${this.roff}`);
      if (rec.id < this.ackedBelow || this.acked.has(rec.id) || this.inflight.has(rec.id)) {
        this.roff += rec.size;
        continue;
      }
      if (!canSend(rec.lane)) return null;
      this.positions.set(rec.id, { seg: this.rseg, off: this.roff, len: rec.size });
      this.inflight.set(rec.id, rec.lane);
      this.roff += rec.size;
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
    if (!this.inflight.delete(id)) return false;
    if (id < this.ackedBelow) return false;
    this.acked.add(id);
    while (this.acked.delete(this.ackedBelow)) {
      this.positions.delete(this.ackedBelow);
      this.ackedBelow++;
    }
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
    this.rewind();
    return n;
  }

  private rewind(): void {
    const p = this.positions.get(this.ackedBelow);
    if (p) {
      if (p.seg < this.rseg || (p.seg === this.rseg && p.off < this.roff)) {
        this.rseg = p.seg;
        this.roff = p.off;
      }
      return;
    }
    if (this.positions.size > 0 || this.inflight.size > 0) return;
    // Fresh start: find the segment holding ackedBelow and scan from its start (skips acked ids).
    let s = 0;
    for (let i = 0; i < this.segments.length; i++) if (this.segments[i]!.firstId <= this.ackedBelow) s = i;
    this.rseg = s;
    this.roff = 0;
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
      if (this.rseg === 0) this.roff = 0;
      else this.rseg--;
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
    if (this.fsync !== 'none') fdatasyncSync(this.wfd);
    this.saveCursor();
    this.closed = true;
    closeSync(this.wfd);
    if (this.rfd >= 0) closeSync(this.rfd);
    rmSync(path.join(this.dir, 'lock'), { force: true });
  }
}

interface ParsedRecord {
  id: number;
  lane: number;
  retain: boolean;
  topic: string;
  meta: string;
  payload: Buffer;
  size: number;
}

function parseAt(buf: Buffer, off: number): ParsedRecord | null {
  if (off + HEADER > buf.length) return null;
  const body = buf.readUInt32LE(off);
  if (body < FIXED || off + HEADER + body > buf.length) return null;
  const s = off + HEADER;
  const e = s + body;
  if (crc32(buf.subarray(s, e)) !== buf.readUInt32LE(off + 4)) return null;
  const id = buf.readDoubleLE(s);
  const lane = buf.readUInt16LE(s + 8);
  const retain = (buf.readUInt8(s + 10) & 1) === 1;
  const tlen = buf.readUInt16LE(s + 11);
  const mlen = buf.readUInt32LE(s + 13);
  const t0 = s + FIXED;
  if (t0 + tlen + mlen > e) return null;
  return {
    id,
    lane,
    retain,
    topic: buf.toString('utf8', t0, t0 + tlen),
    meta: mlen ? buf.toString('utf8', t0 + tlen, t0 + tlen + mlen) : '',
    payload: buf.subarray(t0 + tlen + mlen, e),
    size: HEADER + body,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
