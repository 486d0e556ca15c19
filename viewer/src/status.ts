import type { GaugeLevels, LatestReading, Severity, Station } from '@basin/schemas';

/**
 * A station's state as the globe shows it: its flood colour from its own reference levels, stale or
 * silent when readings stopped, the worst QC flag of its latest values. Pure: the clock is passed in.
 */
export type Liveness = 'live' | 'stale' | 'nodata';
export interface StationStatus {
  liveness: Liveness;
  /** SL 758 colour from the stage against 设防 / 警戒 / 保证 / historical maximum; null below 设防. */
  flood: Severity | null;
  stage: number | null;
  /** Newest reading time (ms), 0 when none. */
  newest: number;
  worstQuality: LatestReading['quality'] | null;
}

/**
 * Without the API's live state (a timeline replay of the past, or a server without
 * `/api/state/stations`) a station counts as stale when it sent nothing for this long (simulator
 * and loggers report every 1–10 min).
 */
export const STALE_MS = 15 * 60_000;

/**
 * Flood colour of a stage: red at or above the historical maximum, orange at or above 保证
 * (guaranteed), yellow at or above 警戒 (warning), blue at or above 设防 (set-up: near warning).
 */
export function floodLevel(levels: GaugeLevels | null, stage: number | null): Severity | null {
  if (!levels || stage === null) return null;
  if (levels.historicalMax != null && stage >= levels.historicalMax) return 'red';
  if (levels.guaranteed != null && stage >= levels.guaranteed) return 'orange';
  if (levels.warning != null && stage >= levels.warning) return 'yellow';
  if (levels.setup != null && stage >= levels.setup) return 'blue';
  return null;
}

const Q_RANK = { pass: 0, not_evaluated: 1, suspect: 2, fail: 3 } as const;

/**
 * `online` is the twin engine's own verdict (`GET /api/state/stations`, kept current by the stream's
 * station.online / station.offline events: fresh readings by the server's per-station limit and the
 * device not declared offline); null when the wall has none, then the 15-min rule applies.
 */
export function stationStatus(station: Pick<Station, 'levels'> & { kind?: Station['kind'] }, latest: readonly LatestReading[], now: number, online: boolean | null = null, staleMs = STALE_MS): StationStatus {
  let newest = 0;
  let stage: number | null = null;
  let worst: LatestReading['quality'] | null = null;
  for (const r of latest) {
    const t = Date.parse(r.time);
    if (t > newest) newest = t;
    if (r.metric === 'water_level') stage = r.value;
    if (worst === null || Q_RANK[r.quality] > Q_RANK[worst]) worst = r.quality;
  }
  const liveness: Liveness = newest === 0 ? 'nodata' : (online ?? now - newest <= staleMs) ? 'live' : 'stale';
  // Reservoir levels are 汛限 / 正常蓄水, not river flood levels: no SL 758 river colour for them.
  const flood = station.kind === 'reservoir' ? null : floodLevel(station.levels, stage);
  return { liveness, flood, stage, newest, worstQuality: worst };
}

/** Colours of the Chinese four-colour warning scale and of station states (CSS hex). */
export const SEVERITY_COLOR: Readonly<Record<Severity, string>> = { blue: '#2f7bff', yellow: '#ffd400', orange: '#ff8a00', red: '#ff2d2d' };
export const STATE_COLOR = { live: '#3fe0a0', stale: '#7b8794', nodata: '#4a5561', fail: '#ff4d4f', suspect: '#ffb020' } as const;

/** The colour a station is drawn with: an active alert, else its flood colour, else its liveness / QC. */
export function stationColor(s: StationStatus, alert: Severity | null): string {
  if (s.liveness !== 'live') return STATE_COLOR[s.liveness];
  if (alert) return SEVERITY_COLOR[alert];
  if (s.flood) return SEVERITY_COLOR[s.flood];
  if (s.worstQuality === 'fail') return STATE_COLOR.fail;
  if (s.worstQuality === 'suspect') return STATE_COLOR.suspect;
  return STATE_COLOR.live;
}
