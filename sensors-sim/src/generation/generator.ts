import { buildHj212Realtime, encodeHj212Frame, encodeReadingBatch, encodeSenml, HJ212_POLLUTANT, HJ212_ST, mnOf, topics, type DeviceStatus, type Reading } from '@basin/schemas';
import { hashUnit } from '../random.js';
import type { Scenario } from '../scenario.js';
import { roundValue, SignalModel } from '../signals.js';
import type { SimStation } from '../stations.js';
import { stationJson, writeGroupJson, type StationJson } from './encode.js';
import { applyFaults, batteryLevel, compileFaults, type StationFaults } from './faults.js';
import { hostilePayload } from './hostile.js';
import { compileOutages, outageAt, type OutageWindow } from './outages.js';

const HOUR = 3_600_000;
/** Readings per gateway batch message. */
const GATEWAY_CHUNK = 5000;

export type PublishMode = 'station' | 'gateway' | 'hj212';

/** What to do with a generated message (see Sink.put). */
export const SEND = 0;
export const HOLD = 1;
export const DROP = 2;
export const CONTROL = 3;
export const HOSTILE = 4;
export type MessageKind = typeof SEND | typeof HOLD | typeof DROP | typeof CONTROL | typeof HOSTILE;

/** Encodes a payload at `off` of `buf`; returns the end offset. */
export type PayloadWriter = (buf: Buffer, off: number) => number;

/**
 * Where generated messages go, in order. SEND: readings to publish; HOLD: readings a gateway in an
 * outage stores (`gateway`); DROP: readings lost (an outage without backfill, `meta` names their
 * seqs) or a station's dropout (`meta` empty, `count` 1); CONTROL: a retained status or registry
 * document; HOSTILE: a malformed test payload. tickEnd(t): every station of tick `t` is generated.
 */
export interface Sink {
  /** `write` is called (at most once) before put() returns: it may encode from reused buffers. */
  put(kind: MessageKind, gateway: string, lane: number, topic: string, meta: string, count: number, retain: boolean, maxBytes: number, write: PayloadWriter): void;
  tickEnd(t: number): void;
}

/** Everything generation needs (plain data: it is also sent to the generation worker). */
export interface GeneratorConfig {
  scenario: Scenario;
  seed: number;
  stations: SimStation[];
  intervalMs: number;
  /** Start of the run (aligned to the interval): scenario times count from here. */
  t0: number;
  mode: PublishMode;
  format: 'json' | 'senml';
  hj212?: { pw: string; awaitAnswer: boolean };
  allowHostile: boolean;
  /** Lane of every station (by index) and of every gateway. */
  laneOfStation: number[];
  laneOfGateway: Map<string, number>;
}

/** Generation position: the tick and the stations of it already generated. */
export interface Position {
  tick: number;
  cursor: number;
}

const stringWriter =
  (s: string | Buffer): PayloadWriter =>
  (b, o) =>
    o + (typeof s === 'string' ? b.write(s, o, 'utf8') : s.copy(b, o));
const maxBytes = (s: string | Buffer) => (typeof s === 'string' ? 3 * s.length : s.length);

/**
 * Pure generation (no I/O; the clock for status documents is injected): signal values, faults,
 * outages, sequence numbers and payload encoding (JSON, SenML, gateway batches, HJ 212), in a
 * deterministic order, handed to a Sink. It owns the sequence numbers it hands out (`seq`, from
 * the run state on a resume); the consumer learns them from the messages' meta.
 */
export class Generator {
  readonly model: SignalModel;
  private readonly faults: Map<string, StationFaults>;
  private readonly outages: OutageWindow[];
  private readonly enc: StationJson[];
  private readonly values: number[] = [];
  private gwAcc = new Map<string, { readings: Reading[]; meta: string[] }>();
  private hostileAcc = 0;
  private hostileCount = 0;

  constructor(
    private readonly c: GeneratorConfig,
    private readonly seq: Record<string, number>,
    private readonly now: () => number,
  ) {
    this.model = new SignalModel(c.scenario, c.seed, c.t0, c.intervalMs);
    this.faults = compileFaults(c.scenario, c.stations, c.seed, c.t0);
    this.outages = compileOutages(c.scenario, c.stations, c.seed, c.t0);
    this.enc = c.mode === 'station' && c.format === 'json' ? c.stations.map(stationJson) : [];
  }

  /**
   * Generate from `pos` (moved on) up to `budget` station-ticks, not beyond tick `limit`
   * (inclusive). A tick's last slice also emits the gateway batches and hostile messages.
   */
  generate(pos: Position, budget: number, limit: number, sink: Sink): void {
    const n = this.c.stations.length;
    while (budget > 0 && pos.tick <= limit) {
      const stop = Math.min(n, pos.cursor + budget);
      for (let i = pos.cursor; i < stop; i++) this.station(i, pos.tick, sink);
      budget -= Math.max(1, stop - pos.cursor);
      pos.cursor = stop;
      if (stop < n) continue;
      this.finishTick(pos.tick, sink);
      pos.cursor = 0;
      pos.tick += this.c.intervalMs;
    }
  }

