import {
  buildHj212Realtime,
  encodeHj212Frame,
  encodeReadingBatch,
  encodeSenml,
  HJ212_POLLUTANT,
  HJ212_ST,
  mnOf,
  topics,
  type DeviceStatus,
  type Reading,
} from '@basin/schemas';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@basin/platform';
import type { IClientOptions } from 'mqtt';
import { encodeGroupJson, stationJson, writeGroupJson, type StationJson } from './encode.js';
import { SimErrors } from './errors.js';
import { batteryLevel, compileFaults, type StationFaults } from './faults.js';
import { hostilePayload } from './hostile.js';
import { Hj212Lane, MqttLane, type Lane, type LaneEvents, type ProtocolChoice } from './lanes.js';
import { Outbox, type FsyncPolicy } from './outbox.js';
import { deadLetterLine, publishRefusal, type Refusal } from './refused.js';
import { CommitTracker } from './delivery/commit-tracker.js';
import { confirmedMeta, publishedMeta, recordPublished, type Manifest } from './manifest.js';
import { loadRunState, saveRunState, type RunState } from './run-state.js';
import { hash32, hashUnit } from './random.js';
import type { Scenario } from './scenario.js';
import { roundValue, SignalModel } from './signals.js';
import type { SimStation } from './stations.js';

const HOUR = 3_600_000;
/** Stations generated per slice, and the time budget of one generation turn before it yields. */
const SLICE_STATIONS = 128;
const SLICE_MS = 2;
const SLICE_MAX_MS = 10;

export type PublishMode = 'station' | 'gateway' | 'hj212';

/**
 * When a message leaves the outbox: 'commit' = when ingest confirms its readings committed
 * (CommittedAck on basin/v1/committed/<station>; end-to-end, survives a broker crash);
 * 'puback' = on the broker's PUBACK (brokers or ingests without confirmations).
 */
export type ConfirmMode = 'commit' | 'puback';

export interface EngineOptions {
  scenario: Scenario;
  seed: number;
  stations: SimStation[];
  intervalMs: number;
  /** Simulated start (epoch ms); aligned down to the interval. */
  start: number;
  /** Simulated end (epoch ms, exclusive); Infinity runs until stopped. */
  end: number;
  /** Simulated ms per wall ms; 'max' = backfill as fast as the broker acknowledges. */
  speed: number | 'max';
  mode: PublishMode;
  format: 'json' | 'senml';
  /** Station mode: number of MQTT connections, or one per station. */
  connections: number | 'per-station';
  clientId: string;
  mqtt?: { url: string; username?: string; password?: string; qos: 0 | 1 | 2; protocol: ProtocolChoice; mqttOptions?: IClientOptions };
  hj212?: { host: string; port: number; pw: string; awaitAnswer: boolean };
  outboxDir: string;
  fsync: FsyncPolicy;
  allowHostile: boolean;
  /** Publish a retained Station document for synthetic stations before their readings. */
  provision: boolean;
  /** Maximum messages in flight per connection. */
  window: number;
  /** Default 'commit' (MQTT only; HJ 212 confirms with its CN=9014 answer or the TCP write). */
  confirm?: ConfirmMode;
  /** Commit mode: a message whose confirmation has not come this long after its PUBACK is sent again (default 60 s). */
  confirmTimeoutMs?: number;
  /** Generation pauses while this many messages wait in the outbox. */
  highWater: number;
  /** While every connection is up, generation waits once this many messages are written but not yet sent (default 4 × window, at least 5000). */
  lead?: number;
  log: Logger;
}

export interface EngineStats {
  /** Readings handed to the outbox (published). */
  published: number;
  /** Readings confirmed (commit mode: committed by ingest; puback mode: acknowledged by the broker), each counted once. */
  acknowledged: number;
  /** Messages written to the outbox / acknowledged. */
  messages: number;
  messagesAcked: number;
  /** Payload bytes of the acknowledged messages that carry readings. */
  bytes: number;
  /** Messages waiting in the outbox (not yet confirmed). */
  buffered: number;
  /** Commit mode: messages the broker acknowledged that wait for ingest's confirmation. */
  awaitingCommit: number;
  /** Commit mode: messages sent again because their confirmation did not come in time. */
  resent: number;
  errors: number;
  /** Messages the broker refused (PUBACK reason >= 0x80): dead-lettered in OUTBOX/dead-letters.jsonl, not resent. */
  refused: number;
  disconnects: number;
  dropped: number;
  hostile: number;
  /** Simulated time of the next tick. */
  simTime: number;
  connected: number;
  lanes: number;
}

