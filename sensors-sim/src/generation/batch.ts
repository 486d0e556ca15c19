import type { MessageKind, PayloadWriter, Position, Sink } from './generator.js';

/**
 * A run of generated messages as plain data, to cross from the generation worker to the sending
 * thread (pure): payloads concatenated in one buffer (transferred, not copied), seven numbers per
 * message (kind, lane, count, retain, payload end, gateway and topic as indexes into a string table
 * both sides grow; a tick's end is kind TICK_END with its time) and the meta string per message.
 * Gateways and topics repeat every tick, so each crosses once (`names`: the table's new entries).
 */
export interface Batch {
  bytes: Uint8Array;
  nums: Float64Array;
  metas: string[];
  names: string[];
  /** Generation position after the batch. */
  pos: Position;
}

const TICK_END = -1;
const FIELDS = 7;

/** Collects a generator's messages into a Batch. */
export class BatchSink implements Sink {
  private buf: Buffer;
  private len = 0;
  private nums: number[] = [];
  private metas: string[] = [];
  private names: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly initialBytes = 1 << 18) {
    this.buf = Buffer.from(new ArrayBuffer(initialBytes));
  }

  put(kind: MessageKind, gateway: string, lane: number, topic: string, meta: string, count: number, retain: boolean, maxBytes: number, write: PayloadWriter): void {
    if (this.len + maxBytes > this.buf.length) this.grow(this.len + maxBytes);
    this.len = write(this.buf, this.len);
    this.nums.push(kind, lane, count, retain ? 1 : 0, this.len, this.name(gateway), this.name(topic));
    this.metas.push(meta);
  }

  tickEnd(t: number): void {
    this.nums.push(TICK_END, t, 0, 0, this.len, 0, 0);
  }

  private name(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      this.index.set(s, (i = this.index.size));
      this.names.push(s);
    }
    return i;
  }

  private grow(need: number): void {
    const next = Buffer.from(new ArrayBuffer(Math.max(need, 2 * this.buf.length)));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  get size(): number {
    return this.nums.length / FIELDS;
  }

  /** The batch so far (its buffer is handed over: this sink starts a new one). */
  take(pos: Position): Batch {
    const batch: Batch = { bytes: new Uint8Array(this.buf.buffer, 0, this.len), nums: Float64Array.from(this.nums), metas: this.metas, names: this.names, pos: { ...pos } };
    this.buf = Buffer.from(new ArrayBuffer(Math.max(this.initialBytes, this.len)));
    this.len = 0;
    this.nums = [];
    this.metas = [];
    this.names = [];
    return batch;
  }
}

/** Replays batches into a sink, in order, as the generator emitted them. */
export class Replayer {
  private readonly names: string[] = [];

  constructor(private readonly sink: Sink) {}

  replay(batch: Batch): void {
    for (const n of batch.names) this.names.push(n);
    const src = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
    const { nums, metas } = batch;
    const names = this.names;
    let start = 0;
    let end = 0;
    // TypedArray set: Buffer#copy's argument handling costs more than the copy of a small payload.
    const copy: PayloadWriter = (b, o) => {
      b.set(src.subarray(start, end), o);
      return o + end - start;
    };
    for (let i = 0, m = 0; i < nums.length; i += FIELDS) {
      const kind = nums[i]!;
      if (kind === TICK_END) {
        this.sink.tickEnd(nums[i + 1]!);
        continue;
      }
      start = end;
      end = nums[i + 4]!;
      this.sink.put(kind as MessageKind, names[nums[i + 5]!]!, nums[i + 1]!, names[nums[i + 6]!]!, metas[m++]!, nums[i + 2]!, nums[i + 3] === 1, end - start, copy);
    }
  }
}
