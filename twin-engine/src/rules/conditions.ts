import { SEVERITY_RANK, type LeafCondition, type MetricCode, type RuleCondition, type RuleOp, type Severity, type WaterClass } from '@basin/schemas';
import type { ReadingMemory } from './memory.js';
import type { Classifiers, Evidence, ForecastCrossing, RuleStation } from './types.js';

/** What a condition says about a subject now. `null` from an evaluator: no data, change nothing. */
export interface Verdict {
  holds: boolean;
  /** For conditions that grade (flood colours): the severity they imply. */
  severity?: Severity;
  readings: Evidence['readings'];
  forecast?: Evidence['forecast'];
  /** The number the verdict rests on beyond the readings (rate per hour, class rank, AQI category, level). */
  detail?: number;
  /** For composites: the part verdicts used. Reasons are written by `describe()` only when an event is emitted. */
  parts?: Array<{ condition: LeafCondition; verdict: Verdict }>;
}

export interface EvalContext {
  memory: ReadingMemory;
  classifiers: Classifiers;
  stations: ReadonlyMap<string, RuleStation>;
  forecasts: ReadonlyMap<string, ForecastCrossing>;
  acceptSuspect: boolean;
  /** The rule's own severity (a composite grades by its holding parts: graded ones by their colour, the others by this). */
  severity: Severity;
  /** Current clock (epoch ms), for staleness inside composites. */
  now: number;
}

/** The subject's standing, for hysteresis. */
export interface Standing {
  active: boolean;
  severity: Severity | null;
}

const CLASS_RANK: Record<WaterClass, number> = { I: 1, II: 2, III: 3, IV: 4, V: 5, worse_than_V: 6 };
/** GB 3838-2002 river section parameters (no water temperature, TN or fecal coliform for rivers). */
export const SECTION_METRICS: MetricCode[] = ['ph', 'do', 'codmn', 'cod', 'nh3n', 'tp'];
const AIR_METRICS: MetricCode[] = ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3'];
const COLOURS: Severity[] = ['blue', 'yellow', 'orange', 'red'];

