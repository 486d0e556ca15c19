import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { topics } from '@basin/schemas';
import type { Logger } from '@basin/platform';
import type { IClientOptions } from 'mqtt';
import { CommitTracker } from '../delivery/commit-tracker.js';
import { SimErrors } from '../errors.js';
import type { Outbox, OutboxRecord } from '../outbox.js';
import { Hj212Lane, MqttLane, type Lane, type LaneEvents, type ProtocolChoice } from './lanes.js';
import type { LanePlan, LaneSpec } from './lane-plan.js';
import { deadLetterLine, publishRefusal, type Refusal } from './refused.js';

/**
 * When a message leaves the outbox: 'commit' = when ingest confirms its readings committed
 * (CommittedAck on basin/v1/committed/<station>; end-to-end, survives a broker crash);
 * 'puback' = on the broker's PUBACK (brokers or ingests without confirmations).
 */
export type ConfirmMode = 'commit' | 'puback';

export interface SenderOptions {
  plan: LanePlan;
  mqtt?: { url: string; username?: string; password?: string; qos: 0 | 1 | 2; protocol: ProtocolChoice; mqttOptions?: IClientOptions };
  hj212?: { host: string; port: number; awaitAnswer: boolean };
  confirm: ConfirmMode;
  /** Commit mode: a message unconfirmed this long after its PUBACK is sent again. */
  confirmTimeoutMs: number;
  /** Maximum messages in flight per connection. */
  window: number;
  /** Where dead-letters.jsonl goes (the outbox directory). */
  outboxDir: string;
  log: Logger;
}

/** The sender's counters (a part of the engine's stats). */
export interface SenderStats {
  awaitingCommit: number;
  resent: number;
  errors: number;
  refused: number;
  disconnects: number;
  connected: number;
  lanes: number;
}

export interface SenderEvents {
  /** A message left the outbox (confirmed per the mode, or refused: `refused`). */
  left(meta: string, bytes: number, refused: boolean): void;
  /** A scheduled pump ran (once per event-loop turn with PUBACKs): generation may go on. */
  pumped(): void;
}

/**
 * Sending: the lanes (connections), the window per lane, and confirmations. pump() hands the
 * outbox's next messages to lanes that have room; a PUBACK (puback mode) or ingest's commit
 * confirmation (commit mode, delivery/commit-tracker.ts) removes a message from the outbox; a
 * disconnect returns a lane's in-flight messages; a refused publish is dead-lettered locally.
 */
export class Sender {
  readonly lanes: Lane[];
  private readonly tracker = new CommitTracker();
  private pumping = false;
  private stopped = false;

  constructor(
    private readonly o: SenderOptions,
    private readonly outbox: Outbox,
    private readonly stats: SenderStats,
    private readonly events: SenderEvents,
  ) {
    this.lanes = o.plan.lanes.map((spec, index) => this.lane(index, spec));
    stats.lanes = this.lanes.length;
  }

  private lane(index: number, spec: LaneSpec): Lane {
    const o = this.o;
    const events: LaneEvents = {
      onUp: () => {
        this.stats.connected++;
        this.schedulePump();
      },
      onDown: (lane, err) => {
        this.stats.connected--;
        this.stats.disconnects++;
        this.outbox.release(lane.index);
        o.log.warn({ client: lane.clientId, err: err?.message }, 'connection lost; unconfirmed messages stay in the outbox and are sent again');
      },
      onCommitted: (ack) => {
        for (const c of this.tracker.committed(ack.station, ack.seqs)) this.confirmed(c.id, c.meta, c.bytes);
      },
    };
    if (o.hj212) return new Hj212Lane(index, { ...o.hj212, clientId: spec.clientId, log: o.log }, events);
    const m = o.mqtt!;
    const commit = o.confirm === 'commit';
    // A lane serving every station: one wildcard subscription; otherwise the lane's own stations.
    const committed = !commit ? undefined : spec.confirmFor === undefined ? [topics.filters.committed] : spec.confirmFor.map((id) => topics.committed(id));
    const { url, username, password, qos, protocol, mqttOptions } = m;
    return new MqttLane(index, { url, username, password, qos, protocol, mqttOptions, clientId: spec.clientId, status: spec.status, log: o.log, committed }, events);
  }

