import { conditionMetrics, type MetricCode, type Severity, type StoredRule } from '@basin/schemas';
import { describe, evalCondition, forecastKey, type EvalContext, type Verdict } from './conditions.js';
import { Deadlines } from '../state/deadlines.js';
import { ReadingMemory } from './memory.js';
import { inScope } from './scope.js';
import type { Classifiers, Evidence, ForecastCrossing, Observation, RuleEvent, RuleStation, SubjectState } from './types.js';

/**
 * The 预警 rule engine: pure, no I/O, no clock of its own (every call passes `now`).
 *
 * - `observe()` records a committed reading and evaluates the rules that read its metric at its
 *   station (an index built per station, so a reading costs only the rules that can use it).
 * - Sustained-for (`forSeconds`) is measured in reading time; late readings change nothing.
 * - Staleness uses exact deadlines: `nextDeadline()` for the service's single timer, `tick(now)`.
 * - `flood_level` grades the alert by SL 758 colour and escalates in place; hysteresis keeps a
 *   colour until the stage falls `clearMargin` below its level; threshold rules may set `clearValue`.
 * - Subject state (per rule and station) is exported with `drainDirty()` so the service persists it
 *   with the alerts it produced, and `restore()` brings it back: a restart neither repeats nor re-fires.
 */
export class RuleEngine {
  private rules = new Map<string, StoredRule>();
  private stations = new Map<string, RuleStation>();
  private readonly forecasts = new Map<string, ForecastCrossing>();
  private readonly states = new Map<string, Map<string, SubjectState>>();
  private readonly dirty = new Set<SubjectState>();
  private readonly deadlines = new Deadlines();
  private memory: ReadingMemory;
  /** station -> metric -> rules reading that metric there (lazily built, reset when rules or stations change). */
  private index = new Map<string, Map<MetricCode, StoredRule[]>>();
  /** rules with explicit-station composite parts: station -> rules. */
  private byPartStation = new Map<string, StoredRule[]>();
  /** forecast level -> rules with a forecast_crossing condition (or part) on it. */
  private byLevel = new Map<string, StoredRule[]>();
  /** One evaluation context, reused (allocation-free hot path). */
  private readonly ctx: EvalContext;
  readonly counts = { observed: 0, late: 0, failed: 0, evaluations: 0, events: 0 };

  constructor(private readonly classifiers: Classifiers) {
    this.memory = new ReadingMemory();
    this.ctx = { memory: this.memory, classifiers, stations: this.stations, forecasts: this.forecasts, acceptSuspect: false, severity: 'yellow', now: 0 };
  }