export class Engine {
  readonly stats: EngineStats;
  readonly model: SignalModel;
  private readonly outbox: Outbox;
  private readonly lanes: Lane[] = [];
  private readonly laneOfStation = new Map<string, number>();
  private readonly laneOfGateway = new Map<string, number>();
  private readonly faults: Map<string, StationFaults>;
  private readonly outages: { gateways: Set<string>; from: number; to: number; backfill: boolean }[] = [];
  /** Gateways whose readings are held (durably, in the outbox's held files) during an outage. */
  private readonly heldGws = new Set<string>();
  /** Pre-encoded JSON pieces per station (station mode, json format). */
  private readonly enc: StationJson[];
  /** Generation waits while this many messages are written but not yet sent (all lanes up). */
  private readonly lead: number;
  private waitingLead = false;
  private state: RunState;
  private gwAcc = new Map<string, { readings: Reading[]; meta: string[] }>();
  private hostileAcc = 0;
  private hostileCount = 0;
  private readonly wall0 = Date.now();
  private readonly anchor: number;
  private stopped = false;
  private genTimer: NodeJS.Timeout | null = null;
  private house: NodeJS.Timeout | null = null;
  private pumping = false;
  private waitingDrain = false;
  private lastStateSave = 0;
  private stateSaveMs = 0;
  private finished = false;
  private resolveDone!: () => void;
  readonly done: Promise<void>;
  private readonly values: number[] = [];
  private readonly confirmMode: ConfirmMode;
  private readonly confirmTimeoutMs: number;
  private readonly tracker = new CommitTracker();

  constructor(private readonly o: EngineOptions) {
    const t0 = o.start - (((o.start % o.intervalMs) + o.intervalMs) % o.intervalMs);
    this.confirmMode = o.mode === 'hj212' ? 'puback' : (o.confirm ?? 'commit');
    this.confirmTimeoutMs = o.confirmTimeoutMs ?? 60_000;
    const runKey = [o.scenario.name, o.seed, o.stations.length, o.intervalMs, o.mode, o.format].join('|');
    this.outbox = Outbox.open(o.outboxDir, { fsync: o.fsync });
    let resumed: boolean;
    try {
      ({ state: this.state, resumed } = loadRunState(o.outboxDir, runKey, t0));
    } catch (e) {
      this.outbox.close();
      throw e;
    }
    this.anchor = this.state.nextTick;
    for (const gw of this.outbox.heldCounts().keys()) this.heldGws.add(gw);
    this.enc = o.stations.map(stationJson);
    this.model = new SignalModel(o.scenario, o.seed, this.state.t0, o.intervalMs);
    this.faults = compileFaults(o.scenario, o.stations, o.seed, this.state.t0);
    for (const g of o.scenario.gatewayOutages) {
      const gws = new Set(g.gateways ?? []);
      for (const s of o.stations) {
        if (g.stations?.includes(s.id)) gws.add(s.gateway);
        if (g.fraction !== undefined && hashUnit(o.seed, hash32(s.gateway), 0x0a7) < g.fraction) gws.add(s.gateway);
      }
      this.outages.push({ gateways: gws, from: this.state.t0 + g.fromH * HOUR, to: this.state.t0 + g.toH * HOUR, backfill: g.backfill });
    }
    this.stats = {
      published: 0,
      acknowledged: 0,
      messages: 0,
      messagesAcked: 0,
      bytes: 0,
      buffered: this.outbox.backlog,
      awaitingCommit: 0,
      resent: 0,
      errors: 0,
      refused: 0,
      disconnects: 0,
      dropped: 0,
      hostile: 0,
      simTime: this.state.nextTick,
      connected: 0,
      lanes: 0,
    };
    this.done = new Promise((r) => (this.resolveDone = r));
    this.buildLanes();
    this.lead = o.lead ?? Math.max(5000, 4 * o.window);
    if (!resumed && o.provision && o.mode !== 'hj212') {
      for (const s of o.stations) {
        if (!s.station.synthetic) continue;
        const lane = o.mode === 'gateway' ? this.laneOfGateway.get(s.gateway)! : this.laneOfStation.get(s.id)!;
        this.outbox.append(lane, topics.registry(s.id), JSON.stringify(s.station), true);
        this.stats.messages++;
      }
      this.outbox.flush();
    }
    if (resumed) o.log.info({ nextTick: new Date(this.state.nextTick).toISOString(), backlog: this.outbox.backlog }, 'resuming from the outbox state');
  }

