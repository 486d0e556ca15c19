import type { Severity } from '@basin/schemas';
import { levelOf, type GaugeReference } from '../model/levels.js';

/**
 * Flood status of a gauge from its reference levels, with the SL 758-2018 水情预警 colours
 * (domain-facts hydrology.flood_warning_signals):
 *   blue   接近警戒水位 — within `nearWarningM` below the warning level
 *   yellow 达到或超过警戒水位 — at or above warning
 *   orange 达到或超过保证水位 — at or above guaranteed
 *   red    达到或超过历史最高水位 — at or above the historical maximum
 * Reservoirs are judged by their own levels: above the flood-limit level in its season they
 * use flood storage (blue); at or above the flood-control high level, orange. The normal pool
 * outside the flood season is normal.
 */
export type FloodState =
  | 'normal' | 'near_warning' | 'above_warning' | 'above_guaranteed' | 'above_historical_max'
  | 'below_flood_limit' | 'above_flood_limit' | 'above_flood_control_high' | 'above_normal_pool';

export interface FloodStatus {
  state: FloodState;
  colour: Severity | null;
  /** Level exceeded (or approached) and the margin to it, m (positive = above). */
  reference: { kind: string; value: number; marginM: number } | null;
}

export function floodStatus(ref: GaugeReference, stage: number, t: number): FloodStatus {
  return ref.type === 'reservoir' ? reservoirStatus(ref, stage, t) : riverStatus(ref, stage, t);
}

function riverStatus(ref: GaugeReference, h: number, t: number): FloodStatus {
  const warning = levelOf(ref, 'warning', t);
  const guaranteed = levelOf(ref, 'guaranteed', t);
  const histMax = levelOf(ref, 'historical_max', t);
  const at = (kind: string, value: number) => ({ kind, value, marginM: round(h - value) });
  if (histMax !== null && h >= histMax) return { state: 'above_historical_max', colour: 'red', reference: at('historical_max', histMax) };
  if (guaranteed !== null && h >= guaranteed) return { state: 'above_guaranteed', colour: 'orange', reference: at('guaranteed', guaranteed) };
  if (warning !== null && h >= warning) return { state: 'above_warning', colour: 'yellow', reference: at('warning', warning) };
  if (warning !== null && h >= warning - ref.nearWarningM) return { state: 'near_warning', colour: 'blue', reference: at('warning', warning) };
  return { state: 'normal', colour: null, reference: warning === null ? null : at('warning', warning) };
}

function reservoirStatus(ref: GaugeReference, h: number, t: number): FloodStatus {
  const high = levelOf(ref, 'flood_control_high', t);
  const limit = levelOf(ref, 'flood_limit', t);
  const normal = levelOf(ref, 'normal_pool', t);
  const at = (kind: string, value: number) => ({ kind, value, marginM: round(h - value) });
  if (high !== null && h >= high) return { state: 'above_flood_control_high', colour: 'orange', reference: at('flood_control_high', high) };
  if (normal !== null && h > normal) return { state: 'above_normal_pool', colour: 'yellow', reference: at('normal_pool', normal) };
  if (limit !== null) {
    return h > limit ? { state: 'above_flood_limit', colour: 'blue', reference: at('flood_limit', limit) } : { state: 'below_flood_limit', colour: null, reference: at('flood_limit', limit) };
  }
  return { state: 'normal', colour: null, reference: normal === null ? null : at('normal_pool', normal) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

const COLOUR_RANK: Record<Severity, number> = { blue: 1, yellow: 2, orange: 3, red: 4 };
export function worseColour(a: Severity | null, b: Severity | null): Severity | null {
  if (a === null) return b;
  if (b === null) return a;
  return COLOUR_RANK[b] > COLOUR_RANK[a] ? b : a;
}
