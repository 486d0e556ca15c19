import { EventEmitter } from 'node:events';
import type { MetricCode, QualityFlag } from '@basin/schemas';
import type { Clock } from './clock.js';
import { Deadlines } from './deadlines.js';

/** One committed reading as the live state sees it (`ts`: the reading's own time, epoch ms). */
export interface StateReading {
  station: string;
  metric: MetricCode;
  value: number;
  ts: number;
  quality: QualityFlag;
  /** When ingest received it (epoch ms); absent for in-process readings, which count as received at `ts`. */
  receivedAt?: number;
}

export interface MetricState {
  value: number;
  ts: number;
  quality: QualityFlag;
  /** When ingest received the latest value (epoch ms). */
  receivedAt: number;
  /** Rate of change per hour (least squares over the trend window), null with fewer than 2 points. */
  trendPerH: number | null;
  /** Recent [ts, value] points, oldest first (the trend window and the forecast's inputs). */
  history: [number, number][];
}

export interface StationState {
  station: string;
  metrics: Map<MetricCode, MetricState>;
  lastTs: number | null;
  /** The state's `version` when a latest value of this station last changed. */
  changedAt: number;
  /** Device status from birth / last-will messages, null when none was seen. */
  device: { state: 'online' | 'offline'; since: number } | null;
  online: boolean;
}

export interface LiveStateOptions {
  /** A station without a reading for this long is offline (ms). */
  staleMs: number;
  /** Window of the trend and the kept history (ms). */
  historyMs: number;
}

export type StateEvent =
  | { type: 'reading'; station: string; readings: StateReading[] }
  /** `lastTs` / `deviceSince`: what the decision rested on (the same in every process). */
  | { type: 'online'; station: string; online: boolean; at: number; lastTs: number | null; deviceSince: number | null };

/**
 * Live state per station: latest value per metric with trend, QC flag and history; online when
 * the device is not declared offline (last will) and a reading arrived within `staleMs`. Each
 * station has one exact staleness deadline; a single timer waits for the earliest (no sweeps).
 * Applying is idempotent: readings at or before the kept ones are ignored for the latest value.
 */
export class LiveState {
  readonly stations = new Map<string, StationState>();
  /** Counts applies that changed a latest value (caches of derived answers compare it). */
  version = 0;
  private readonly events = new EventEmitter();
  /** Staleness deadline per station (one timer waits for the earliest). */
  private readonly deadlines = new Deadlines();
  private timer: unknown = null;
  private timerAt = Infinity;

  constructor(
    readonly clock: Clock,
    readonly opts: LiveStateOptions,
  ) {}

  subscribe(fn: (e: StateEvent) => void): () => void {
    this.events.on('event', fn);
    return () => this.events.off('event', fn);
  }

  private station(id: string): StationState {
    let s = this.stations.get(id);
    if (!s) {
      s = { station: id, metrics: new Map(), lastTs: null, changedAt: 0, device: null, online: false };
      this.stations.set(id, s);
    }
    return s;
  }

  /** Apply committed readings (any order; duplicates ignored). Returns those that changed the state. */
  apply(readings: readonly StateReading[], emit = true): StateReading[] {
    const changed: StateReading[] = [];
    const touched = new Set<StationState>();
    let latestChanged = false;
    const version = this.version + 1;
    for (const r of readings) {
      const s = this.station(r.station);
      let m = s.metrics.get(r.metric);
      if (!m) {
        m = { value: r.value, ts: r.ts, quality: r.quality, receivedAt: r.receivedAt ?? r.ts, trendPerH: null, history: [] };
        s.metrics.set(r.metric, m);
        s.changedAt = version;
        latestChanged = true;
      }
      if (!insertPoint(m.history, r.ts, r.value)) continue;
      if (r.ts >= m.ts) {
        m.value = r.value;
        m.ts = r.ts;
        m.quality = r.quality;
        m.receivedAt = r.receivedAt ?? r.ts;
        s.changedAt = version;
        latestChanged = true;
      }
      changed.push(r);
      touched.add(s);
      if (s.lastTs === null || r.ts > s.lastTs) s.lastTs = r.ts;
    }
    if (latestChanged) this.version = version;
    const now = this.clock.now();
    for (const s of touched) {
      for (const m of s.metrics.values()) {
        trim(m.history, m.ts - this.opts.historyMs);
        m.trendPerH = slopePerHour(m.history);
      }
      this.refreshOnline(s, now, emit);
    }
    if (emit && changed.length) {
      const byStation = new Map<string, StateReading[]>();
      for (const r of changed) (byStation.get(r.station) ?? byStation.set(r.station, []).get(r.station)!).push(r);
      for (const [station, rs] of byStation) this.events.emit('event', { type: 'reading', station, readings: rs } satisfies StateEvent);
    }
    return changed;
  }