export function compare(a: number, op: RuleOp, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

export function forecastKey(station: string, level: string): string {
  return `${station}\u0000${level}`;
}

function sample(ctx: EvalContext, station: string, metric: MetricCode) {
  const s = ctx.memory.get(station, metric, ctx.acceptSuspect);
  return s ? { station, metric, value: s.value, ts: s.ts, quality: s.quality } : undefined;
}

/** Highest colour whose level the value reaches; a raised colour holds until `margin` below its level. */
export function floodColour(levels: Partial<Record<Severity, number>>, value: number, prev: Severity | null, margin: number): Severity | null {
  let raw: Severity | null = null;
  for (const c of COLOURS) {
    const l = levels[c];
    if (l !== undefined && value >= l) raw = c;
  }
  if (prev !== null) {
    const l = levels[prev];
    const keep = l !== undefined && value >= l - margin;
    if (keep && (raw === null || SEVERITY_RANK[raw] < SEVERITY_RANK[prev])) return prev;
  }
  return raw;
}

export function evalLeaf(c: LeafCondition, st: RuleStation, ctx: EvalContext, standing: Standing): Verdict | null {
  switch (c.type) {
    case 'threshold': {
      const r = sample(ctx, st.id, c.metric);
      if (!r) return null;
      const level = standing.active && c.clearValue !== undefined ? c.clearValue : c.value;
      const holds = compare(r.value, c.op, level);
      return { holds, readings: [r], detail: level };
    }
    case 'rate_of_change': {
      const w = ctx.memory.window(st.id, c.metric, c.windowSeconds * 1000, ctx.acceptSuspect);
      if (w.length < 2) return null;
      const a = w[0]!;
      const b = w[w.length - 1]!;
      const hours = (b.ts - a.ts) / 3_600_000;
      if (hours <= 0) return null;
      const rate = (b.value - a.value) / hours;
      const holds = c.direction === 'rise' ? rate >= c.perHour : c.direction === 'fall' ? -rate >= c.perHour : Math.abs(rate) >= c.perHour;
      const readings = [a, b].map((s) => ({ station: st.id, metric: c.metric, value: s.value, ts: s.ts, quality: s.quality }));
      return { holds, readings, detail: rate };
    }
    case 'stale': {
      const metrics = c.metric ? [c.metric] : [];
      const r = metrics.length ? sample(ctx, st.id, metrics[0]!) : undefined;
      if (!r) return null;
      const holds = ctx.now - r.ts > c.minutes * 60_000;
      return { holds, readings: [r], detail: ctx.now - r.ts };
    }
    case 'water_class':
      return waterClassVerdict(c.metric, c.worseThan, st, ctx);
    case 'aqi_category': {
      const values: Partial<Record<MetricCode, number>> = {};
      const readings: Evidence['readings'] = [];
      let ts = 0;
      for (const m of AIR_METRICS) {
        const r = sample(ctx, st.id, m);
        if (!r) continue;
        values[m] = r.value;
        readings.push(r);
        ts = Math.max(ts, r.ts);
      }
      if (readings.length === 0) return null;
      const cat = ctx.classifiers.aqiCategory(st, values, ts);
      if (cat === null) return null;
      return { holds: cat >= c.atLeast, readings, detail: cat };
    }
    case 'flood_level': {
      const r = sample(ctx, st.id, 'water_level');
      if (!r) return null;
      const levels = ctx.classifiers.floodLevels(st, r.ts);
      const colour = floodColour(levels, r.value, standing.active ? standing.severity : null, c.clearMargin);
      const holds = colour !== null && SEVERITY_RANK[colour] >= SEVERITY_RANK[c.atLeast];
      const lvl = colour ? levels[colour] : undefined;
      const base = { holds, readings: [r], ...(lvl !== undefined ? { detail: lvl } : {}) };
      return holds ? { ...base, severity: colour! } : base;
    }
    case 'forecast_crossing': {
      const f = ctx.forecasts.get(forecastKey(st.id, c.level));
      if (!f) return null;
      const lead = f.crossingAt === null ? null : f.crossingAt - f.issuedAt;
      const holds = lead !== null && lead >= 0 && lead <= c.withinHours * 3_600_000;
      const forecast = { forecastId: f.forecastId, level: f.level, issuedAt: f.issuedAt, crossingAt: f.crossingAt, ...(f.value !== undefined ? { value: f.value } : {}), ...(f.threshold !== undefined ? { threshold: f.threshold } : {}) };
      return { holds, readings: [], forecast, ...(lead !== null ? { detail: lead } : {}) };
    }
  }
}

function waterClassVerdict(metric: MetricCode | undefined, worseThan: WaterClass, st: RuleStation, ctx: EvalContext): Verdict | null {
  const metrics = metric ? [metric] : SECTION_METRICS;
  let worst: WaterClass | null = null;
  let worstReading: Evidence['readings'][number] | undefined;
  for (const m of metrics) {
    const r = sample(ctx, st.id, m);
    if (!r) continue;
    const cls = ctx.classifiers.waterClass(st, m, r.value);
    if (cls !== null && (worst === null || CLASS_RANK[cls] > CLASS_RANK[worst])) {
      worst = cls;
      worstReading = r;
    }
  }
  if (worst === null || !worstReading) return null;
  const holds = CLASS_RANK[worst] > CLASS_RANK[worseThan];
  return { holds, readings: [worstReading], detail: CLASS_RANK[worst] };
}

/** Any condition, composites included. Parts of a composite name their station or use the subject. */
export function evalCondition(c: RuleCondition, st: RuleStation, ctx: EvalContext, standing: Standing): Verdict | null {
  if (c.type !== 'composite') return evalLeaf(c, st, ctx, standing);
  const verdicts: Array<{ condition: LeafCondition; verdict: Verdict }> = [];
  for (const p of c.parts) {
    const pst = p.station ? ctx.stations.get(p.station) : st;
    const v = pst ? evalLeaf(p.condition, pst, ctx, standing) : null;
    if (v === null) {
      if (c.op === 'and') return null;
      continue;
    }
    verdicts.push({ condition: p.condition, verdict: v });
  }
  if (verdicts.length === 0) return null;
  const holds = c.op === 'and' ? verdicts.every((p) => p.verdict.holds) : verdicts.some((p) => p.verdict.holds);
  const used = c.op === 'and' || !holds ? verdicts : verdicts.filter((p) => p.verdict.holds);
  const forecast = used.find((p) => p.verdict.forecast)?.verdict.forecast;
  // Graded parts (flood colours) raise the alert to their colour: a forecast-or-observed rule opens
  // on the forecast at the rule's severity and escalates in place when the observation reaches a colour.
  let severity: Severity | undefined;
  if (holds && used.some((p) => p.verdict.severity)) {
    for (const p of used) {
      if (!p.verdict.holds) continue;
      const s = p.verdict.severity ?? ctx.severity;
      if (!severity || SEVERITY_RANK[s] > SEVERITY_RANK[severity]) severity = s;
    }
  }
  return {
    holds,
    ...(severity ? { severity } : {}),
    readings: used.flatMap((p) => p.verdict.readings),
    ...(forecast ? { forecast } : {}),
    parts: used,
  };
}

const CLASS_NAMES = Object.keys(CLASS_RANK) as WaterClass[];
const fmt = (n: number | undefined, digits = 2) => (n === undefined ? '?' : Number(n.toFixed(digits)).toString());

/** A human-readable reason for an event, e.g. "water_level 44.12 >= 43". */
export function describe(c: RuleCondition, v: Verdict): string {
  const r = v.readings[v.readings.length - 1];
  switch (c.type) {
    case 'threshold':
      return `${c.metric} ${fmt(r?.value, 3)} ${v.holds ? c.op : 'not ' + c.op} ${fmt(v.detail, 3)}`;
    case 'rate_of_change':
      return `${c.metric} changes ${fmt(v.detail, 3)}/h (limit ${c.perHour}/h, ${c.direction})`;
    case 'stale':
      return `last ${c.metric ?? 'reading'} ${Math.round((v.detail ?? 0) / 60_000)} min ago (limit ${c.minutes} min)`;
    case 'water_class':
      return `${c.metric ? '' : 'section, worst '}${r ? `${r.metric} ${fmt(r.value, 3)} ` : ''}class ${CLASS_NAMES[(v.detail ?? 1) - 1]} (fires worse than ${c.worseThan})`;
    case 'aqi_category':
      return `AQI category ${v.detail} (fires at ${c.atLeast})`;
    case 'flood_level':
      return v.severity ? `water_level ${fmt(r?.value)} m reaches the ${v.severity} level ${fmt(v.detail)} m` : `water_level ${fmt(r?.value)} m below the ${c.atLeast} level`;
    case 'forecast_crossing':
      return v.detail === undefined ? `forecast: no ${c.level} crossing` : `forecast: ${c.level} crossed in ${fmt(v.detail / 3_600_000, 1)} h`;
    case 'composite': {
      return (v.parts ?? []).map((p) => describe(p.condition, p.verdict)).join(c.op === 'and' ? ' AND ' : ' OR ');
    }
  }
}
