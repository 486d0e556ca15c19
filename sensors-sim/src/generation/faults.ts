import type { MetricCode } from '@basin/schemas';
import { hashUnit } from '../random.js';
import type { Fault, Scenario } from '../scenario.js';
import type { SimStation } from '../stations.js';
import { SimErrors } from '../errors.js';

const HOUR = 3_600_000;

/** Faults resolved to stations, with absolute times. */
export interface StationFaults {
  stuck: { metrics: Set<MetricCode> | null; from: number; to: number }[];
  drift: { metrics: Set<MetricCode> | null; from: number; to: number; perMs: number }[];
  spikes: { metrics: Set<MetricCode> | null; p: number; magnitude: number }[];
  dropout: number;
  batteryDeath: { at: number; drainFrom: number } | null;
  skewMs: number;
}

function targets(f: Fault, stations: readonly SimStation[], seed: number, salt: number): SimStation[] {
  if (f.stations) {
    const byId = new Map(stations.map((s) => [s.id, s]));
    return f.stations.flatMap((id) => {
      const s = byId.get(id);
      if (!s && stations.length >= 30) throw SimErrors.STATION_NOT_FOUND(id);
      return s ? [s] : [];
    });
  }
  const frac = f.fraction ?? 1;
  return stations.filter((s) => hashUnit(seed, s.key, salt, 0x5eed) < frac);
}

/** Resolve a scenario's faults for the selected stations (deterministic from the seed). */
export function compileFaults(scenario: Scenario, stations: readonly SimStation[], seed: number, t0: number): Map<string, StationFaults> {
  const out = new Map<string, StationFaults>();
  const get = (id: string) => {
    let f = out.get(id);
    if (!f) {
      f = { stuck: [], drift: [], spikes: [], dropout: 0, batteryDeath: null, skewMs: 0 };
      out.set(id, f);
    }
    return f;
  };
  scenario.faults.forEach((f, i) => {
    const metrics = f.metrics ? new Set(f.metrics) : null;
    for (const s of targets(f, stations, seed, i)) {
      const sf = get(s.id);
      switch (f.type) {
        case 'stuck':
          sf.stuck.push({ metrics, from: t0 + f.fromH * HOUR, to: f.toH === undefined ? Infinity : t0 + f.toH * HOUR });
          break;
        case 'drift':
          sf.drift.push({ metrics, from: t0 + f.fromH * HOUR, to: f.toH === undefined ? Infinity : t0 + f.toH * HOUR, perMs: f.perDay / (24 * HOUR) });
          break;
        case 'spikes':
          sf.spikes.push({ metrics, p: f.probability, magnitude: f.magnitude });
          break;
        case 'dropouts':
          sf.dropout = Math.max(sf.dropout, f.probability);
          break;
        case 'battery_death':
          sf.batteryDeath = { at: t0 + f.atH * HOUR, drainFrom: t0 + (f.drainFromH ?? f.atH - 24) * HOUR };
          break;
        case 'clock_skew':
          sf.skewMs += f.skewS * 1000;
          break;
      }
    }
  });
  return out;
}

/** Battery charge (%) of a station with a dying battery at time t. */
export function batteryLevel(f: StationFaults, t: number): number | null {
  const b = f.batteryDeath;
  if (!b) return null;
  if (t >= b.at) return 0;
  if (t <= b.drainFrom) return 100;
  return Math.max(0, Math.round(100 * (1 - (t - b.drainFrom) / (b.at - b.drainFrom))));
}

/**
 * Apply a station's stuck, drift and spike faults at time `t` to the sampled values `v` (in
 * place). `sampleAt(from)` gives the station's values at another instant (a stuck sensor repeats
 * the value of its interval when it stuck); `tick` and `seed` decide the spikes.
 */
export function applyFaults(st: SimStation, f: StationFaults, t: number, tick: number, intervalMs: number, seed: number, v: number[], sampleAt: (t: number) => number[]): void {
  for (const s of f.stuck) {
    if (t < s.from || t >= s.to) continue;
    const frozen = sampleAt(s.from - (((s.from % intervalMs) + intervalMs) % intervalMs));
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
      const u = hashUnit(seed, st.key, tick, i + 0x5b);
      if (u < s.p) v[i] = v[i]! * (u < s.p / 2 ? 1 + s.magnitude : 1 / (1 + s.magnitude));
    });
  }
}