  /** Apply a device birth / last-will status for the stations it reports for. */
  applyDevice(stations: readonly string[], state: 'online' | 'offline', since: number, emit = true): void {
    const now = this.clock.now();
    for (const id of stations) {
      const s = this.station(id);
      if (s.device && s.device.since > since) continue;
      s.device = { state, since };
      this.refreshOnline(s, now, emit);
    }
  }

  private refreshOnline(s: StationState, now: number, emit: boolean): void {
    const fresh = s.lastTs !== null && now - s.lastTs < this.opts.staleMs;
    const declaredOff = s.device?.state === 'offline' && (s.lastTs === null || s.device.since >= s.lastTs);
    const online = fresh && !declaredOff;
    if (fresh) this.schedule(s.lastTs! + this.opts.staleMs, s.station);
    if (online !== s.online) {
      s.online = online;
      if (emit) this.events.emit('event', { type: 'online', station: s.station, online, at: now, lastTs: s.lastTs, deviceSince: s.device?.since ?? null } satisfies StateEvent);
    }
  }

  private schedule(at: number, station: string): void {
    this.deadlines.set(station, at);
    if (at < this.timerAt) this.arm();
  }

  private arm(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    const next = this.deadlines.next();
    this.timer = null;
    this.timerAt = Infinity;
    if (next === null) return;
    this.timerAt = next;
    this.timer = this.clock.setTimer(() => this.onDeadline(), next - this.clock.now());
  }

  private onDeadline(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (const [id, at] of this.deadlines.due(now)) {
      const s = this.stations.get(id);
      // Stale entry (a newer reading moved the deadline): skip.
      if (!s || s.lastTs === null || s.lastTs + this.opts.staleMs !== at) continue;
      this.refreshOnline(s, now, true);
    }
    this.arm();
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  /** Latest state as plain rows (API, comparisons). */
  snapshot(): { station: string; online: boolean; lastTs: number | null; metrics: Record<string, { value: number; ts: number; quality: QualityFlag; trendPerH: number | null }> }[] {
    const out = [];
    for (const s of [...this.stations.values()].sort((a, b) => a.station.localeCompare(b.station))) {
      const metrics: Record<string, { value: number; ts: number; quality: QualityFlag; trendPerH: number | null }> = {};
      for (const [k, m] of [...s.metrics].sort((a, b) => a[0].localeCompare(b[0]))) metrics[k] = { value: m.value, ts: m.ts, quality: m.quality, trendPerH: m.trendPerH === null ? null : round6(m.trendPerH) };
      out.push({ station: s.station, online: s.online, lastTs: s.lastTs, metrics });
    }
    return out;
  }
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Insert [ts, v] keeping time order; false when that time is already present. */
function insertPoint(h: [number, number][], ts: number, v: number): boolean {
  let i = h.length;
  while (i > 0 && h[i - 1]![0] > ts) i--;
  if (i > 0 && h[i - 1]![0] === ts) return false;
  h.splice(i, 0, [ts, v]);
  return true;
}

function trim(h: [number, number][], from: number): void {
  let n = 0;
  while (n < h.length - 2 && h[n]![0] < from) n++;
  if (n) h.splice(0, n);
}

/** Least-squares slope of the points, per hour. */
export function slopePerHour(h: readonly [number, number][]): number | null {
  if (h.length < 2) return null;
  const t0 = h[0]![0];
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const [t, v] of h) {
    const x = (t - t0) / 3_600_000;
    sx += x; sy += v; sxx += x * x; sxy += x * v;
  }
  const n = h.length;
  const d = n * sxx - sx * sx;
  return d === 0 ? null : (n * sxy - sx * sy) / d;
}
