import type { Writable } from 'node:stream';
import type { Db, Logger } from '@basin/platform';
import { TwinErrors } from '../errors.js';
import { sseFrame, wants, type StreamEvent, type StreamFilter } from './filter.js';

export interface HubOptions {
  pollMs: number;
  retentionS: number;
  /** Bytes queued for one client before it is dropped as too slow. */
  maxBuffer: number;
  heartbeatMs?: number;
}

interface Client {
  out: Writable;
  filter: StreamFilter;
  cursor: number;
  live: boolean;
  close(reason: string): void;
}

type Row = { id: number; at: Date | string; topic: StreamEvent['topic']; type: string; station: string | null; data: unknown };
const toEvent = (r: Row): StreamEvent => ({ id: Number(r.id), at: new Date(r.at).toISOString(), topic: r.topic, type: r.type, station: r.station, data: r.data });

/**
 * The live stream of one process. Events live in the `stream_events` table (written by any
 * process in the transaction of the change, ids in commit order), so a client may reconnect to any
 * process and resume after its last id: it is first replayed from the table, then switched to the
 * live feed this hub reads once for all clients (an index range read every `pollMs`). A client
 * whose unsent bytes exceed `maxBuffer` is dropped with reason `slow_consumer` (memory stays
 * bounded); events older than `retentionS` are pruned, and resuming from before them is refused.
 */
export class StreamHub {
  private readonly clients = new Set<Client>();
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private beat: NodeJS.Timeout | null = null;
  private polling = false;
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly o: HubOptions,
  ) {}

  async start(): Promise<void> {
    this.last = await this.head();
    const loop = () => {
      this.timer = setTimeout(() => void this.poll().finally(() => this.timer && loop()), this.o.pollMs);
    };
    loop();
    this.beat = setInterval(() => {
      for (const c of this.clients) this.write(c, ': keep-alive\n\n');
    }, this.o.heartbeatMs ?? 15_000);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = null;
    if (t) clearTimeout(t);
    if (this.beat) clearInterval(this.beat);
    for (const c of [...this.clients]) c.close('server_shutdown');
  }

  get size(): number {
    return this.clients.size;
  }

  /** Id of the newest event (the cursor of "now"). */
  async head(): Promise<number> {
    const r = await this.db.query<{ id: number | null }>('SELECT max(id) AS id FROM stream_events');
    return Number(r.rows[0]?.id ?? 0);
  }

  /** Throws CURSOR_EXPIRED when events after `cursor` have been pruned. */
  async checkCursor(cursor: number): Promise<void> {
    const r = await this.db.query<{ through: number }>('SELECT through FROM stream_pruned');
    const through = Number(r.rows[0]?.through ?? 0);
    if (cursor < through) throw TwinErrors.CURSOR_EXPIRED(cursor, through + 1);
  }

  /**
   * Attach a client: replays events after `cursor` (null: from now), then follows live.
   * `onClose(reason)` runs once when the client is dropped or the hub stops.
   */
  async attach(out: Writable, filter: StreamFilter, cursor: number | null, onClose: (reason: string) => void): Promise<void> {
    let closed = false;
    const client: Client = {
      out,
      filter,
      cursor: cursor ?? this.last,
      live: false,
      close: (reason) => {
        if (closed) return;
        closed = true;
        this.clients.delete(client);
        onClose(reason);
      },
    };
    this.clients.add(client);
    out.once('close', () => client.close('client_closed'));
    // Replay from the table until caught up with what the hub has fanned out.
    while (!closed) {
      const r = await this.db.query<Row>('SELECT id, at, topic, type, station, data FROM stream_events WHERE id > $1 ORDER BY id LIMIT 1000', [client.cursor]);
      for (const row of r.rows) this.offer(client, toEvent(row));
      if (r.rows.length < 1000 && client.cursor >= this.last) break;
      if (r.rows.length === 0) break;
    }
    client.live = true;
  }

  private offer(c: Client, e: StreamEvent): void {
    if (e.id <= c.cursor) return;
    c.cursor = e.id;
    if (wants(c.filter, e)) this.write(c, sseFrame(e));
  }

  private write(c: Client, s: string): void {
    if (c.out.writableLength > this.o.maxBuffer) {
      c.close('slow_consumer');
      return;
    }
    c.out.write(s);
  }

  /** Read new events once and fan them out to every live client. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (;;) {
        const r = await this.db.query<Row>('SELECT id, at, topic, type, station, data FROM stream_events WHERE id > $1 ORDER BY id LIMIT 1000', [this.last]);
        for (const row of r.rows) {
          const e = toEvent(row);
          this.last = e.id;
          for (const c of this.clients) if (c.live) this.offer(c, e);
        }
        if (r.rows.length < 1000) break;
      }
      if (Date.now() - this.lastPrune > 60_000) await this.prune();
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'stream poll failed');
    } finally {
      this.polling = false;
    }
  }

  /** Delete events older than the retention window, remembering the highest id removed. */
  async prune(now = Date.now()): Promise<void> {
    this.lastPrune = now;
    await this.db.query(
      `WITH d AS (DELETE FROM stream_events WHERE at < $1 RETURNING id)
       UPDATE stream_pruned SET through = GREATEST(through, (SELECT max(id) FROM d)) WHERE EXISTS (SELECT 1 FROM d)`,
      [new Date(now - this.o.retentionS * 1000).toISOString()],
    );
  }
}
