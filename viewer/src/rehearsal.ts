import { z } from 'zod';
import { RehearsalModifier, Severity, type MetricCode, type Station } from '@basin/schemas';
import { floodLevel, SEVERITY_COLOR } from './status';

/**
 * 预演 rehearsal view (pure): the modifier an operator composes in the form, and what a finished
 * run shows — each station's predicted peak against its current value and the unmodified
 * baseline, and the colours the map takes to show the predicted state (the worst of the alert the
 * rehearsal would raise there and the flood level of its predicted peak stage).
 */
export const RehearsalAlert = z.looseObject({ kind: z.string(), ruleId: z.string(), subject: z.string(), severity: Severity.nullable(), at: z.number(), reason: z.string() });
export type RehearsalAlert = z.infer<typeof RehearsalAlert>;
const Peak = z.object({ station: z.string(), metric: z.string(), value: z.number(), at: z.number() });
export type Peak = z.infer<typeof Peak>;
export const RehearsalResult = z.looseObject({
  alerts: z.array(RehearsalAlert),
  tasks: z.array(z.looseObject({ team: z.looseObject({ zh: z.string(), en: z.string() }), action: z.looseObject({ zh: z.string(), en: z.string() }), dueAt: z.number() })),
  peaks: z.array(Peak),
  baseline: z.looseObject({ alerts: z.array(RehearsalAlert), peaks: z.array(Peak) }),
  series: z.array(z.object({ station: z.string(), metric: z.string(), points: z.array(z.tuple([z.number(), z.number()])) })),
});
export type RehearsalResult = z.infer<typeof RehearsalResult>;
export const Rehearsal = z.looseObject({
  id: z.number(),
  name: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  baseTime: z.string(),
  hours: z.number(),
  error: z.string().nullable(),
  result: RehearsalResult.nullable().optional(),
});
export type Rehearsal = z.infer<typeof Rehearsal>;

export type ModifierType = RehearsalModifier['type'];
export const MODIFIER_TYPES: readonly Exclude<ModifierType, 'rule'>[] = ['reservoir_outflow', 'rainfall', 'spill', 'gauge_offline'];

/** The form's fields, as strings (what the inputs hold). */
export interface ModifierForm {
  type: Exclude<ModifierType, 'rule'>;
  station: string;
  river: string;
  metric: string;
  /** Outflow m³/s, rainfall mm or spill mass kg, by type. */
  amount: string;
  hours: string;
  startHours: string;
}

/** The modifier the form describes, or the problems with it (checked by the API's own schema). */
export function modifierOf(f: ModifierForm): { ok: true; modifier: RehearsalModifier } | { ok: false; problems: string[] } {
  const n = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));
  const timing = { hours: n(f.hours), startHours: f.startHours.trim() === '' ? 0 : n(f.startHours) };
  const raw =
    f.type === 'reservoir_outflow'
      ? { type: f.type, station: f.station, outflow: n(f.amount), ...timing }
      : f.type === 'rainfall'
        ? { type: f.type, river: f.river, mm: n(f.amount), ...timing }
        : f.type === 'spill'
          ? { type: f.type, station: f.station, metric: f.metric, massKg: n(f.amount), ...timing }
          : { type: f.type, station: f.station };
  const r = RehearsalModifier.safeParse(raw);
  if (r.success) return { ok: true, modifier: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.') || f.type}: ${i.message}`) };
}

export interface PeakRow {
  station: string;
  metric: MetricCode;
  /** Predicted peak with the modifiers, and when. */
  peak: number;
  at: number;
  /** The same run without the modifiers; null when it has no such peak. */
  baseline: number | null;
  /** The value now, null when none. */
  current: number | null;
  /** Flood level of a predicted stage (gauges with reference levels). */
  flood: Severity | null;
}

const RANK: Record<Severity, number> = { blue: 1, yellow: 2, orange: 3, red: 4 };
const worse = (a: Severity | null, b: Severity | null): Severity | null => (!a ? b : !b ? a : RANK[b] > RANK[a] ? b : a);

/**
 * One row per predicted peak, the stations with a flood level first (worst first), then by how far
 * the modifiers move the peak from the baseline.
 */
export function peakRows(result: Pick<RehearsalResult, 'peaks' | 'baseline'>, stations: ReadonlyMap<string, Pick<Station, 'levels'>>, current: ReadonlyMap<string, number>): PeakRow[] {
  const base = new Map(result.baseline.peaks.map((p) => [`${p.station}\u0000${p.metric}`, p.value]));
  const rows = result.peaks.map((p): PeakRow => {
    const key = `${p.station}\u0000${p.metric}`;
    const levels = stations.get(p.station)?.levels ?? null;
    return {
      station: p.station,
      metric: p.metric as MetricCode,
      peak: p.value,
      at: p.at,
      baseline: base.get(key) ?? null,
      current: current.get(key) ?? null,
      flood: p.metric === 'water_level' ? floodLevel(levels, p.value) : null,
    };
  });
  const shift = (r: PeakRow) => Math.abs(r.peak - (r.baseline ?? r.peak));
  return rows.sort((a, b) => (b.flood ? RANK[b.flood] : 0) - (a.flood ? RANK[a.flood] : 0) || shift(b) - shift(a) || a.station.localeCompare(b.station));
}

/**
 * The map's colours for a rehearsal: stations where it predicts a flood level or raises an alert,
 * in the worse of the two; other stations keep their live colour (absent from the map).
 */
export function predictedColours(result: Pick<RehearsalResult, 'alerts'>, rows: readonly PeakRow[]): Map<string, string> {
  const worst = new Map<string, Severity>();
  const note = (station: string, s: Severity | null) => {
    const w = worse(worst.get(station) ?? null, s);
    if (w) worst.set(station, w);
  };
  for (const r of rows) note(r.station, r.flood);
  for (const a of result.alerts) if (a.kind !== 'clear') note(a.subject, a.severity);
  return new Map([...worst].map(([s, sev]) => [s, SEVERITY_COLOR[sev]]));
}

/** The alerts the rehearsal raises that its baseline does not (by rule and subject). */
export function newAlerts(result: Pick<RehearsalResult, 'alerts' | 'baseline'>): RehearsalAlert[] {
  const base = new Set(result.baseline.alerts.filter((a) => a.kind === 'open').map((a) => `${a.ruleId}\u0000${a.subject}`));
  return result.alerts.filter((a) => a.kind === 'open' && !base.has(`${a.ruleId}\u0000${a.subject}`));
}
