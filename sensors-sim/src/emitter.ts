import { DROP, HOLD, HOSTILE, SEND, type MessageKind, type PayloadWriter, type Sink } from './generation/generator.js';
import { outageAt, type OutageWindow } from './generation/outages.js';
import { recordPublished } from './manifest.js';
import { nextRange, type MetaRange } from './meta-range.js';
import type { Outbox } from './outbox.js';
import type { RunState } from './run-state.js';

/** The emitter's counters (a part of the engine's stats). */
export interface EmitterStats {
  published: number;
  messages: number;
  dropped: number;
  hostile: number;
}

/**
 * Puts generated messages where they belong: the outbox's log, a gateway's held file during its
 * outage (released into the log, oldest first, before the gateway's next message and when its
 * outage is over), or nowhere (dropped). Accounts for them in the run state: every sequence number
 * handed out (`seq`, so a resumed run continues after it) and the manifest of published readings.
 */
export class Emitter implements Sink {
  /** Gateways with held messages (durably, in the outbox's held files). */
  readonly held = new Set<string>();

  constructor(
    private readonly outbox: Outbox,
    private readonly state: RunState,
    private readonly outages: readonly OutageWindow[],
    private readonly stats: EmitterStats,
  ) {
    for (const gw of outbox.heldCounts().keys()) this.held.add(gw);
  }

  put(kind: MessageKind, gateway: string, lane: number, topic: string, meta: string, count: number, retain: boolean, maxBytes: number, write: PayloadWriter): void {
    if (kind === SEND) {
      if (this.held.size > 0 && this.held.has(gateway)) this.release(gateway);
      this.outbox.appendWith(lane, topic, meta, maxBytes, write, retain);
      this.stats.messages++;
      this.account(meta, true);
    } else if (kind === HOLD) {
      // The gateway stores it: written to its held file at once, so a crash of the simulator
      // during the outage loses nothing.
      const buf = Buffer.allocUnsafe(maxBytes);
      this.outbox.hold(gateway, lane, topic, buf.subarray(0, write(buf, 0)), meta);
      this.held.add(gateway);
      this.account(meta, false);
    } else if (kind === DROP) {
      this.stats.dropped += count;
      this.account(meta, false);
    } else {
      // CONTROL (status, registry) or HOSTILE: no readings.
      this.outbox.appendWith(lane, topic, '', maxBytes, write, retain);
      this.stats.messages++;
      if (kind === HOSTILE) this.stats.hostile++;
    }
  }

  /** Gateways whose outage ended by `t` hand over what they stored (also those with nothing new to send). */
  tickEnd(t: number): void {
    if (this.held.size > 0) for (const gw of [...this.held]) if (!outageAt(this.outages, gw, t)) this.release(gw);
  }

  /** The run's window is complete: gateways still in an outage hand over what they stored. */
  releaseAll(): void {
    for (const gw of [...this.held]) this.release(gw);
  }

  /** The gateway is back: its stored readings go first (original timestamps and sequence numbers). */
  private release(gateway: string): void {
    this.held.delete(gateway);
    this.outbox.releaseHeld(gateway, (r) => {
      this.stats.messages++;
      this.account(r.meta, true, false);
    });
  }

  /** The seqs of a message are handed out; `published`: its readings are in the log. */
  private account(meta: string, published: boolean, handedOut = true): void {
    const { seq, manifest } = this.state;
    const r = this.range;
    for (let i = nextRange(meta, 0, r); i >= 0; i = nextRange(meta, i, r)) {
      if (handedOut && r.last > (seq[r.id] ?? 0)) seq[r.id] = r.last;
      if (published) this.stats.published += recordPublished(manifest, r.id, r.first, r.last);
    }
  }

  private readonly range: MetaRange = { id: '', first: 0, last: 0 };
}
