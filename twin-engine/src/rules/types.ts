import type { MetricCode, QualityFlag, Severity, StationKind, StoredRule, WaterClass } from '@basin/schemas';

/** One committed reading as the rule engine sees it. `ts` is the reading's own time (epoch ms). */
export interface Observation {
  station: string;
  metric: MetricCode;
  value: number;
  ts: number;
  quality: QualityFlag;
}

/** A forecast of one station's level crossing, from the twin's 预报 (null `crossingAt`: no crossing). */
export interface ForecastCrossing {
  station: string;
  level: string;
  /** Epoch ms the forecast was issued. */
  issuedAt: number;
  /** Epoch ms of the predicted crossing, or null when the forecast no longer crosses it. */
  crossingAt: number | null;
  forecastId: string;
  /** Predicted value at the crossing or peak, for the evidence. */
  value?: number;
  /** The level's value (m, or the class limit), for the evidence. */
  threshold?: number;
}

/** What the rule engine knows of a station: enough to resolve scopes. */
export interface RuleStation {
  id: string;
  kind: StationKind;
  reach: string | null;
  river: string | null;
  admin: string;
  riverChief: string | null;
}

/** Level thresholds per SL 758 colour for one gauge or reservoir at a time (metres; absent: none). */
export type ColourLevels = Partial<Record<Severity, number>>;

/**
 * Classifications the engine needs from the standards module (GB 3838, HJ 633, flood levels).
 * Injected, so the engine stays pure and the tables live in one place.
 */
export interface Classifiers {
  /** GB 3838-2002 class of one parameter at this station (lake/reservoir limits where they apply). */
  waterClass(station: RuleStation, metric: MetricCode, value: number): WaterClass | null;
  /** AQI category 1–6 from the latest air values at the station, at time `ts`. */
  aqiCategory(station: RuleStation, values: Partial<Record<MetricCode, number>>, ts: number): number | null;
  /** Thresholds of the flood colours in force at `ts` (river gauges and reservoirs by their own level kinds). */
  floodLevels(station: RuleStation, ts: number): ColourLevels;
}

/** Evidence attached to every event: what fired it, under which rule version. */
export interface Evidence {
  ruleVersion: number;
  readings: Array<{ station: string; metric: MetricCode; value: number; ts: number; quality: QualityFlag }>;
  forecast?: { forecastId: string; level: string; issuedAt: number; crossingAt: number | null; value?: number; threshold?: number };
  /** Human-readable reason, e.g. "water_level 44.12 m ≥ warning 43.00 m". */
  reason: string;
}

export type RuleEvent =
  | { kind: 'open'; ruleId: string; subject: string; severity: Severity; at: number; evidence: Evidence }
  | { kind: 'severity'; ruleId: string; subject: string; from: Severity; severity: Severity; at: number; evidence: Evidence }
  | { kind: 'clear'; ruleId: string; subject: string; autoResolve: boolean; at: number; evidence: Evidence };

/** Persisted state of one (rule, subject): enough for a restart to neither lose, repeat nor re-fire. */
export interface SubjectState {
  ruleId: string;
  subject: string;
  ruleVersion: number;
  active: boolean;
  severity: Severity | null;
  /** Reading time since which the condition has held (sustained-for), or null. */
  pendingSince: number | null;
  /** Latest reading time evaluated for this subject (late readings are ignored). */
  lastTs: number;
}

export type { StoredRule };
