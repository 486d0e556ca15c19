import { closeSync, existsSync, fdatasyncSync, ftruncateSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { FsyncPolicy } from './segment-log.js';
import { encodeRecord, parseAt, type ParsedRecord } from './record-format.js';

/** Messages held for a key (a gateway) in their own file until released. */
interface Held {
  file: string;
  fd: number;
  buf: Buffer[];
  count: number;
}

/**
 * The held-gateway store of the outbox: messages a gateway keeps during an outage, each key in
 * its own file `held-<key hex>.log` (record framing of record-format.ts), written with the
 * outbox's flushes and fsync policy, read back in order when the gateway is back.
 */
export class HeldStore {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly dir: string,
    private readonly fsync: FsyncPolicy,
  ) {}

  /** Find the held files of an earlier run (a torn tail from a crash during a write is cut off). */
  recover(): void {
    for (const f of readdirSync(this.dir).filter((x) => /^held-[0-9a-f]+\.log$/.test(x))) {
      const key = Buffer.from(f.slice(5, -4), 'hex').toString('utf8');
      const file = path.join(this.dir, f);
      const buf = readFileSync(file);
      let off = 0;
      let count = 0;
      for (let rec = parseAt(buf, 0); rec; rec = parseAt(buf, off)) {
        off += rec.size;
        count++;
      }
      if (off < buf.length) {
        const fd = openSync(file, 'r+');
        ftruncateSync(fd, off);
        closeSync(fd);
      }
      this.held.set(key, { file, fd: -1, buf: [], count });
    }
  }

  /** Hold a message under `key` (written with the next flush). */
  hold(key: string, lane: number, topic: string, payload: Buffer | string, meta: string): void {
    let h = this.held.get(key);
    if (!h) {
      h = { file: path.join(this.dir, `held-${Buffer.from(key).toString('hex')}.log`), fd: -1, buf: [], count: 0 };
      this.held.set(key, h);
    }
    h.buf.push(encodeRecord(h.count, lane, topic, payload, false, meta));
    h.count++;
  }

  /** Keys with held messages and how many each holds. */
  counts(): Map<string, number> {
    return new Map([...this.held].map(([k, h]) => [k, h.count]));
  }

  has(key: string): boolean {
    return this.held.has(key);
  }

  /** The messages held under `key`, in order (null when none). */
  read(key: string): ParsedRecord[] | null {
    const h = this.held.get(key);
    if (!h) return null;
    this.write(h);
    const out: ParsedRecord[] = [];
    if (existsSync(h.file)) {
      const buf = readFileSync(h.file);
      let off = 0;
      for (let rec = parseAt(buf, 0); rec; rec = parseAt(buf, off)) {
        off += rec.size;
        out.push(rec);
      }
    }
    return out;
  }

  /** Delete the held file of `key` (its messages are in the log now). */
  remove(key: string): void {
    const h = this.held.get(key);
    if (!h) return;
    if (h.fd >= 0) closeSync(h.fd);
    rmSync(h.file, { force: true });
    this.held.delete(key);
  }

  /** Write buffered messages to their files. */
  flush(): void {
    for (const h of this.held.values()) this.write(h);
  }

  /** Files written so far (for the outbox's background fdatasync). */
  files(): string[] {
    return [...this.held.values()].filter((h) => h.fd >= 0).map((h) => h.file);
  }

  close(): void {
    this.flush();
    for (const h of this.held.values()) {
      if (h.fd < 0) continue;
      if (this.fsync !== 'none') fdatasyncSync(h.fd);
      closeSync(h.fd);
    }
  }

  private write(h: Held): void {
    if (h.buf.length === 0) return;
    if (h.fd < 0) h.fd = openSync(h.file, 'a');
    const data = Buffer.concat(h.buf);
    h.buf = [];
    let done = 0;
    while (done < data.length) done += writeSync(h.fd, data, done, data.length - done);
    if (this.fsync === 'always') fdatasyncSync(h.fd);
  }
}
