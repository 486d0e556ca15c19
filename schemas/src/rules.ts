import { z } from 'zod';
import { MetricCode } from './metrics.js';
import { StationId, StationKind } from './station.js';
import { Severity, WaterClass } from './domain.js';

/**
 * 预警 alert rules, version 2: declarative conditions over the live readings and forecasts of the
 * twin. A rule is identified by `id` and versioned: every change stores a new `version`, and each
 * alert records the version that fired it.
 */

const RuleId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'rule id: lower-case letters, digits, ".", "_" or "-"');

/** Which stations a rule watches. Every given filter must match (AND); an empty scope is all stations. */
export const RuleScope = z
  .object({
    stations: z.array(StationId).min(1).optional(),
    kinds: z.array(StationKind).min(1).optional(),
    reaches: z.array(z.string().min(1)).min(1).optional(),
    rivers: z.array(z.string().min(1)).min(1).optional(),
    /** Administrative unit prefix, e.g. 湖北省武汉市 matches every district of Wuhan. */
    adminUnits: z.array(z.string().min(1)).min(1).optional(),
    riverChiefs: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type RuleScope = z.infer<typeof RuleScope>;

/** Where a rule or plan looks: a station (or an alert's subject) with its place in the basin. */
export interface ScopeSubject {
  id: string | null;
  kind: StationKind | null;
  reach: string | null;
  river: string | null;
  admin: string | null;
  riverChief: string | null;
}

/** True when the subject is inside the scope (every filter given must match; none: everything). */
export function inScope(scope: RuleScope, s: ScopeSubject): boolean {
  if (scope.stations && (s.id === null || !scope.stations.includes(s.id))) return false;
  if (scope.kinds && (s.kind === null || !scope.kinds.includes(s.kind))) return false;
  if (scope.reaches && (s.reach === null || !scope.reaches.includes(s.reach))) return false;
  if (scope.rivers && (s.river === null || !scope.rivers.includes(s.river))) return false;
  if (scope.adminUnits && !scope.adminUnits.some((a) => s.admin?.startsWith(a) ?? false)) return false;
  if (scope.riverChiefs && (s.riverChief === null || !scope.riverChiefs.includes(s.riverChief))) return false;
  return true;
}

const Op = z.enum(['>', '>=', '<', '<=']);
export type RuleOp = z.infer<typeof Op>;

export const ThresholdCondition = z
  .object({
    type: z.literal('threshold'),
    metric: MetricCode,
    op: Op,
    value: z.number(),
    /** Hysteresis: once firing, the alert clears only when the value is back past this level. */
    clearValue: z.number().optional(),
  })
  .strict();

export const RateOfChangeCondition = z
  .object({
    type: z.literal('rate_of_change'),
    metric: MetricCode,
    /** Absolute change per hour, in the metric's unit. */
    perHour: z.number().positive(),
    direction: z.enum(['rise', 'fall', 'either']).default('either'),
    /** Window over which the rate is measured (first vs last reading inside it). */
    windowSeconds: z.number().int().positive().default(3600),
  })
  .strict();

export const StaleCondition = z
  .object({
    type: z.literal('stale'),
    /** A metric, or any reading of the station when absent. */
    metric: MetricCode.optional(),
    minutes: z.number().positive(),
  })
  .strict();

export const WaterClassCondition = z
  .object({
    type: z.literal('water_class'),
    /** One GB 3838-2002 parameter, or the section class (worst parameter) when absent. */
    metric: MetricCode.optional(),
    /** Fires when the class is worse than this one (e.g. III: fires at IV, V, worse than V). */
    worseThan: WaterClass,
  })
  .strict();

export const AqiCategoryCondition = z
  .object({
    type: z.literal('aqi_category'),
    /** Fires when the AQI category (1 excellent … 6 severe) is at least this. */
    atLeast: z.number().int().min(1).max(6),
  })
  .strict();

/**
 * Flood warning (SL 758 colours) from the station's reference levels: river gauges by 设防 / 警戒 /
 * 保证 / historical maximum, reservoirs by their own level kinds. The alert's severity is the colour.
 */
export const FloodLevelCondition = z
  .object({
    type: z.literal('flood_level'),
    /** Lowest colour that fires. */
    atLeast: Severity.default('yellow'),
    /** Hysteresis in metres: a colour clears only this far below the level that raised it. */
    clearMargin: z.number().min(0).default(0.05),
  })
  .strict();

/** Levels a forecast can predict crossing: gauge and reservoir levels, or a pollutant class (`nh3n:IV`). */
export const ForecastLevel = z.union([
  z.enum(['fortification', 'warning', 'guaranteed', 'historical_max', 'flood_limit', 'normal_pool', 'flood_control_high', 'design_flood', 'check_flood']),
  z.string().regex(/^[a-z0-9]+:(I|II|III|IV|V|worse_than_V)$/, 'pollutant level: <metric>:<GB 3838 class>, e.g. nh3n:IV'),
]);

/**
 * Fires on the forecast, before the observation: a level predicted to be crossed within
 * `withinHours` — a flood wave routed to a gauge, or a pollutant plume predicted to reach a section
 * or intake above a class.
 */
export const ForecastCrossingCondition = z
  .object({
    type: z.literal('forecast_crossing'),
    level: ForecastLevel,
    withinHours: z.number().positive().max(240),
  })
  .strict();

export type LeafCondition =
  | z.infer<typeof ThresholdCondition>
  | z.infer<typeof RateOfChangeCondition>
  | z.infer<typeof StaleCondition>
  | z.infer<typeof WaterClassCondition>
  | z.infer<typeof AqiCategoryCondition>
  | z.infer<typeof FloodLevelCondition>
  | z.infer<typeof ForecastCrossingCondition>;

export const LeafCondition = z.discriminatedUnion('type', [
  ThresholdCondition,
  RateOfChangeCondition,
  StaleCondition,
  WaterClassCondition,
  AqiCategoryCondition,
  FloodLevelCondition,
  ForecastCrossingCondition,
]);

/**
 * Composite AND / OR across metrics and stations. Each part names the station it watches (or the
 * rule's subject station when absent). Example: NH3-N above class III at two consecutive sections.
 */
export const CompositeCondition = z
  .object({
    type: z.literal('composite'),
    op: z.enum(['and', 'or']),
    parts: z
      .array(z.object({ station: StationId.optional(), condition: LeafCondition }).strict())
      .min(2)
      .max(16),
  })
  .strict();

export const RuleCondition = z.discriminatedUnion('type', [
  ThresholdCondition,
  RateOfChangeCondition,
  StaleCondition,
  WaterClassCondition,
  AqiCategoryCondition,
  FloodLevelCondition,
  ForecastCrossingCondition,
  CompositeCondition,
]);
export type RuleCondition = z.infer<typeof RuleCondition>;

export const RuleDefinition = z
  .object({
    id: RuleId,
    name: z.object({ zh: z.string().min(1).max(200), en: z.string().min(1).max(200) }).strict(),
    enabled: z.boolean().default(true),
    /** Severity of the alert; `flood_level` rules use the SL 758 colour instead. */
    severity: Severity,
    scope: RuleScope.default({}),
    condition: RuleCondition,
    /** The condition must hold this long (by reading time) before the alert opens, seconds. */
    forSeconds: z.number().int().min(0).default(0),
    /** Resolve the alert when the condition clears (otherwise it stays until an operator resolves it). */
    autoResolve: z.boolean().default(true),
    /** Readings flagged `suspect` by QC count for this rule (failed readings never do). */
    acceptSuspect: z.boolean().default(false),
    /** Alert type used to match contingency plans, e.g. flood, pollution, air, equipment. */
    alertType: z.enum(['flood', 'pollution', 'air', 'soil', 'equipment', 'other']).default('other'),
  })
  .strict();
export type RuleDefinition = z.infer<typeof RuleDefinition>;
export type RuleDefinitionInput = z.input<typeof RuleDefinition>;

/** A stored rule: the definition plus its version (1, 2, … per id). */
export const StoredRule = RuleDefinition.extend({ version: z.number().int().min(1) });
export type StoredRule = z.infer<typeof StoredRule>;

/** The metrics a condition reads (for routing readings to rules). Empty for stale-on-any and forecast rules. */
export function conditionMetrics(c: RuleCondition): MetricCode[] {
  switch (c.type) {
    case 'threshold':
    case 'rate_of_change':
      return [c.metric];
    case 'stale':
      return c.metric ? [c.metric] : [];
    case 'water_class':
      return c.metric ? [c.metric] : ['ph', 'do', 'codmn', 'cod', 'nh3n', 'tp', 'tn'];
    case 'aqi_category':
      return ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3'];
    case 'flood_level':
      return ['water_level'];
    case 'forecast_crossing':
      return [];
    case 'composite':
      return [...new Set(c.parts.flatMap((p) => conditionMetrics(p.condition)))];
  }
}