  private buildLanes(): void {
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
    const commit = this.confirmMode === 'commit';
    // A simulator lane serving every station: one wildcard subscription; otherwise the lane's own stations.
    const committedFilters = (ids: string[] | undefined) => (!commit ? undefined : ids === undefined ? [topics.filters.committed] : ids.map((id) => topics.committed(id)));
    const mk = (clientId: string, status: Omit<DeviceStatus, 'v' | 'state' | 'ts' | 'client'>, confirmFor?: string[]): number => {
      const index = this.lanes.length;
      if (o.mode === 'hj212') {
        const h = o.hj212!;
        this.lanes.push(new Hj212Lane(index, { host: h.host, port: h.port, clientId, awaitAnswer: h.awaitAnswer, log: o.log }, events));
      } else {
        const m = o.mqtt!;
        this.lanes.push(
          new MqttLane(
            index,
            { url: m.url, clientId, username: m.username, password: m.password, qos: m.qos, protocol: m.protocol, status, log: o.log, mqttOptions: m.mqttOptions, committed: committedFilters(confirmFor) },
            events,
          ),
        );
      }
      return index;
    };
    if (o.mode === 'gateway') {
      const byGw = new Map<string, string[]>();
      for (const s of o.stations) byGw.set(s.gateway, [...(byGw.get(s.gateway) ?? []), s.id]);
      // A gateway's or station's credentials may read only its own stations' confirmations (ACL).
      for (const [gw, ids] of byGw) this.laneOfGateway.set(gw, mk(`${o.clientId}-${gw}`, { kind: 'gateway', stations: ids }, ids));
      for (const s of o.stations) this.laneOfStation.set(s.id, this.laneOfGateway.get(s.gateway)!);
    } else if (o.mode === 'station' && o.connections === 'per-station') {
      for (const s of o.stations) this.laneOfStation.set(s.id, mk(s.id, { kind: 'station', stations: [s.id] }, [s.id]));
    } else {
      const n = o.mode === 'hj212' ? 1 : Math.max(1, Math.min(o.connections as number, o.stations.length || 1));
      for (let i = 0; i < n; i++) {
        const own = n === 1 ? undefined : o.stations.filter((_, k) => k % n === i).map((s) => s.id);
        mk(n === 1 ? o.clientId : `${o.clientId}-${i}`, { kind: 'simulator', stations: undefined }, own);
      }
      o.stations.forEach((s, i) => this.laneOfStation.set(s.id, i % n));
      for (const s of o.stations) if (!this.laneOfGateway.has(s.gateway)) this.laneOfGateway.set(s.gateway, this.laneOfStation.get(s.id)!);
    }
    this.stats.lanes = this.lanes.length;
  }

  /** Connect every lane (the first one must connect, or this rejects) and start generating. */
  async start(): Promise<void> {
    const [first, ...rest] = this.lanes as (MqttLane | Hj212Lane)[];
    const target = this.o.mode === 'hj212' ? `${this.o.hj212!.host}:${this.o.hj212!.port}` : this.o.mqtt!.url;
    try {
      await first!.connect(true);
    } catch (e) {
      await this.close();
      throw SimErrors.CONNECT_FAILED(target, e);
    }
    // Other lanes connect in the background (batches of 200 to spare the broker).
    void (async () => {
      for (let i = 0; i < rest.length; i += 200) await Promise.all(rest.slice(i, i + 200).map((l) => l.connect(false)));
    })();
    this.house = setInterval(() => this.housekeeping(), 200);
    this.loop();
  }

