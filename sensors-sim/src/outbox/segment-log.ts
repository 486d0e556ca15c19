import { close, closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, open, openSync, readdirSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { SimErrors } from '../errors.js';
import { FIXED, HEADER, parseAt, type ParsedRecord } from './record-format.js';

/**
 * The outbox's segment log: an append-only sequence of files `seg-<first id, 16 digits>.log`
 * holding framed records (record-format.ts). It knows files, offsets and the fsync policy, not
 * which records were sent or acknowledged (that is delivery-table.ts).
 *
 * Writes are batched: append() encodes a record into a write arena and flush() writes the arena's
 * new bytes with one write(2) (group commit). A flushed arena is not reused: payloads are handed
 * out as views into it, so a full arena is replaced and freed once nothing refers to it.
 *
 * fsync policy: 'interval' (default) fdatasyncs at most once per interval, in the thread pool;
 * 'always' fdatasyncs every flush; 'none' leaves it to the OS.
 */

export type FsyncPolicy = 'none' | 'interval' | 'always';

export interface Segment {
  readonly firstId: number;
  readonly file: string;
  /** Bytes in the file (flushed). */
  size: number;
}

/** Where a record lives in the log; filled in by append(). */
export interface Placed {
  seg: Segment | null;
  off: number;
  size: number;
}

const WRITE_BUF = 1 << 22;
const READ_CHUNK = 1 << 20;

const segName = (firstId: number) => `seg-${String(firstId).padStart(16, '0')}.log`;

export class SegmentLog {
  private segments: Segment[] = [];
  private wfd = -1;
  /** Write arena: records are encoded at wlen; bytes [wstart, wlen) are not yet in the file. */
  private wbuf = Buffer.allocUnsafe(WRITE_BUF);
  private wstart = 0;
  private wlen = 0;
  private rfd = -1;
  private rseg: Segment | null = null;
  private rbuf: Buffer = Buffer.alloc(0);
  private rbufStart = 0;
  private lastSync = Date.now();
  /** An 'interval' fdatasync is running in the thread pool. */
  private syncing = false;

  constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    readonly fsync: FsyncPolicy,
    private readonly fsyncIntervalMs: number,
  ) {}

  /**
   * Scan every segment (validating the CRCs), call `each` for every record, cut a torn record at
   * the end of the last segment (crash during a write) and open the log for writing. A bad record
   * elsewhere is SIM_OUTBOX_CORRUPT. `nextId` names the segment file created when there is none.
   */
  recover(nextId: () => number, each: (rec: ParsedRecord, seg: Segment, off: number) => void): void {
    const files = readdirSync(this.dir)
      .filter((f) => /^seg-\d{16}\.log$/.test(f))
      .sort();
    this.segments = files.map((f) => ({ firstId: Number(f.slice(4, 20)), file: path.join(this.dir, f), size: 0 }));
    this.segments.forEach((seg, i) => (seg.size = this.scan(seg, i === this.segments.length - 1, each)));
    if (this.segments.length === 0 || this.last().size >= this.segmentBytes) this.roll(nextId());
    else this.wfd = openSync(this.last().file, 'a');
  }

  private scan(seg: Segment, isLast: boolean, each: (rec: ParsedRecord, seg: Segment, off: number) => void): number {
    const buf = readFileSync(seg.file);
    let off = 0;
    while (off < buf.length) {
      const rec = parseAt(buf, off);
      if (!rec) {
        if (!isLast) throw SimErrors.OUTBOX_CORRUPT(seg.file, `bad record at byte ${off}`);
        const fd = openSync(seg.file, 'r+');
        ftruncateSync(fd, off);
        closeSync(fd);
        break;
      }
      each(rec, seg, off);
      off += rec.size;
    }
    return off;
  }

  private last(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Start a new segment whose first record will be `firstId`. */
  private roll(firstId: number): void {
    if (this.wfd >= 0) {
      if (this.fsync !== 'none') fdatasyncSync(this.wfd);
      closeSync(this.wfd);
    }
    const file = path.join(this.dir, segName(firstId));
    this.wfd = openSync(file, 'a');
    this.segments.push({ firstId, file, size: fstatSync(this.wfd).size });
  }

  /**
   * Encode record `id` into the write arena; `write(buf, off)` encodes the payload in place (at
   * most `maxPayload` bytes) and returns its end. Fills `at` with the record's place and returns
   * the payload as a view of the arena. In the file after the next flush().
   */
  append(at: Placed, id: number, lane: number, retain: boolean, topic: string, meta: string, maxPayload: number, write: (buf: Buffer, off: number) => number): Buffer {
    // Room for the worst case (3 UTF-8 bytes per UTF-16 unit); the real lengths come from the writes.
    const bound = HEADER + FIXED + 3 * (topic.length + meta.length) + maxPayload;
    if (this.wlen + bound > this.wbuf.length) {
      this.flush();
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
    b.writeUInt32LE(o - start, this.wlen);
    b.writeUInt32LE(crc32(b.subarray(start, o)), this.wlen + 4);
    const seg = this.last();
    at.seg = seg;
    at.off = seg.size + this.wlen - this.wstart;
    at.size = o - this.wlen;
    this.wlen = o;
    return b.subarray(payloadStart, o);
  }

  /** Write the arena's new bytes (one write(2)); roll to a new segment when this one is full. */
  flush(nextId?: number): void {
    if (this.wlen === this.wstart) return;
    let done = 0;
    const n = this.wlen - this.wstart;
    while (done < n) done += writeSync(this.wfd, this.wbuf, this.wstart + done, n - done);
    this.last().size += n;
    this.wstart = this.wlen;
    if (this.fsync === 'always') fdatasyncSync(this.wfd);
    if (nextId !== undefined && this.last().size >= this.segmentBytes) this.roll(nextId);
  }

  /** Make everything written so far durable now (any policy but 'none'). */
  sync(): void {
    if (this.fsync !== 'none') fdatasyncSync(this.wfd);
  }

  /**
   * 'interval' policy: at most once per interval, fdatasync the segment being written and
   * `others` off the event loop (the thread pool, through their own descriptors: fdatasync flushes
   * the file whichever descriptor asks), so sending does not stall on the disk.
   */
  syncInBackground(now: number, others: string[]): void {
    if (this.fsync !== 'interval' || now - this.lastSync < this.fsyncIntervalMs || this.syncing) return;
    this.syncing = true;
    this.lastSync = now;
    const files = [this.last().file, ...others];
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

  /** Read the record at `off` of `seg` (buffered: records are read back in log order). */
  read(seg: Segment, off: number): ParsedRecord {
    const rel = off - this.rbufStart;
    if (this.rseg === seg && rel >= 0 && rel + HEADER <= this.rbuf.length) {
      const body = this.rbuf.readUInt32LE(rel);
      if (rel + HEADER + body <= this.rbuf.length) return this.parsed(seg, this.rbuf, rel);
    }
    if (this.rseg !== seg) {
      if (this.rfd >= 0) closeSync(this.rfd);
      this.rfd = openSync(seg.file, 'r');
      this.rseg = seg;
    }
    const avail = seg.size - off;
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
    return this.parsed(seg, this.rbuf, 0);
  }

  private parsed(seg: Segment, buf: Buffer, at: number): ParsedRecord {
    const rec = parseAt(buf, at);
    if (!rec) throw SimErrors.OUTBOX_CORRUPT(seg.file, `bad record at byte ${this.rbufStart + at}`);
    return rec;
  }

  /** Delete the segments whose every record is below `cursor` (never the one being written). */
  dropBelow(cursor: number): void {
    while (this.segments.length > 1 && this.segments[1]!.firstId <= cursor) {
      const seg = this.segments.shift()!;
      if (this.rseg === seg) {
        closeSync(this.rfd);
        this.rfd = -1;
        this.rseg = null;
      }
      try {
        unlinkSync(seg.file);
      } catch {
        /* already gone */
      }
    }
  }

  close(): void {
    this.flush();
    this.sync();
    closeSync(this.wfd);
    if (this.rfd >= 0) closeSync(this.rfd);
    this.rfd = -1;
    this.rseg = null;
  }
}
