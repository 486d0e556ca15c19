import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { METRICS, MetricCode, StationId } from '@basin/schemas';
import { SimErrors } from './errors.js';

/**
 * Scenarios are declarative JSON files (sensors-sim/scenarios/*.json) validated by this schema.
 * Times are hours relative to the start of the run (`atH`, `fromH`, `toH`), so a scenario can be
 * replayed at any date; `seasonDoy` pins the seasonal phase (e.g. a July flood run in January).
 */
const Hours = z.number().min(-24 * 365).max(24 * 365 * 5);
const River = z.enum(['Yangtze', 'Han']);
const LonLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

/** A flood pulse (Gaussian hydrograph above base flow) entering a river at `km`. */
export const FloodPulse = z.object({
  name: z.string().max(100).optional(),
  river: River,
  km: z.number(),
  peakM3s: z.number().positive().max(100_000),
  atH: Hours,
  /** Standard deviation of the Gaussian hydrograph at the source, hours. */
  widthH: z.number().positive().max(24 * 30),
});

/** Reservoir flood operation: an inflow pulse, released with the peak clipped to `maxOutflowM3s`. */
export const ReservoirFlood = z.object({
  station: z.enum(['three-gorges', 'danjiangkou']),
  inflowPeakM3s: z.number().positive().max(150_000),
  atH: Hours,
  widthH: z.number().positive().max(24 * 30),
  /** Total outflow cap during the flood (e.g. 2020: inflow 75,000, outflow 49,400 m3/s). */
  maxOutflowM3s: z.number().positive().max(150_000),
  /**
   * Hour the release peaks, when the operators raised the outflow ahead of the inflow peak (the
   * dam draws down first, then stores). Default: after the inflow peak, as the storage fills.
   */
  releaseAtH: Hours.optional(),
});

/**
 * A lake or tributary whose inflow to a main river comes from the scenario's regional rain: the
 * rain falling on its catchment (rain events evaluated at the catchment centre), times a runoff
 * coefficient, delayed by `lagH` and spread by the catchment's (and lake's) storage (`spreadH`).
 * `backwater`: metres of stage per 1,000 m3/s of this inflow at gauges upstream of the junction
 * (a high lake or tributary backs the main river up: stage there is not a function of discharge).
 */
export const Tributary = z.object({
  name: z.string().min(1).max(100),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
  river: River,
  /** Where it joins the river (catalogue km). */
  km: z.number(),
  catchment: z.object({ center: LonLat, areaKm2: z.number().positive().max(2_000_000) }),
  runoff: z.number().min(0).max(1),
  lagH: z.number().min(0).max(24 * 30),
  spreadH: z.number().positive().max(24 * 30),
  backwater: z.record(StationId, z.number().min(0).max(2)).default({}),
});
export type Tributary = z.infer<typeof Tributary>;

export const RainEvent = z.object({
  center: LonLat,
  radiusKm: z.number().positive().max(2000),
  fromH: Hours,
  toH: Hours,
  mmPerHour: z.number().min(0).max(200),
});

export const Spill = z.object({
  name: z.string().max(100).optional(),
  river: River,
  km: z.number(),
  atH: Hours,
  /** Duration of the release, hours (sets the initial width of the plume). */
  durationH: z.number().positive().max(240),
  /** Mean flow velocity, m/s (pollutant travel; domain-facts: 1.0–1.5 m/s, estimate). */
  velocityMs: z.number().positive().max(5).default(1.2),
  /**
   * Mass released over `durationH`, tonnes per metric (mg/L metrics: nh3n, codmn, cod, tp, tn).
   * The concentration follows from it and the discharge where the plume is.
   */
  massT: z.partialRecord(MetricCode, z.number().positive().max(10_000)).default({}),
  /** Cross-section mean increase at the outfall for metrics without a mass (NTU, pH, ...). */
  peak: z.partialRecord(MetricCode, z.number()).default({}),
  /**
   * Bank the outfall is on (facing downstream). The plume hugs it and mixes across the river
   * over distance; without a bank it is taken as mixed across the river at once.
   */
  bank: z.enum(['left', 'right']).optional(),
  /** Transverse mixing coefficient, m2/s (ESTIMATE: 0.6 x depth 10 m x shear velocity 0.08 m/s). */
  transverseMixingM2s: z.number().positive().max(50).default(0.5),
  /** First-order decay, 1/day (CUMCM 2005 assumption 0.2/day for CODMn and NH3-N). */
  decayPerDay: z.number().min(0).max(10).default(0.2),
});

export const AirEpisode = z.object({
  center: LonLat,
  radiusKm: z.number().positive().max(2000),
  fromH: Hours,
  toH: Hours,
  /** Ramp-up and ramp-down time, hours. */
  rampH: z.number().min(0).max(72).default(6),
  /** Multipliers at the episode's peak, per metric. */
  factor: z.partialRecord(MetricCode, z.number().positive().max(50)),
});

const Target = z.object({
  stations: z.array(StationId).optional(),
  /** Deterministic fraction of the stations (by seed) when `stations` is absent. */
  fraction: z.number().min(0).max(1).optional(),
  metrics: z.array(MetricCode).optional(),
});

export const Fault = z.discriminatedUnion('type', [
  Target.extend({ type: z.literal('stuck'), fromH: Hours, toH: Hours.optional() }),
  Target.extend({ type: z.literal('drift'), fromH: Hours, toH: Hours.optional(), perDay: z.number() }),
  Target.extend({ type: z.literal('spikes'), probability: z.number().min(0).max(1), magnitude: z.number().positive().max(1000) }),
  Target.extend({ type: z.literal('dropouts'), probability: z.number().min(0).max(1) }),
  Target.extend({ type: z.literal('battery_death'), atH: Hours, drainFromH: Hours.optional() }),
  Target.extend({ type: z.literal('clock_skew'), skewS: z.number().min(-86400 * 30).max(86400 * 30) }),
]);
export type Fault = z.infer<typeof Fault>;