  private housekeeping(): void {
    if (this.confirmMode === 'commit') {
      // Confirmations that did not come in time: the broker may have lost the message (a crash
      // before it saved its queue) or ingest its session; send it again (ingest deduplicates).
      for (const id of this.tracker.expired(Date.now(), this.confirmTimeoutMs)) if (this.outbox.requeue(id)) this.stats.resent++;
      this.stats.awaitingCommit = this.tracker.awaiting;
    }
    this.outbox.flush();
    this.stats.buffered = this.outbox.backlog;
    // Every second, or less often when the state is big (10,000 stations: tens of ms): at most ~2% of the time.
    if (Date.now() - this.lastStateSave > Math.max(1000, 50 * this.stateSaveMs)) this.saveState();
    this.schedulePump();
    this.checkDone();
  }

  private saveState(): void {
    const t = performance.now();
    saveRunState(this.o.outboxDir, this.state);
    this.lastStateSave = Date.now();
    this.stateSaveMs = performance.now() - t;
  }

  private limit(): number {
    if (this.o.speed === 'max') return this.o.end;
    const elapsed = Date.now() - this.wall0;
    const t = this.anchor + elapsed * this.o.speed;
    return this.o.speed === 1 ? Math.max(t, Date.now()) : t;
  }

  private loop = (): void => {
    this.genTimer = null;
    if (this.stopped || this.finished) return;
    const began = performance.now();
    let yielded = false;
    const limit = Math.min(this.limit(), this.o.end - 1);
    const allUp = this.stats.connected === this.lanes.length;
    while (this.state.nextTick <= limit) {
      if (this.outbox.backlog >= this.o.highWater) {
        this.waitingDrain = true;
        break;
      }
      // The sender is busy and has enough queued: generate more once it has sent some (keeps
      // generation interleaved with sending instead of racing ahead of it).
      if (allUp && this.outbox.unsent >= this.lead) {
        this.waitingLead = true;
        break;
      }
      const t = this.state.nextTick;
      const stations = this.o.stations;
      const from = this.state.stationCursor ?? 0;
      const stop = Math.min(stations.length, from + SLICE_STATIONS);
      for (let i = from; i < stop; i++) this.generate(stations[i]!, i, t);
      this.state.stationCursor = stop;
      if (stop >= stations.length) {
        this.finishTick(t);
        this.state.stationCursor = 0;
        this.state.nextTick = t + this.o.intervalMs;
      }
      // Bounded turns: the PUBACKs that arrived meanwhile are processed (and refill the window)
      // between slices, instead of after a whole tick (10,000 stations: tens of ms).
      // While fewer than a window's worth of messages wait to be sent, generation is what the
      // sender waits for: it keeps the turn (up to SLICE_MAX_MS).
      const spent = performance.now() - began;
      if (spent > SLICE_MAX_MS || (spent > SLICE_MS && this.outbox.unsent >= this.o.window)) {
        yielded = true;
        break;
      }
    }
    // The run's window is complete: gateways still in an outage hand over what they stored.
    if (this.state.nextTick >= this.o.end) for (const gw of [...this.heldGws]) this.releaseHeld(gw);
    this.stats.simTime = this.state.nextTick;
    this.outbox.flush();
    this.stats.buffered = this.outbox.backlog;
    this.pump();
    if (this.state.nextTick >= this.o.end) {
      this.checkDone();
      return;
    }
    if (this.waitingDrain || this.waitingLead) return;
    if (yielded) {
      setImmediate(this.loop);
      return;
    }
    const speed = this.o.speed === 'max' ? Infinity : this.o.speed;
    const waitMs = Math.max(5, Math.min(1000, (this.state.nextTick - this.limit()) / speed));
    this.genTimer = setTimeout(this.loop, waitMs);
  };

  private inOutage(gw: string, t: number) {
    for (const w of this.outages) if (w.gateways.has(gw) && t >= w.from && t < w.to) return w;
    return null;
  }

  private nextSeq(id: string, n: number): number {
    const first = (this.state.seq[id] ?? 0) + 1;
    this.state.seq[id] = first + n - 1;
    return first;
  }