  /** Connect every lane: the first one must connect (or this rejects); the others connect in the background. */
  async connect(): Promise<void> {
    const [first, ...rest] = this.lanes as (MqttLane | Hj212Lane)[];
    const target = this.o.hj212 ? `${this.o.hj212.host}:${this.o.hj212.port}` : this.o.mqtt!.url;
    try {
      await first!.connect(true);
    } catch (e) {
      throw SimErrors.CONNECT_FAILED(target, e);
    }
    // Batches of 200 to spare the broker.
    void (async () => {
      for (let i = 0; i < rest.length; i += 200) await Promise.all(rest.slice(i, i + 200).map((l) => l.connect(false)));
    })();
  }

  get allUp(): boolean {
    return this.stats.connected === this.lanes.length;
  }

  /**
   * Commit mode: confirmations that did not come in time — the broker may have lost the message
   * (a crash before it saved its queue) or ingest its session: send it again (ingest deduplicates).
   */
  housekeeping(now: number): void {
    if (this.o.confirm !== 'commit') return;
    for (const id of this.tracker.expired(now, this.o.confirmTimeoutMs)) if (this.outbox.requeue(id)) this.stats.resent++;
    this.stats.awaitingCommit = this.tracker.awaiting;
  }

  /** Pump once in the next turn (after that turn's PUBACKs). */
  schedulePump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      this.pump();
      this.events.pumped();
    });
  }

  private readonly canSend = (l: number): boolean => {
    const lane = this.lanes[l];
    return !!lane && lane.ready && lane.inflight < this.o.window;
  };

  /** Hand the outbox's next messages to the lanes until their windows are full. */
  pump(): void {
    if (this.stopped) return;
    for (;;) {
      const rec = this.outbox.next(this.canSend);
      if (!rec) break;
      this.lanes[rec.lane]!.send(rec.topic, rec.payload, rec.retain, (err) => this.sent(rec, err));
    }
  }

  private sent(rec: OutboxRecord, err: Error | undefined): void {
    const refusal = err ? publishRefusal(err) : null;
    if (refusal) return this.refused(rec, refusal);
    if (err) {
      this.stats.errors++;
      this.outbox.release(rec.lane);
      this.schedulePump();
      return;
    }
    if (this.o.confirm === 'puback') {
      if (this.outbox.ack(rec.id)) this.events.left(rec.meta, rec.payload.length, false);
    } else if (this.tracker.await(rec.id, rec.meta, rec.payload.length, Date.now())) {
      if (this.outbox.confirm(rec.id)) this.events.left(rec.meta, rec.payload.length, false);
    }
    // Refilled once per turn, after every PUBACK that arrived in it was processed: one batch
    // of publishes per turn (measured: refilling from each PUBACK costs ~1.6x the CPU per message).
    this.schedulePump();
  }

  /** The broker refused the message: resending cannot help; it leaves the outbox as a local dead letter. */
  private refused(rec: OutboxRecord, r: Refusal): void {
    this.stats.refused++;
    try {
      appendFileSync(path.join(this.o.outboxDir, 'dead-letters.jsonl'), deadLetterLine(r, rec.topic, rec.meta, rec.payload, Date.now()));
    } catch (e) {
      this.o.log.error({ err: (e as Error).message }, 'could not write the dead-letter file');
    }
    this.o.log.warn({ topic: rec.topic, code: r.code, reason: r.reason }, 'broker refused a message; dead-lettered locally, not resent');
    if (this.outbox.ack(rec.id)) this.events.left(rec.meta, rec.payload.length, true);
    this.schedulePump();
  }

  /** Commit mode: ingest confirmed every reading of message `id`. */
  private confirmed(id: number, meta: string, bytes: number): void {
    if (this.outbox.confirm(id)) this.events.left(meta, bytes, false);
    this.schedulePump();
  }

  async close(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.lanes.map((l) => l.close()));
  }
}
