import type { LatestReading, MetricCode, QualityFlag, Station } from '@basin/schemas';
import type { ReadingsWindow } from './api';

/**
 * Timeline replay (pure): the wall's "latest values" as they stood at a past moment, from the
 * readings series of the last 24 h, so the same status and KPI logic colours the past. One series
 * per station and metric, oldest first.
 */
export interface ReplaySeries {
  station: string;
  metric: MetricCode;
  /** Epoch ms, ascending. */
  t: number[];
  v: number[];
  q: QualityFlag[];
}

/** Index of the last time ≤ at, −1 when every time is later. */
export function lastAtOrBefore(t: readonly number[], at: number): number {
  let lo = 0;
  let hi = t.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The newest reading of each series at `at` (series with none yet are left out). */
export function latestAt(series: readonly ReplaySeries[], at: number): LatestReading[] {
  const out: LatestReading[] = [];
  for (const s of series) {
    const i = lastAtOrBefore(s.t, at);
    if (i < 0) continue;
    const time = new Date(s.t[i]!).toISOString();
    out.push({ station: s.station, metric: s.metric, value: s.v[i]!, time, quality: s.q[i]!, receivedAt: time });
  }
  return out;
}

/** Rows the replay asks the API for at most (its row limit, API_MAX_ROWS, is 50,000 by default). */
export const REPLAY_MAX_ROWS = 40_000;

/** The step (s) of a replay window: 5 min, coarser when stations × steps would pass the row budget. */
export function replayStep(windowMs: number, stations: number, maxRows = REPLAY_MAX_ROWS): number {
  const perStation = Math.max(1, Math.floor(maxRows / Math.max(1, stations)));
  return Math.max(300, Math.ceil(windowMs / 1000 / perStation));
}

/** Each station's series of its primary metric from one window answer (other metrics left out). */
export function replaySeries(stations: readonly Pick<Station, 'id' | 'metrics'>[], answer: Pick<ReadingsWindow, 'series'>): ReplaySeries[] {
  const primary = new Map(stations.map((s) => [s.id, primaryMetric(s)]));
  return answer.series
    .filter((x) => primary.get(x.station) === x.metric)
    .map((x) => ({ station: x.station, metric: x.metric, t: x.points.map((p) => Date.parse(p.time)), v: x.points.map((p) => p.value), q: x.points.map((p) => p.quality ?? 'not_evaluated') }));
}

/** Slider position (0 … steps) ↔ time in the window [from, to]. */
export function timeAtStep(from: number, to: number, step: number, steps: number): number {
  return from + ((to - from) * Math.max(0, Math.min(steps, step))) / steps;
}

const PRIMARY: readonly MetricCode[] = ['water_level', 'nh3n', 'pm25', 'cd', 'outflow', 'discharge'];

/** The metric a station is shown by (its chart's default, its replay series). */
export function primaryMetric(s: Pick<Station, 'metrics'>): MetricCode | null {
  return PRIMARY.find((m) => s.metrics.includes(m)) ?? s.metrics[0] ?? null;
}
