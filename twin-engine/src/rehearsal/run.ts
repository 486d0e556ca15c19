import type { MetricCode, RehearsalModifier, Severity, StoredPlan, StoredRule } from '@basin/schemas';
import { planTasks, type PlanAlert, type TaskDraft } from '../plans/dispatch.js';
import { RuleEngine } from '../rules/engine.js';
import type { Classifiers, ForecastCrossing, Observation, RuleEvent, RuleStation, SubjectState } from '../rules/types.js';

/** A predicted series of one station and metric: [epoch ms, value] in time order. */
export interface PredictedSeries {
  station: string;
  metric: MetricCode;
  points: Array<[number, number]>;
}

export interface RehearsalInputs {
  /** Epoch ms the rehearsal starts (the copy of the current state is taken at this time). */
  start: number;
  hours: number;
  rules: StoredRule[];
  plans: StoredPlan[];
  stations: RuleStation[];
  classifiers: Classifiers;
  /** Current rule state and latest values: the copy the rehearsal starts from. */
  state: SubjectState[];
  latest: Observation[];
  /** The forecast with the modifiers applied (reservoir outflow, spill, rainfall). */
  series: PredictedSeries[];
  /** Level crossings the forecast predicts (forecast-based rules fire on them). */
  crossings?: ForecastCrossing[];
  modifiers: RehearsalModifier[];
}

export interface RehearsedAlert {
  kind: RuleEvent['kind'];
  ruleId: string;
  subject: string;
  severity: Severity | null;
  at: number;
  reason: string;
}

export interface RehearsalResult {
  alerts: RehearsedAlert[];
  tasks: TaskDraft[];
  peaks: Array<{ station: string; metric: MetricCode; value: number; at: number }>;
  readings: number;
}

/**
 * Runs the rules and plans forward over a predicted future, on a private engine restored from a copy
 * of the live rule state: the alerts that would fire and when, the tasks the plans would create.
 * Pure: the caller gathers the inputs and stores the result; live state is never touched.
 */
export function rehearse(inp: RehearsalInputs): RehearsalResult {
  const end = inp.start + inp.hours * 3_600_000;
  const offline = new Set(inp.modifiers.flatMap((m) => (m.type === 'gauge_offline' ? [m.station] : [])));
  const rules = withRuleChanges(inp.rules, inp.modifiers);
  const engine = new RuleEngine(inp.classifiers);
  engine.setRules(rules, inp.start);
  engine.setStations(inp.stations, inp.start);
  engine.restore(inp.state, inp.start);
  engine.warm(inp.latest.filter((o) => !offline.has(o.station)));
  const byStation = new Map(inp.stations.map((s) => [s.id, s]));
  const ruleById = new Map(rules.map((r) => [r.id, r]));

  const stream: Array<Observation | { crossing: ForecastCrossing }> = [];
  const peaks = new Map<string, { station: string; metric: MetricCode; value: number; at: number }>();
  for (const s of inp.series) {
    if (offline.has(s.station)) continue;
    for (const [ts, value] of s.points) {
      if (ts <= inp.start || ts > end) continue;
      stream.push({ station: s.station, metric: s.metric, value, ts, quality: 'pass' });
      const k = `${s.station}\u0000${s.metric}`;
      const p = peaks.get(k);
      if (!p || value > p.value) peaks.set(k, { station: s.station, metric: s.metric, value, at: ts });
    }
  }
  for (const c of inp.crossings ?? []) if (!offline.has(c.station) && c.issuedAt >= inp.start && c.issuedAt <= end) stream.push({ crossing: c });
  const at = (x: (typeof stream)[number]) => ('crossing' in x ? x.crossing.issuedAt : x.ts);
  stream.sort((a, b) => at(a) - at(b));

  const alerts: RehearsedAlert[] = [];
  const tasks: TaskDraft[] = [];
  const made = new Set<string>();
  const opened = new Map<string, { id: string; at: number }>();
  const record = (events: RuleEvent[]) => {
    for (const e of events) {
      // Stations without a predicted series are assumed to keep reporting: staleness is rehearsed
      // only for the gauges taken offline.
      if (ruleById.get(e.ruleId)?.condition.type === 'stale' && !offline.has(e.subject)) continue;
      alerts.push({ kind: e.kind, ruleId: e.ruleId, subject: e.subject, severity: e.kind === 'clear' ? null : e.severity, at: e.at, reason: e.evidence.reason });
      const key = `${e.ruleId}\u0000${e.subject}`;
      if (e.kind === 'open') opened.set(key, { id: `rehearsal-${opened.size + 1}`, at: e.at });
      if (e.kind === 'clear' && e.autoResolve) opened.delete(key);
      const rule = ruleById.get(e.ruleId);
      const st = byStation.get(e.subject);
      const o = opened.get(key);
      if (e.kind === 'clear' || !rule || !st || !o) continue;
      const alert: PlanAlert = { alertId: o.id, ruleId: rule.id, alertType: rule.alertType, severity: e.severity, station: st, openedAt: o.at };
      for (const d of planTasks(inp.plans, alert, e.at, made)) {
        made.add(d.key);
        tasks.push(d);
      }
    }
  };
  for (const x of stream) {
    const now = at(x);
    record(engine.tick(now));
    record('crossing' in x ? engine.observeForecast(x.crossing, now) : engine.observe(x, now));
  }
  record(engine.tick(end));
  return { alerts, tasks, peaks: [...peaks.values()], readings: stream.length };
}