  private generate(st: SimStation, index: number, t: number): void {
    const o = this.o;
    const f = this.faults.get(st.id);
    const tick = Math.round(t / o.intervalMs);
    if (f?.batteryDeath) {
      const level = batteryLevel(f, t)!;
      if (t >= f.batteryDeath.at) {
        if (t - o.intervalMs < f.batteryDeath.at) this.status(st, 'offline', 0, 'battery exhausted');
        return;
      }
      if (tick % Math.max(1, Math.round(HOUR / o.intervalMs)) === 0) this.status(st, 'online', level);
    }
    if (f && f.dropout > 0 && hashUnit(o.seed, st.key, tick, 0xd0) < f.dropout) {
      this.stats.dropped++;
      return;
    }
    const v = this.model.sample(st, t, this.values);
    if (f) this.applyFaults(st, f, t, tick, v);
    const ts = t + (f?.skewMs ?? 0);
    const outage = this.inOutage(st.gateway, t);
    if (o.mode === 'hj212') {
      const values = st.metrics.map((metric, i) => ({ metric, value: roundValue(metric, v[i]!) })).filter((x) => HJ212_POLLUTANT[x.metric]);
      if (values.length === 0) return;
      const first = this.nextSeq(st.id, values.length);
      const seg = buildHj212Realtime({
        mn: mnOf(st.station), // the one MN rule, shared with ingest (schemas/src/mn.ts)
        pw: o.hj212!.pw,
        st: st.station.kind === 'air_quality' ? HJ212_ST.AIR_QUALITY : HJ212_ST.SURFACE_WATER,
        ts,
        qnTs: ts,
        flag: o.hj212!.awaitAnswer ? 5 : 4,
        values,
      });
      this.emit(st.gateway, outage, this.laneOfStation.get(st.id)!, '', encodeHj212Frame(seg), `${st.id}:${first}:${first + values.length - 1}`, values.length);
      return;
    }
    if (o.mode === 'station' && o.format === 'json') {
      // Hot path: the JSON of encodeReadingBatch(readings, { station }) built from pre-encoded pieces.
      const enc = this.enc[index]!;
      const lane = this.laneOfStation.get(st.id)!;
      for (let gi = 0; gi < st.groups.length; gi++) {
        const g = st.groups[gi]!;
        const n = g.idx.length;
        const first = this.nextSeq(st.id, n);
        const last = first + n - 1;
        const meta = `${st.id}:${first}:${last}`;
        if (outage) {
          this.emit(st.gateway, outage, lane, g.topic, encodeGroupJson(st, enc, gi, v, ts, first), meta, n);
          continue;
        }
        if (this.heldGws.size > 0 && this.heldGws.has(st.gateway)) this.releaseHeld(st.gateway);
        // Encoded straight into the outbox's write buffer.
        this.outbox.appendWith(lane, g.topic, meta, enc.maxBytes[gi]!, (buf, off) => writeGroupJson(buf, off, st, enc, gi, v, ts, first));
        this.stats.messages++;
        this.stats.published += recordPublished(this.state.manifest, st.id, first, last);
      }
      return;
    }
    for (const g of st.groups) {
      const first = this.nextSeq(st.id, g.idx.length);
      const readings: Reading[] = g.idx.map((i, k) => ({ station: st.id, metric: st.metrics[i]!, value: roundValue(st.metrics[i]!, v[i]!), ts, quality: 'not_evaluated', seq: first + k }));
      const meta = `${st.id}:${first}:${first + readings.length - 1}`;
      if (o.mode === 'gateway') {
        let acc = this.gwAcc.get(st.gateway);
        if (!acc) {
          acc = { readings: [], meta: [] };
          this.gwAcc.set(st.gateway, acc);
        }
        acc.readings.push(...readings);
        acc.meta.push(meta);
        continue;
      }
      const payload = o.format === 'senml' ? encodeSenml(st.id, readings) : encodeReadingBatch(readings, { station: st.id });
      this.emit(st.gateway, outage, this.laneOfStation.get(st.id)!, g.topic, payload, meta, readings.length);
    }
  }

