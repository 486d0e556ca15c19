/**
 * Delivery tracking of the outbox's records (pure, no I/O): one entry per record from the oldest
 * unacknowledged one on, whatever wrote it (this process or an earlier run), each in one of three
 * states. Ids are contiguous: the table holds ids [lo, end).
 *
 *   UNSENT --next()--> INFLIGHT --ack()--> ACKED
 *     ^                   |
 *     +--requeue()/release()
 *   confirm(): UNSENT or INFLIGHT --> ACKED (ingest committed a copy sent earlier)
 *
 * Acknowledged entries at the head leave the table (`lo` moves on: every id below it is
 * acknowledged). The reader position only moves back (requeue, release), to the oldest record that
 * may need sending, so records go out in log order and a lane that cannot send holds its place.
 */

export const UNSENT = 0;
export const INFLIGHT = 1;
export const ACKED = 2;
export type DeliveryState = typeof UNSENT | typeof INFLIGHT | typeof ACKED;

export interface Tracked {
  readonly id: number;
  readonly lane: number;
  state: DeliveryState;
}

export class DeliveryTable<E extends Tracked> {
  private entries: E[] = [];
  private head = 0;
  private lo: number;
  /** Id of the next entry the reader looks at. */
  private reader: number;
  private ackedInTable = 0;
  private inflightCount = 0;

  /** `left` is told of every entry that leaves the table (acknowledged, at the head). */
  constructor(
    lo: number,
    private readonly left: (e: E) => void = () => undefined,
  ) {
    this.lo = lo;
    this.reader = lo;
  }

  /** Every id below this one is acknowledged. */
  get ackedBelow(): number {
    return this.lo;
  }

  /** The id the next entry must have. */
  get end(): number {
    return this.lo + this.entries.length - this.head;
  }

  /** Entries not yet acknowledged. */
  get backlog(): number {
    return this.entries.length - this.head - this.ackedInTable;
  }

  get inFlight(): number {
    return this.inflightCount;
  }

  get unsent(): number {
    return this.backlog - this.inflightCount;
  }

  get(id: number): E | undefined {
    const i = id - this.lo;
    return i >= 0 ? this.entries[this.head + i] : undefined;
  }

  /** Add the entry with id `end` (in state UNSENT, or ACKED for a gap left by an earlier run). */
  add(e: E): void {
    if (e.id !== this.end) throw new Error(`outbox entry ${e.id} added at ${this.end}`);
    if (this.entries.length === this.head) {
      this.entries = [];
      this.head = 0;
    }
    this.entries.push(e);
    if (e.state === ACKED) this.ackedInTable++;
    else if (e.state === INFLIGHT) this.inflightCount++;
    this.popHead();
  }

  /**
   * The next UNSENT entry below `limit` in id order, now INFLIGHT; null when there is none or
   * when it belongs to a lane that cannot send (head of line: per-lane order is never broken).
   */
  next(limit: number, canSend: (lane: number) => boolean): E | null {
    if (this.reader < this.lo) this.reader = this.lo;
    for (; this.reader < limit; this.reader++) {
      const e = this.entries[this.head + this.reader - this.lo];
      if (!e) return null;
      if (e.state !== UNSENT) continue;
      if (!canSend(e.lane)) return null;
      e.state = INFLIGHT;
      this.inflightCount++;
      this.reader++;
      return e;
    }
    return null;
  }

  /** The peer acknowledged `id` (in flight). False when it was not in flight. */
  ack(id: number): boolean {
    const e = this.get(id);
    if (!e || e.state !== INFLIGHT) return false;
    this.inflightCount--;
    this.markAcked(e);
    return true;
  }

  /** The platform confirmed `id` (in flight or returned to the unsent ones). False when it already left. */
  confirm(id: number): boolean {
    const e = this.get(id);
    if (!e || e.state === ACKED) return false;
    if (e.state === INFLIGHT) this.inflightCount--;
    this.markAcked(e);
    return true;
  }

  /** `id` (in flight) is to be sent again. */
  requeue(id: number): boolean {
    const e = this.get(id);
    if (!e || e.state !== INFLIGHT) return false;
    e.state = UNSENT;
    this.inflightCount--;
    if (id < this.reader) this.reader = id;
    return true;
  }

  /** A lane (or every lane) lost its connection: its in-flight entries are unsent again. */
  release(lane?: number): number {
    let n = 0;
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.state !== INFLIGHT || (lane !== undefined && e.lane !== lane)) continue;
      e.state = UNSENT;
      n++;
    }
    this.inflightCount -= n;
    this.reader = this.lo;
    return n;
  }

  private markAcked(e: E): void {
    e.state = ACKED;
    this.ackedInTable++;
    this.popHead();
  }

  private popHead(): void {
    for (;;) {
      const h = this.entries[this.head];
      if (!h || h.state !== ACKED) break;
      this.ackedInTable--;
      this.head++;
      this.lo++;
      this.left(h);
    }
    if (this.head > 4096 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
