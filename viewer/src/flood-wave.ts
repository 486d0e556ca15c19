import type { Severity, Station, StationForecast } from '@basin/schemas';
import { floodLevel } from './status';

/**
 * The forecast flood wave for the analysis view (pure): per gauge of the newest flood forecasts
 * (`GET /api/forecasts`), its predicted peak stage and when, the flood level of that peak, and the
 * first reference level the forecast crosses with its arrival time — the wave read along the river
 * from gauge to gauge.
 */
export interface WaveGauge {
  station: string;
  pos: [number, number];
  peak: number;
  peakAt: number;
  flood: Severity | null;
  /** The first level crossed (warning, guaranteed, …) and when; null when none is crossed. */
  crossing: { level: string; at: number } | null;
}

export function floodWave(forecasts: readonly StationForecast[], stations: ReadonlyMap<string, Pick<Station, 'location' | 'levels'>>): WaveGauge[] {
  const out: WaveGauge[] = [];
  for (const f of forecasts) {
    const s = stations.get(f.station);
    const stage = f.series.water_level;
    if (!s || !stage || stage.length === 0) continue;
    let top = stage[0]!;
    for (const p of stage) if (p.value > top.value) top = p;
    const crossed = f.crossings.filter((c) => c.crossingAt !== null).sort((a, b) => a.crossingAt! - b.crossingAt!)[0];
    out.push({
      station: f.station,
      pos: [s.location.lon, s.location.lat],
      peak: top.value,
      peakAt: Date.parse(top.validAt),
      flood: floodLevel(s.levels ?? null, top.value),
      crossing: crossed ? { level: String(crossed.level), at: crossed.crossingAt! } : null,
    });
  }
  return out.sort((a, b) => a.peakAt - b.peakAt);
}

/** "+6 h" / "−2 h" from now, rounded to the hour. */
export function hoursFrom(now: number, at: number): string {
  const h = Math.round((at - now) / 3_600_000);
  return `${h >= 0 ? '+' : '−'}${Math.abs(h)} h`;
}