  private applyFaults(st: SimStation, f: StationFaults, t: number, tick: number, v: number[]): void {
    for (const s of f.stuck) {
      if (t < s.from || t >= s.to) continue;
      const from = s.from - (((s.from % this.o.intervalMs) + this.o.intervalMs) % this.o.intervalMs);
      const frozen = this.model.sample(st, from);
      st.metrics.forEach((m, i) => {
        if (!s.metrics || s.metrics.has(m)) v[i] = frozen[i]!;
      });
    }
    for (const d of f.drift) {
      if (t < d.from || t >= d.to) continue;
      st.metrics.forEach((m, i) => {
        if (!d.metrics || d.metrics.has(m)) v[i] = v[i]! + d.perMs * (t - d.from);
      });
    }
    for (const s of f.spikes) {
      st.metrics.forEach((m, i) => {
        if (s.metrics && !s.metrics.has(m)) return;
        const u = hashUnit(this.o.seed, st.key, tick, i + 0x5b);
        if (u < s.p) v[i] = v[i]! * (u < s.p / 2 ? 1 + s.magnitude : 1 / (1 + s.magnitude));
      });
    }
  }

  private emit(gateway: string, outage: { backfill: boolean } | null, lane: number, topic: string, payload: string, meta: string, count: number): void {
    if (outage) {
      if (!outage.backfill) {
        this.stats.dropped += count;
        return;
      }
      // The gateway stores it: written to the outbox's held file for this gateway at once, so a
      // crash of the simulator during the outage loses nothing.
      this.outbox.hold(gateway, lane, topic, payload, meta);
      this.heldGws.add(gateway);
      return;
    }
    if (this.heldGws.size > 0 && this.heldGws.has(gateway)) this.releaseHeld(gateway);
    this.outbox.append(lane, topic, payload, false, meta);
    this.countPublished(meta);
  }

  /** The gateway is back: its stored readings go first (original timestamps and sequence numbers). */
  private releaseHeld(gateway: string): void {
    this.heldGws.delete(gateway);
    this.outbox.releaseHeld(gateway, (r) => this.countPublished(r.meta));
  }

  private countPublished(meta: string): void {
    this.stats.messages++;
    this.stats.published += publishedMeta(this.state.manifest, meta);
  }

  private finishTick(t: number): void {
    const o = this.o;
    for (const [gw, acc] of this.gwAcc) {
      if (acc.readings.length === 0) continue;
      for (let i = 0; i < acc.readings.length; i += 5000) {
        const chunk = acc.readings.slice(i, i + 5000);
        const metas = i === 0 && acc.readings.length <= 5000 ? acc.meta : metaOf(chunk);
        this.emit(gw, this.inOutage(gw, t), this.laneOfGateway.get(gw)!, topics.gatewayReadings(gw), encodeReadingBatch(chunk, { source: gw }), metas.join(';'), chunk.length);
      }
    }
    this.gwAcc = new Map();
    // Held batches of gateways whose outage ended but that had nothing new to send this tick.
    if (this.heldGws.size > 0) for (const gw of [...this.heldGws]) if (!this.inOutage(gw, t)) this.releaseHeld(gw);
    const h = o.scenario.hostile;
    if (h && o.allowHostile && o.mode !== 'hj212') {
      this.hostileAcc += (h.perHour * o.intervalMs) / HOUR;
      while (this.hostileAcc >= 1) {
        this.hostileAcc--;
        const kind = h.kinds[this.hostileCount % h.kinds.length]!;
        const st = o.stations[Math.floor(hashUnit(o.seed, this.hostileCount, 0x0b) * o.stations.length)]!;
        const msg = hostilePayload(kind, st, t, this.hostileCount);
        this.outbox.append(this.laneOfStation.get(st.id)!, msg.topic, msg.payload, false, '');
        this.hostileCount++;
        this.stats.hostile++;
        this.stats.messages++;
      }
    }
  }

  private status(st: SimStation, state: 'online' | 'offline', battery: number, reason?: string): void {
    if (this.o.mode === 'hj212') return;
    const doc: DeviceStatus = { v: 1, client: st.id, state, ts: Date.now(), kind: 'station', stations: [st.id], battery, ...(reason ? { reason } : {}) };
    this.outbox.append(this.laneOfStation.get(st.id)!, topics.status(st.id), JSON.stringify(doc), true);
    this.stats.messages++;
  }