  private nextSeq(id: string, n: number): number {
    const first = (this.seq[id] ?? 0) + 1;
    this.seq[id] = first + n - 1;
    return first;
  }

  private station(index: number, t: number, sink: Sink): void {
    const c = this.c;
    const st = c.stations[index]!;
    const f = this.faults.get(st.id);
    const tick = Math.round(t / c.intervalMs);
    if (f?.batteryDeath && !this.battery(st, index, f, t, tick, sink)) return;
    if (f && f.dropout > 0 && hashUnit(c.seed, st.key, tick, 0xd0) < f.dropout) {
      sink.put(DROP, st.gateway, c.laneOfStation[index]!, '', '', 1, false, 0, (_, o) => o);
      return;
    }
    const v = this.model.sample(st, t, this.values);
    if (f) applyFaults(st, f, t, tick, c.intervalMs, c.seed, v, (at) => this.model.sample(st, at));
    const ts = t + (f?.skewMs ?? 0);
    const outage = outageAt(this.outages, st.gateway, t);
    if (c.mode === 'hj212') this.hj212(st, index, v, ts, outage, sink);
    else if (c.mode === 'gateway') this.accumulate(st, v, ts);
    else if (c.format === 'json') this.stationJson(st, index, v, ts, outage, sink);
    else this.stationSenml(st, index, v, ts, outage, sink);
  }

  /** A dying battery: hourly charge reports, an offline report when it dies. False once dead. */
  private battery(st: SimStation, index: number, f: StationFaults, t: number, tick: number, sink: Sink): boolean {
    const level = batteryLevel(f, t)!;
    if (t >= f.batteryDeath!.at) {
      if (t - this.c.intervalMs < f.batteryDeath!.at) this.status(st, index, 'offline', 0, sink, 'battery exhausted');
      return false;
    }
    if (tick % Math.max(1, Math.round(HOUR / this.c.intervalMs)) === 0) this.status(st, index, 'online', level, sink);
    return true;
  }

  private kindIn(outage: OutageWindow | null): MessageKind {
    return !outage ? SEND : outage.backfill ? HOLD : DROP;
  }

  private stationJson(st: SimStation, index: number, v: number[], ts: number, outage: OutageWindow | null, sink: Sink): void {
    // Hot path: the JSON of encodeReadingBatch(readings, { station }) written from pre-encoded pieces.
    const enc = this.enc[index]!;
    const lane = this.c.laneOfStation[index]!;
    const kind = this.kindIn(outage);
    const w = this.group;
    w.st = st;
    w.enc = enc;
    w.values = v;
    w.ts = ts;
    for (let gi = 0; gi < st.groups.length; gi++) {
      const g = st.groups[gi]!;
      const n = g.idx.length;
      const first = this.nextSeq(st.id, n);
      w.gi = gi;
      w.first = first;
      sink.put(kind, st.gateway, lane, g.topic, `${st.id}:${first}:${first + n - 1}`, n, false, enc.maxBytes[gi]!, this.writeGroup);
    }
  }

  /** The group being put (station JSON): one writer for all, as put() calls it before returning (no closure per message). */
  private readonly group = { st: null as unknown as SimStation, enc: null as unknown as StationJson, gi: 0, values: [] as number[], ts: 0, first: 0 };
  private readonly writeGroup: PayloadWriter = (buf, off) => {
    const w = this.group;
    return writeGroupJson(buf, off, w.st, w.enc, w.gi, w.values, w.ts, w.first);
  };

  private stationSenml(st: SimStation, index: number, v: number[], ts: number, outage: OutageWindow | null, sink: Sink): void {
    const kind = this.kindIn(outage);
    for (const g of st.groups) {
      const readings = this.readings(st, g.idx, v, ts);
      const payload = encodeSenml(st.id, readings);
      sink.put(kind, st.gateway, this.c.laneOfStation[index]!, g.topic, rangeOf(readings), readings.length, false, maxBytes(payload), stringWriter(payload));
    }
  }

  private hj212(st: SimStation, index: number, v: number[], ts: number, outage: OutageWindow | null, sink: Sink): void {
    const h = this.c.hj212!;
    const values = st.metrics.map((metric, i) => ({ metric, value: roundValue(metric, v[i]!) })).filter((x) => HJ212_POLLUTANT[x.metric]);
    if (values.length === 0) return;
    const first = this.nextSeq(st.id, values.length);
    const seg = buildHj212Realtime({
      mn: mnOf(st.station), // the one MN rule, shared with ingest (schemas/src/mn.ts)
      pw: h.pw,
      st: st.station.kind === 'air_quality' ? HJ212_ST.AIR_QUALITY : HJ212_ST.SURFACE_WATER,
      ts,
      qnTs: ts,
      flag: h.awaitAnswer ? 5 : 4,
      values,
    });
    const frame = encodeHj212Frame(seg);
    sink.put(this.kindIn(outage), st.gateway, this.c.laneOfStation[index]!, '', `${st.id}:${first}:${first + values.length - 1}`, values.length, false, maxBytes(frame), stringWriter(frame));
  }