/** Rules with the rehearsal's changed rules in place of the live ones (a new version each). */
function withRuleChanges(rules: StoredRule[], modifiers: RehearsalModifier[]): StoredRule[] {
  const out = new Map(rules.map((r) => [r.id, r]));
  for (const m of modifiers) {
    if (m.type !== 'rule') continue;
    const prev = out.get(m.rule.id);
    out.set(m.rule.id, { ...m.rule, version: (prev?.version ?? 0) + 1 });
  }
  return [...out.values()];
}

export interface AlertTimeline {
  ruleId: string;
  subject: string;
  severity: Severity | null;
  at: number;
}

export interface Comparison {
  /** First open of each (rule, subject) in A and in B, with the difference B − A in minutes. */
  alerts: Array<{ ruleId: string; subject: string; a: AlertTimeline | null; b: AlertTimeline | null; deltaMinutes: number | null; worstA: Severity | null; worstB: Severity | null }>;
  peaks: Array<{ station: string; metric: MetricCode; a: number | null; b: number | null; delta: number | null }>;
}

const RANK: Record<Severity, number> = { blue: 1, yellow: 2, orange: 3, red: 4 };

/** Side by side: two rehearsals, or a rehearsal and what actually happened (alerts opened in the window). */
export function compare(a: { alerts: RehearsedAlert[]; peaks: RehearsalResult['peaks'] }, b: { alerts: RehearsedAlert[]; peaks: RehearsalResult['peaks'] }): Comparison {
  const firsts = (xs: RehearsedAlert[]) => {
    const m = new Map<string, { first: AlertTimeline; worst: Severity | null }>();
    for (const x of xs) {
      if (x.kind === 'clear') continue;
      const k = `${x.ruleId}\u0000${x.subject}`;
      const cur = m.get(k);
      if (!cur) m.set(k, { first: { ruleId: x.ruleId, subject: x.subject, severity: x.severity, at: x.at }, worst: x.severity });
      else if (x.severity && (!cur.worst || RANK[x.severity] > RANK[cur.worst])) cur.worst = x.severity;
    }
    return m;
  };
  const fa = firsts(a.alerts);
  const fb = firsts(b.alerts);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  const alerts = keys.map((k) => {
    const x = fa.get(k);
    const y = fb.get(k);
    const [ruleId, subject] = k.split('\u0000') as [string, string];
    return { ruleId, subject, a: x?.first ?? null, b: y?.first ?? null, deltaMinutes: x && y ? Math.round((y.first.at - x.first.at) / 60_000) : null, worstA: x?.worst ?? null, worstB: y?.worst ?? null };
  });
  const pk = (p: RehearsalResult['peaks']) => new Map(p.map((x) => [`${x.station}\u0000${x.metric}`, x]));
  const pa = pk(a.peaks);
  const pb = pk(b.peaks);
  const peaks = [...new Set([...pa.keys(), ...pb.keys()])].sort().map((k) => {
    const x = pa.get(k);
    const y = pb.get(k);
    const [station, metric] = k.split('\u0000') as [string, MetricCode];
    return { station, metric, a: x?.value ?? null, b: y?.value ?? null, delta: x && y ? Math.round((y.value - x.value) * 1000) / 1000 : null };
  });
  return { alerts, peaks };
}