  private schedulePump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      this.pump();
    });
  }

  private readonly canSend = (l: number): boolean => {
    const lane = this.lanes[l];
    return !!lane && lane.ready && lane.inflight < this.o.window;
  };

  private pump(): void {
    if (this.stopped) return;
    const lanes = this.lanes;
    for (;;) {
      const rec = this.outbox.next(this.canSend);
      if (!rec) break;
      const lane = lanes[rec.lane]!;
      lane.send(rec.topic, rec.payload, rec.retain, (err) => {
        const refusal = err ? publishRefusal(err) : null;
        if (refusal) {
          this.refused(rec, refusal);
          return;
        }
        if (err) {
          this.stats.errors++;
          this.outbox.release(rec.lane);
          this.schedulePump();
          return;
        }
        if (this.confirmMode === 'puback') {
          if (this.outbox.ack(rec.id)) this.counted(rec.meta, rec.payload.length);
        } else if (this.tracker.await(rec.id, rec.meta, rec.payload.length, Date.now())) {
          if (this.outbox.confirm(rec.id)) this.counted(rec.meta, rec.payload.length);
        } else this.resume();
        // Refilled once per turn, after every PUBACK that arrived in it was processed: one batch
        // of publishes per turn (measured: refilling from each PUBACK costs ~1.6x the CPU per message).
        this.schedulePump();
      });
    }
  }

  /** The broker refused the message: resending cannot help; it leaves the outbox as a local dead letter. */
  private refused(rec: { id: number; topic: string; meta: string; payload: Buffer | string }, r: Refusal): void {
    this.stats.refused++;
    try {
      appendFileSync(path.join(this.o.outboxDir, 'dead-letters.jsonl'), deadLetterLine(r, rec.topic, rec.meta, rec.payload, Date.now()));
    } catch (e) {
      this.o.log.error({ err: (e as Error).message }, 'could not write the dead-letter file');
    }
    this.o.log.warn({ topic: rec.topic, code: r.code, reason: r.reason }, 'broker refused a message; dead-lettered locally, not resent');
    this.outbox.ack(rec.id);
    this.schedulePump();
  }

  /** Commit mode: ingest confirmed every reading of message `id`. */
  private confirmed(id: number, meta: string, bytes: number): void {
    if (this.outbox.confirm(id)) this.counted(meta, bytes);
    this.schedulePump();
  }

  /** A message left the outbox: account for it. */
  private counted(meta: string, bytes: number): void {
    this.stats.messagesAcked++;
    if (meta) this.stats.bytes += bytes;
    this.stats.acknowledged += confirmedMeta(this.state.manifest, meta);
    this.resume();
    if (this.state.nextTick >= this.o.end) this.checkDone();
  }

  /** Generation waits for the outbox to drain or the sender to catch up: go on when it has. */
  private resume(): void {
    if (this.waitingDrain && this.outbox.backlog < this.o.highWater / 2) {
      this.waitingDrain = false;
      setImmediate(this.loop);
    }
    if (this.waitingLead && this.outbox.unsent < this.lead / 2) {
      this.waitingLead = false;
      setImmediate(this.loop);
    }
  }

  private checkDone(): void {
    if (this.finished || this.state.nextTick < this.o.end || this.heldGws.size > 0 || this.outbox.backlog > 0) return;
    this.finished = true;
    this.resolveDone();
  }

  manifest(): Manifest {
    return this.state.manifest;
  }

  /** Stop generating; wait up to `drainMs` for in-flight messages; keep the rest in the outbox. */
  async stop(drainMs = 2000): Promise<void> {
    if (this.stopped) return;
    if (this.genTimer) clearTimeout(this.genTimer);
    const until = Date.now() + drainMs;
    while (this.outbox.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    this.stopped = true;
    await this.close();
  }

  private async close(): Promise<void> {
    this.stopped = true;
    if (this.house) clearInterval(this.house);
    if (this.genTimer) clearTimeout(this.genTimer);
    // Whatever a gateway still holds stays in its held file; a restart sends it when the gateway is back.
    try {
      this.outbox.flush();
      this.saveState();
    } finally {
      this.outbox.close();
    }
    await Promise.all(this.lanes.map((l) => l.close()));
    this.stats.buffered = this.outbox.backlog;
  }
}

function metaOf(readings: Reading[]): string[] {
  const by = new Map<string, [number, number]>();
  for (const r of readings) {
    const s = r.seq ?? 0;
    const e = by.get(r.station);
    if (!e) by.set(r.station, [s, s]);
    else e[1] = s;
  }
  return [...by].map(([id, [a, b]]) => `${id}:${a}:${b}`);
}