  private readings(st: SimStation, idx: readonly number[], v: number[], ts: number): Reading[] {
    const first = this.nextSeq(st.id, idx.length);
    return idx.map((i, k) => ({ station: st.id, metric: st.metrics[i]!, value: roundValue(st.metrics[i]!, v[i]!), ts, quality: 'not_evaluated', seq: first + k }));
  }

  /** Gateway mode: a station's readings join its gateway's batch of this tick. */
  private accumulate(st: SimStation, v: number[], ts: number): void {
    let acc = this.gwAcc.get(st.gateway);
    if (!acc) this.gwAcc.set(st.gateway, (acc = { readings: [], meta: [] }));
    for (const g of st.groups) {
      const readings = this.readings(st, g.idx, v, ts);
      acc.readings.push(...readings);
      acc.meta.push(rangeOf(readings));
    }
  }

  private finishTick(t: number, sink: Sink): void {
    for (const [gw, acc] of this.gwAcc) {
      const kind = this.kindIn(outageAt(this.outages, gw, t));
      for (let i = 0; i < acc.readings.length; i += GATEWAY_CHUNK) {
        const chunk = acc.readings.slice(i, i + GATEWAY_CHUNK);
        const meta = (acc.readings.length <= GATEWAY_CHUNK ? acc.meta : rangesOf(chunk)).join(';');
        const payload = encodeReadingBatch(chunk, { source: gw });
        sink.put(kind, gw, this.c.laneOfGateway.get(gw)!, topics.gatewayReadings(gw), meta, chunk.length, false, maxBytes(payload), stringWriter(payload));
      }
    }
    this.gwAcc = new Map();
    sink.tickEnd(t);
    this.hostile(t, sink);
  }

  private hostile(t: number, sink: Sink): void {
    const c = this.c;
    const h = c.scenario.hostile;
    if (!h || !c.allowHostile || c.mode === 'hj212') return;
    this.hostileAcc += (h.perHour * c.intervalMs) / HOUR;
    while (this.hostileAcc >= 1) {
      this.hostileAcc--;
      const kind = h.kinds[this.hostileCount % h.kinds.length]!;
      const index = Math.floor(hashUnit(c.seed, this.hostileCount, 0x0b) * c.stations.length);
      const st = c.stations[index]!;
      const msg = hostilePayload(kind, st, t, this.hostileCount);
      sink.put(HOSTILE, st.gateway, c.laneOfStation[index]!, msg.topic, '', 0, false, maxBytes(msg.payload), stringWriter(msg.payload));
      this.hostileCount++;
    }
  }

  /** A station's DeviceStatus (battery reports); not in HJ 212 mode. */
  private status(st: SimStation, index: number, state: 'online' | 'offline', battery: number, sink: Sink, reason?: string): void {
    if (this.c.mode === 'hj212') return;
    const doc: DeviceStatus = { v: 1, client: st.id, state, ts: this.now(), kind: 'station', stations: [st.id], battery, ...(reason ? { reason } : {}) };
    const json = JSON.stringify(doc);
    sink.put(CONTROL, st.gateway, this.c.laneOfStation[index]!, topics.status(st.id), '', 0, true, maxBytes(json), stringWriter(json));
  }
}

/** Retained registry documents of the synthetic stations (sent once, before their readings). */
export function provision(c: GeneratorConfig, sink: Sink): void {
  if (c.mode === 'hj212') return;
  c.stations.forEach((s, i) => {
    if (!s.station.synthetic) return;
    const lane = c.mode === 'gateway' ? c.laneOfGateway.get(s.gateway)! : c.laneOfStation[i]!;
    const doc = JSON.stringify(s.station);
    sink.put(CONTROL, s.gateway, lane, topics.registry(s.id), '', 0, true, maxBytes(doc), stringWriter(doc));
  });
}

/** The seq range of one station's readings (`station:first:last`). */
function rangeOf(readings: readonly Reading[]): string {
  return `${readings[0]!.station}:${readings[0]!.seq}:${readings[readings.length - 1]!.seq}`;
}

/** The seq ranges per station of a gateway batch chunk. */
export function rangesOf(readings: readonly Reading[]): string[] {
  const by = new Map<string, [number, number]>();
  for (const r of readings) {
    const s = r.seq ?? 0;
    const e = by.get(r.station);
    if (!e) by.set(r.station, [s, s]);
    else e[1] = s;
  }
  return [...by].map(([id, [a, b]]) => `${id}:${a}:${b}`);
}