export const GatewayOutage = z.object({
  /** Gateway ids (gw-...) or stations whose gateway goes down. */
  gateways: z.array(z.string().max(128)).optional(),
  stations: z.array(StationId).optional(),
  fraction: z.number().min(0).max(1).optional(),
  fromH: Hours,
  toH: Hours,
  /** Readings taken during the outage are stored at the gateway and sent when it is back. */
  backfill: z.boolean().default(true),
});

export const HostileKind = z.enum([
  'not_json',
  'not_utf8',
  'wrong_version',
  'unknown_metric',
  'non_finite',
  'string_value',
  'station_mismatch',
  'missing_station',
  'oversized',
  'deep_nesting',
  'injection_station',
  'future_timestamp',
  'negative_timestamp',
  'empty_batch',
  'bad_senml',
  'wrong_topic',
  'huge_batch',
]);
export type HostileKind = z.infer<typeof HostileKind>;

export const Scenario = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
    title: z.string().min(1).max(200),
    description: z.string().max(4000).default(''),
    /** Day of year whose season the run uses (default: the date being simulated). */
    seasonDoy: z.number().int().min(1).max(366).optional(),
    /** Suggested duration for `run` when --duration is not given, hours. */
    durationH: z.number().positive().max(24 * 366).optional(),
    /** Multipliers on base flow and rainfall (drought < 1). */
    flowFactor: z.number().positive().max(5).default(1),
    rainFactor: z.number().min(0).max(10).default(1),
    /** Lake level offset, metres (drought < 0). */
    lakeLevelOffsetM: z.number().min(-10).max(10).default(0),
    pulses: z.array(FloodPulse).default([]),
    reservoirs: z.array(ReservoirFlood).default([]),
    rain: z.array(RainEvent).default([]),
    tributaries: z.array(Tributary).default([]),
    spills: z.array(Spill).default([]),
    airEpisodes: z.array(AirEpisode).default([]),
    faults: z.array(Fault).default([]),
    gatewayOutages: z.array(GatewayOutage).default([]),
    /** Malformed and hostile payloads, for testing ingest; needs --allow-hostile. */
    hostile: z
      .object({
        kinds: z.array(HostileKind).min(1),
        /** Hostile messages per simulated hour. */
        perHour: z.number().positive().max(100_000),
      })
      .optional(),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;

/** The scenarios/ directory shipped with the package. */
export const SCENARIO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

export function parseScenario(doc: unknown, file = '(inline)'): Scenario {
  const r = Scenario.safeParse(doc);
  if (!r.success) throw SimErrors.SCENARIO_INVALID(file, r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  const s = r.data;
  const problems: string[] = [];
  const checkWindow = (where: string, from: number, to: number) => {
    if (to <= from) problems.push(`${where}: toH must be after fromH`);
  };
  s.rain.forEach((e, i) => checkWindow(`rain.${i}`, e.fromH, e.toH));
  s.airEpisodes.forEach((e, i) => checkWindow(`airEpisodes.${i}`, e.fromH, e.toH));
  s.gatewayOutages.forEach((e, i) => checkWindow(`gatewayOutages.${i}`, e.fromH, e.toH));
  s.reservoirs.forEach((r, i) => {
    if (r.maxOutflowM3s > r.inflowPeakM3s * 2) problems.push(`reservoirs.${i}: maxOutflowM3s is implausibly above the inflow peak`);
  });
  s.spills.forEach((sp, i) => {
    if (Object.keys(sp.peak).length + Object.keys(sp.massT).length === 0) problems.push(`spills.${i}: neither massT nor peak names a metric`);
    for (const m of Object.keys(sp.massT)) if (METRICS[m as MetricCode].unit !== 'mg/L') problems.push(`spills.${i}: massT.${m}: only mg/L metrics have a mass`);
  });
  if (problems.length) throw SimErrors.SCENARIO_INVALID(file, problems);
  return s;
}

export function loadScenarioFile(file: string): Scenario {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw SimErrors.SCENARIO_INVALID(file, [`not readable JSON: ${(e as Error).message}`]);
  }
  const s = parseScenario(doc, file);
  const base = path.basename(file, '.json');
  if (base !== s.name) throw SimErrors.SCENARIO_INVALID(file, [`name "${s.name}" differs from the file name "${base}"`]);
  return s;
}

/** All scenarios of a directory, by name. */
export function listScenarios(dir = SCENARIO_DIR): Scenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadScenarioFile(path.join(dir, f)));
}

/** Older scenario names kept working: `flood` is the calibrated July 2020 flood. */
export const SCENARIO_ALIASES: Readonly<Record<string, string>> = { flood: 'flood-2020-jul' };

/** A scenario by name or alias (from the scenario directory) or by path to a .json file. */
export function resolveScenario(nameOrPath: string, dir = SCENARIO_DIR): Scenario {
  if (nameOrPath.endsWith('.json')) return loadScenarioFile(path.resolve(nameOrPath));
  const all = listScenarios(dir);
  const name = SCENARIO_ALIASES[nameOrPath] ?? nameOrPath;
  const s = all.find((x) => x.name === name);
  if (!s) throw SimErrors.SCENARIO_NOT_FOUND(nameOrPath, all.map((x) => x.name));
  return s;
}
