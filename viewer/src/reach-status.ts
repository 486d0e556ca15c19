import { riverPoint, RIVER_AXES, type Severity, type WaterClass } from '@basin/schemas';
import { SEVERITY_COLOR, STATE_COLOR } from './status';

/**
 * Reaches of the twin's river network coloured by their live state (pure): the SL 758 flood colour
 * of the reach's worst gauge first, else the GB 3838 class of its worst section, else grey when
 * every station on it is stale. Colours of the water classes as 《地表水环境质量评价办法（试行）》
 * (环办〔2011〕22号) maps them: I–II blue, III green, IV yellow, V orange, worse than V red.
 */
export const WATER_CLASS_COLOR: Readonly<Record<WaterClass, string>> = {
  I: '#33a7ff',
  II: '#33a7ff',
  III: '#22c55e',
  IV: '#ffd400',
  V: '#ff8a00',
  worse_than_V: '#ff2d2d',
};

export interface ReachState {
  stations: number;
  online: number;
  worstWaterClass: WaterClass | null;
  floodColour: Severity | null;
}

export type ReachLook = { color: string; why: 'flood' | 'water' | 'stale' } | null;

export function reachLook(s: ReachState | undefined): ReachLook {
  if (!s) return null;
  if (s.floodColour) return { color: SEVERITY_COLOR[s.floodColour], why: 'flood' };
  if (s.worstWaterClass) return { color: WATER_CLASS_COLOR[s.worstWaterClass], why: 'water' };
  if (s.stations > 0 && s.online === 0) return { color: STATE_COLOR.stale, why: 'stale' };
  return null;
}

/** The reach's course on the river line, a point every `stepKm` (catalogue river-km, clipped to the line). */
export function reachLine(river: string, fromKm: number, toKm: number, stepKm = 2): [number, number][] {
  if (river !== 'Yangtze' && river !== 'Han') return [];
  const [lo, hi] = RIVER_AXES[river].kmRange;
  const a = Math.max(lo, Math.min(fromKm, toKm));
  const b = Math.min(hi, Math.max(fromKm, toKm));
  if (!(b > a)) return [];
  const n = Math.max(1, Math.ceil((b - a) / stepKm));
  return Array.from({ length: n + 1 }, (_, i) => riverPoint(river, a + ((b - a) * i) / n));
}
