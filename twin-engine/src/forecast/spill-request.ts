import type { SpillRequest } from '@basin/schemas';
import type { BasinModel, RiverPoint } from '../model/network.js';
import type { LiveState } from '../state/live.js';
import { isGb3838Item, limitsOf } from '../standards/gb3838.js';
import { predictSpill, SPILL_DEFAULTS, type SpillArrival, type SpillParams, type SpillTarget } from './spill.js';

/** Discharge used where no gauge upstream of a target reports one, m³/s (ESTIMATES: mean flows, Yangtze at Hankou 22,530, Han ~1,500). */
const FALLBACK_Q = { Yangtze: 22_530, Han: 1_500 } as const;

/** The GB 3838 class III limit (river) of a metric, mg/L: the default concentration of concern at an intake. */
export function classIIILimit(metric: string): number | null {
  if (!isGb3838Item(metric) || metric === 'ph' || metric === 'water_temp' || metric === 'do') return null;
  return limitsOf(metric, 'river')?.[2] ?? null;
}

/** Latest discharge at the nearest gauge upstream of (or at) a point, with where it came from. */
export function dischargeAt(model: BasinModel, live: LiveState, p: RiverPoint): { q: number; from: string } {
  for (const u of model.upstreamOf(p)) {
    const m = live.stations.get(u.station)?.metrics.get('discharge');
    if (m && Number.isFinite(m.value) && model.stations.get(u.station)?.river === p.river) return { q: m.value, from: u.station };
  }
  return { q: FALLBACK_Q[p.river], from: 'estimate' };
}

export interface SpillForecast {
  origin: RiverPoint;
  params: SpillParams & { metric: string };
  arrivals: (SpillArrival & { kind: string; river: string; km: number; bank: string | null; dischargeM3s: number; dischargeFrom: string })[];
}

/** A declared spill → the plume at every drinking-water intake and water-quality station downstream. Null when the place is not on the network. */
export function spillForecast(model: BasinModel, live: LiveState, req: SpillRequest): SpillForecast | null {
  const origin = req.station !== undefined ? model.pointOf(req.station) : { river: req.river!, km: req.km! };
  if (!origin) return null;
  const params: SpillForecast['params'] = {
    at: origin,
    releaseAt: Date.parse(req.at),
    durationH: req.durationH,
    massKg: req.massKg,
    velocityMs: req.velocityMs ?? SPILL_DEFAULTS.velocityMs,
    dispersionM2s: req.dispersionM2s ?? SPILL_DEFAULTS.dispersionM2s,
    transverseM2s: SPILL_DEFAULTS.transverseM2s,
    decayPerDay: req.decayPerDay ?? SPILL_DEFAULTS.decayPerDay,
    bank: req.bank,
    thresholdMgL: req.thresholdMgL === undefined ? classIIILimit(req.metric) : req.thresholdMgL,
    metric: req.metric,
  };
  const targets: (SpillTarget & { from: string })[] = [];
  for (const s of model.stations.values()) {
    if (s.kind !== 'water_intake' && s.kind !== 'water_quality') continue;
    const point = { river: s.river, km: s.km };
    const { q, from } = dischargeAt(model, live, point);
    targets.push({ station: s.id, point, bank: model.stationInfo.get(s.id)?.bank ?? null, dischargeM3s: q, from });
  }
  const byId = new Map(targets.map((t) => [t.station, t]));
  const arrivals = predictSpill(model, params, targets).map((a) => {
    const t = byId.get(a.station)!;
    return { ...a, kind: model.stations.get(a.station)!.kind, river: t.point.river, km: t.point.km, bank: t.bank, dischargeM3s: t.dischargeM3s, dischargeFrom: t.from };
  });
  return { origin, params, arrivals };
}