  setRules(rules: StoredRule[], now: number): RuleEvent[] {
    this.rules = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));
    const history = new Map<MetricCode, number>();
    for (const r of this.rules.values()) {
      const leaves = r.condition.type === 'composite' ? r.condition.parts.map((p) => p.condition) : [r.condition];
      for (const l of leaves) if (l.type === 'rate_of_change') history.set(l.metric, Math.max(history.get(l.metric) ?? 0, l.windowSeconds * 1000));
    }
    if (!sameMap(history, this.memoryHistory)) {
      this.memoryHistory = history;
      this.memory = rebuildMemory(this.memory, history);
    }
    for (const id of [...this.states.keys()]) if (!this.rules.has(id)) this.states.delete(id);
    this.reindex(now);
    return [];
  }
  private memoryHistory = new Map<MetricCode, number>();

  setStations(stations: RuleStation[], now: number): void {
    this.stations = new Map(stations.map((s) => [s.id, s]));
    this.reindex(now);
  }

  /** Persisted subject states from a previous run. */
  restore(states: SubjectState[], now: number): void {
    for (const s of states) {
      if (!this.rules.has(s.ruleId)) continue;
      this.subjects(s.ruleId).set(s.subject, { ...s });
    }
    this.reindex(now);
  }

  /** Records readings as already seen (restart: latest values from the database) without evaluating them. */
  warm(readings: Observation[]): void {
    for (const o of readings) this.memory.record(o);
  }

  observe(o: Observation, now: number): RuleEvent[] {
    this.counts.observed++;
    const rec = this.memory.record(o);
    if (rec === 'late') {
      this.counts.late++;
      return [];
    }
    if (rec === 'failed') {
      this.counts.failed++;
      return [];
    }
    const events: RuleEvent[] = [];
    const direct = this.rulesFor(o.station, o.metric);
    for (const rule of direct) {
      if (rule.condition.type === 'stale') {
        this.reading(rule, o.station, o.ts, now, events);
        continue;
      }
      this.evaluate(rule, o.station, o.ts, now, events, rule.condition.type !== 'composite');
    }
    for (const rule of this.byPartStation.get(o.station) ?? EMPTY) {
      if (!conditionMetrics(rule.condition).includes(o.metric)) continue;
      for (const subject of this.subjectsOf(rule)) {
        if (subject === o.station && direct.includes(rule)) continue;
        this.evaluate(rule, subject, o.ts, now, events, false);
      }
    }
    return events;
  }

  /** A new forecast of a level crossing (or its withdrawal) for one station. */
  observeForecast(f: ForecastCrossing, now: number): RuleEvent[] {
    return this.observeForecasts([f], now);
  }

  /**
   * The crossings of one forecast run. A crossing older than the one already known for its station
   * and level (an earlier run announced late) changes nothing; the same run delivered again changes
   * nothing either (the verdicts are the same). Rules reading the level — `forecast_crossing`
   * conditions, alone or as parts of a composite — are evaluated at the run's issue time.
   */
  observeForecasts(crossings: readonly ForecastCrossing[], now: number): RuleEvent[] {
    const events: RuleEvent[] = [];
    for (const f of crossings) {
      const key = forecastKey(f.station, f.level);
      const known = this.forecasts.get(key);
      if (known && known.issuedAt > f.issuedAt) continue;
      this.forecasts.set(key, f);
      const st = this.stations.get(f.station);
      if (!st) continue;
      for (const rule of this.byLevel.get(f.level) ?? []) {
        if (!inScope(rule.scope, st)) continue;
        this.evaluate(rule, f.station, f.issuedAt, now, events, false);
      }
    }
    return events;
  }

  /** Staleness deadlines that have passed. */
  tick(now: number): RuleEvent[] {
    const events: RuleEvent[] = [];
    for (const [key, deadline] of this.deadlines.due(now)) {
      const [ruleId, subject] = key.split('\u0000') as [string, string];
      const rule = this.rules.get(ruleId);
      if (!rule || rule.condition.type !== 'stale') continue;
      const s = this.state(rule, subject);
      if (s.active) continue;
      s.active = true;
      s.severity = rule.severity;
      this.dirty.add(s);
      const reason = `no ${rule.condition.metric ?? 'reading'} for ${rule.condition.minutes} min`;
      events.push({ kind: 'open', ruleId, subject, severity: rule.severity, at: deadline, evidence: { ruleVersion: rule.version, readings: [], reason } });
    }
    this.counts.events += events.length;
    return events;
  }

  nextDeadline(): number | null {
    return this.deadlines.next();
  }

  /** Subject states changed since the last call (persist them with the events). */
  drainDirty(): SubjectState[] {
    const out = [...this.dirty].map((s) => ({ ...s }));
    this.dirty.clear();
    return out;
  }

  snapshot(): SubjectState[] {
    return [...this.states.values()].flatMap((m) => [...m.values()].map((s) => ({ ...s })));
  }

  // --- internals -----------------------------------------------------------------------------

  private reindex(now: number): void {
    this.index = new Map();
    this.byPartStation = new Map();
    this.byLevel = new Map();
    for (const rule of this.rules.values()) {
      const c = rule.condition;
      const leaves = c.type === 'composite' ? c.parts.map((p) => p.condition) : [c];
      for (const level of new Set(leaves.flatMap((l) => (l.type === 'forecast_crossing' ? [l.level] : [])))) pushTo(this.byLevel, level, rule);
      if (c.type === 'composite') {
        for (const p of c.parts) if (p.station) pushTo(this.byPartStation, p.station, rule);
      }
      if (c.type === 'stale') {
        for (const st of this.stations.values()) {
          if (!inScope(rule.scope, st)) continue;
          const key = `${rule.id}\u0000${st.id}`;
          if (this.deadlines.get(key) === undefined && !this.state(rule, st.id, false)?.active) this.deadlines.set(key, now + c.minutes * 60_000);
        }
      }
    }
  }

  private rulesFor(station: string, metric: MetricCode): readonly StoredRule[] {
    let byMetric = this.index.get(station);
    if (!byMetric) {
      byMetric = new Map();
      const st = this.stations.get(station);
      if (st) {
        for (const rule of this.rules.values()) {
          if (!inScope(rule.scope, st)) continue;
          const c = rule.condition;
          // Composite rules whose parts all name stations have one subject, reached via byPartStation.
          if (c.type === 'composite' && c.parts.every((p) => p.station)) continue;
          const metrics = c.type === 'stale' && !c.metric ? (['*'] as const) : conditionMetrics(c);
          for (const m of metrics) pushTo(byMetric as Map<string, StoredRule[]>, m, rule);
        }
        // Stale-on-any rules (every station has one in the shipped rules) are merged into each
        // metric's list once here, not concatenated on every reading.
        const any = (byMetric as Map<string, StoredRule[]>).get('*');
        if (any) for (const [m, list] of byMetric) if ((m as string) !== '*') byMetric.set(m, [...list, ...any]);
      }
      this.index.set(station, byMetric);
    }
    return byMetric.get(metric) ?? (byMetric as Map<string, StoredRule[]>).get('*') ?? EMPTY;
  }

  private subjectsOf(rule: StoredRule): string[] {
    const c = rule.condition;
    if (c.type === 'composite' && c.parts.every((p) => p.station)) return [rule.scope.stations?.[0] ?? c.parts[0]!.station!];
    return [...this.stations.values()].filter((s) => inScope(rule.scope, s)).map((s) => s.id);
  }

  private subjects(ruleId: string): Map<string, SubjectState> {
    let m = this.states.get(ruleId);
    if (!m) this.states.set(ruleId, (m = new Map()));
    return m;
  }

  private state(rule: StoredRule, subject: string): SubjectState;
  private state(rule: StoredRule, subject: string, create: false): SubjectState | undefined;
  private state(rule: StoredRule, subject: string, create = true): SubjectState | undefined {
    const m = this.subjects(rule.id);
    let s = m.get(subject);
    if (!s && create) {
      s = { ruleId: rule.id, subject, ruleVersion: rule.version, active: false, severity: null, pendingSince: null, lastTs: -Infinity };
      m.set(subject, s);
    }
    return s;
  }

  /** A reading for a staleness rule: clears an open stale alert and re-arms the deadline. */
  private reading(rule: StoredRule, subject: string, ts: number, now: number, events: RuleEvent[]): void {
    if (rule.condition.type !== 'stale') return;
    this.deadlines.set(`${rule.id}\u0000${subject}`, now + rule.condition.minutes * 60_000);
    const s = this.state(rule, subject);
    if (!s.active) return;
    s.active = false;
    s.severity = null;
    s.lastTs = Math.max(s.lastTs, ts);
    this.dirty.add(s);
    this.emit(events, { kind: 'clear', ruleId: rule.id, subject, autoResolve: rule.autoResolve, at: ts, evidence: { ruleVersion: rule.version, readings: [], reason: 'data arrived again' } });
  }

  private evaluate(rule: StoredRule, subject: string, ts: number, now: number, events: RuleEvent[], orderedBySubject: boolean): void {
    const st = this.stations.get(subject);
    if (!st) return;
    const s = this.state(rule, subject);
    // A reading no newer than what this subject already used (redelivery, replay after restart) changes nothing.
    if (orderedBySubject && ts <= s.lastTs) return;
    this.counts.evaluations++;
    const ctx = this.ctx;
    ctx.memory = this.memory;
    ctx.stations = this.stations;
    ctx.acceptSuspect = rule.acceptSuspect;
    ctx.severity = rule.severity;
    ctx.now = now;
    const v = evalCondition(rule.condition, st, ctx, s);
    if (v === null) return;
    s.lastTs = Math.max(s.lastTs, ts);
    s.ruleVersion = rule.version;
    this.dirty.add(s);
    this.transition(rule, s, v, ts, events);
  }

  private transition(rule: StoredRule, s: SubjectState, v: Verdict, ts: number, events: RuleEvent[]): void {
    const evidence = toEvidence(rule, v);
    if (v.holds) {
      const severity: Severity = v.severity ?? rule.severity;
      if (!s.active) {
        if (s.pendingSince === null) s.pendingSince = ts;
        if (ts - s.pendingSince < rule.forSeconds * 1000) return;
        s.active = true;
        s.severity = severity;
        this.emit(events, { kind: 'open', ruleId: rule.id, subject: s.subject, severity, at: ts, evidence });
      } else if (s.severity !== severity) {
        const from = s.severity ?? rule.severity;
        s.severity = severity;
        this.emit(events, { kind: 'severity', ruleId: rule.id, subject: s.subject, from, severity, at: ts, evidence });
      }
      return;
    }
    s.pendingSince = null;
    if (!s.active) return;
    s.active = false;
    s.severity = null;
    this.emit(events, { kind: 'clear', ruleId: rule.id, subject: s.subject, autoResolve: rule.autoResolve, at: ts, evidence });
  }

  private emit(events: RuleEvent[], e: RuleEvent): void {
    this.counts.events++;
    events.push(e);
  }
}

function toEvidence(rule: StoredRule, v: Verdict): Evidence {
  return { ruleVersion: rule.version, readings: v.readings, ...(v.forecast ? { forecast: v.forecast } : {}), reason: describe(rule.condition, v) };
}

const EMPTY: readonly StoredRule[] = [];

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

function sameMap<K, V>(a: Map<K, V>, b: Map<K, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Memory keeps its latest values when the rate-of-change windows change (history restarts). */
function rebuildMemory(_old: ReadingMemory, history: Map<MetricCode, number>): ReadingMemory {
  const m = new ReadingMemory(history);
  _old.copyLatestInto(m);
  return m;
}
