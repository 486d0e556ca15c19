import { z } from 'zod';
import { METRIC_CODES, type MetricCode, type QualityFlag, type Reading } from '@basin/schemas';
import type { Queryable } from '@basin/platform';

/**
 * Automated quality control in the manner of QARTOD (US IOOS) and Delft-FEWS validation rules.
 * Each stored reading gets one flag — pass, suspect or fail (QARTOD 1 / 3 / 4) — the worst of:
 *
 *  - gross range: outside the `fail` span (instrument / plausible span) fails, outside the
 *    `suspect` span (climatological / operational span for the basin) is suspect. Values outside
 *    the metric's physical range never get here: they are dead-lettered by validation.
 *  - spike: deviation from the median of the previous (up to) three values; above `suspect` is
 *    suspect, above `fail` fails.
 *  - rate of change: |Δvalue| over the time since the previous value exceeds `rate` per hour
 *    (the time step is floored at 5 minutes so that fast sampling is not penalised): suspect.
 *  - flat line (stuck sensor): the value and the previous ones stay within `tolerance` for
 *    `suspect` (or `fail`) consecutive readings spanning at least `hours.suspect` (`hours.fail`).
 *    QARTOD counts repeats for a sampling rate; stations here publish every few seconds to every
 *    few hours, so a run must also last: a slow signal (water temperature, SO2 at 0.1 µg/m³)
 *    published every 10 s legitimately repeats its value for many minutes (with counts alone,
 *    `npm start` flagged half the network as failed after 10 minutes).
 *  - a device-side quality hint (payload `quality`, HJ 212 data flag) can only make it worse.
 *
 * Suspect and failed values are stored with their flag, never dropped. Tests needing history use
 * a bounded per-(station, metric) window kept in memory and seeded from the database on demand.
 */

export interface QcThresholds {
  range: { fail: readonly [number, number]; suspect: readonly [number, number] };
  spike: { suspect: number; fail: number } | null;
  /** Largest plausible change per hour (suspect above). */
  rate: number | null;
  flat: { tolerance: number; suspect: number; fail: number | null; hours: { suspect: number; fail: number } } | null;
}

/** How long a flat run must last to be suspect / to fail, for every metric with the test. */
export const FLAT_HOURS = Object.freeze({ suspect: 6, fail: 12 });

type Row = [MetricCode, number, number, number, number, number | null, number | null, number | null, number | null, number | null, number | null];
const F = (s: number, f: number | null): [number, number, number | null] => [0, s, f];

// code, fail min/max, suspect min/max, spike suspect/fail, rate per hour, flat tolerance/suspect/fail
// Suspect spans are climatological extremes for the middle Yangtze, not regulatory limits: an
// exceedance of a water-quality standard is real data, not a data-quality problem.
const ROWS: Row[] = [
  ['water_level', -5, 200, 0, 180, 0.5, 2, 1, ...F(60, null)],
  ['discharge', 0, 120_000, 0, 100_000, 5000, 20_000, 10_000, null, null, null],
  ['inflow', 0, 120_000, 0, 110_000, 8000, 30_000, 20_000, null, null, null],
  ['outflow', 0, 120_000, 0, 110_000, null, null, null, null, null, null],
  ['rainfall', 0, 300, 0, 150, null, null, null, null, null, null],
  ['water_temp', -1, 40, 0, 35, 2, 5, 3, ...F(30, 60)],
  ['ph', 2, 12.5, 6, 9.5, 0.5, 1.5, 1, ...F(30, 60)],
  ['do', 0, 20, 1, 15, 2, 5, 4, ...F(30, 60)],
  ['conductivity', 1, 5000, 30, 2000, 200, 1000, 500, ...F(30, 60)],
  ['turbidity', 0, 3000, 0, 1500, 100, 500, 500, ...F(30, 60)],
  ['codmn', 0, 60, 0, 30, 3, 10, 5, ...F(30, 60)],
  ['cod', 0, 600, 0, 150, 10, 50, 20, ...F(30, 60)],
  ['nh3n', 0, 40, 0, 15, 1, 5, 2, ...F(30, 60)],
  ['tp', 0, 8, 0, 2, 0.2, 1, 0.3, ...F(30, 60)],
  ['tn', 0, 40, 0, 20, 1, 5, 2, ...F(30, 60)],
  ['pm25', 0, 1000, 0, 500, 100, 300, 150, ...F(30, 60)],
  ['pm10', 0, 2000, 0, 1000, 150, 500, 250, ...F(30, 60)],
  ['so2', 0, 2000, 0, 500, 50, 200, 100, ...F(30, 60)],
  ['no2', 0, 1000, 0, 400, 60, 200, 100, ...F(30, 60)],
  ['co', 0, 50, 0, 10, 2, 8, 3, ...F(30, 60)],
  ['o3', 0, 1000, 0, 400, 80, 250, 120, ...F(30, 60)],
  ['air_temp', -30, 48, -15, 42, 4, 10, 6, ...F(30, 60)],
  ['humidity', 0, 100, 5, 100, 20, 50, 30, null, null, null],
  ['pressure', 60, 108, 95, 105, 0.5, 2, 0.5, ...F(30, null)],
  ['wind_speed', 0, 60, 0, 30, 10, 25, 15, null, null, null],
  ['wind_dir', 0, 360, 0, 360, null, null, null, null, null, null],
  ['soil_moisture', 0, 80, 1, 60, 10, 30, 10, null, null, null],
  ['soil_temp', -20, 60, -10, 45, 3, 8, 3, null, null, null],
  ['soil_ph', 2, 12, 4, 9, 0.5, 1.5, null, null, null, null],
  ['cd', 0, 50, 0, 10, null, null, null, null, null, null],
  ['hg', 0, 20, 0, 6, null, null, null, null, null, null],
  ['as', 0, 500, 0, 150, null, null, null, null, null, null],
  ['pb', 0, 3000, 0, 800, null, null, null, null, null, null],
  ['cr', 0, 3000, 0, 1000, null, null, null, null, null, null],
  ['cu', 0, 3000, 0, 500, null, null, null, null, null, null],
  ['ni', 0, 1000, 0, 300, null, null, null, null, null, null],
  ['zn', 0, 5000, 0, 1000, null, null, null, null, null, null],
];

export const QC_DEFAULTS: Readonly<Record<MetricCode, QcThresholds>> = Object.freeze(
  Object.fromEntries(
    ROWS.map(([code, fmin, fmax, smin, smax, ss, sf, rate, tol, fs, ff]) => [
      code,
      {
        range: { fail: [fmin, fmax], suspect: [smin, smax] },
        spike: ss === null || sf === null ? null : { suspect: ss, fail: sf },
        rate,
        flat: tol === null || fs === null ? null : { tolerance: tol, suspect: fs, fail: ff, hours: FLAT_HOURS },
      } satisfies QcThresholds,
    ]),
  ) as unknown as Record<MetricCode, QcThresholds>,
);
for (const code of METRIC_CODES) if (!QC_DEFAULTS[code]) throw new Error(`QC thresholds missing for metric ${code}`);

const span = z.tuple([z.number(), z.number()]).refine(([a, b]) => a <= b, 'min must not exceed max');
const MetricOverride = z
  .object({
    range: z.object({ fail: span.optional(), suspect: span.optional() }).strict().optional(),
    spike: z.object({ suspect: z.number().positive(), fail: z.number().positive() }).strict().nullable().optional(),
    rate: z.number().positive().nullable().optional(),
    flat: z
      .object({
        tolerance: z.number().min(0),
        suspect: z.number().int().min(2),
        fail: z.number().int().min(2).nullable(),
        hours: z.object({ suspect: z.number().min(0), fail: z.number().min(0) }).strict().default(FLAT_HOURS),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
/** Per-metric overrides (INGEST_QC_OVERRIDES), merged over {@link QC_DEFAULTS}. */
export const QcOverrides = z.partialRecord(z.enum(METRIC_CODES), MetricOverride);
export type QcOverridesInput = z.infer<typeof QcOverrides>;

export function qcThresholds(overrides: QcOverridesInput = {}): Record<MetricCode, QcThresholds> {
  const out = {} as Record<MetricCode, QcThresholds>;
  for (const code of METRIC_CODES) {
    const d = QC_DEFAULTS[code];
    const o = overrides[code];
    out[code] = {
      range: { fail: o?.range?.fail ?? d.range.fail, suspect: o?.range?.suspect ?? d.range.suspect },
      spike: o?.spike === undefined ? d.spike : o.spike,
      rate: o?.rate === undefined ? d.rate : o.rate,
      flat: o?.flat === undefined ? d.flat : o.flat,
    };
  }
  return out;
}

export type QcTest = 'gross_range' | 'spike' | 'rate_of_change' | 'flat_line' | 'device';
export interface QcResult {
  flag: Exclude<QualityFlag, 'not_evaluated'>;
  /** Tests that did not pass, with their outcome. */
  failed: { test: QcTest; flag: 'suspect' | 'fail' }[];
}

const RANK = { pass: 0, suspect: 1, fail: 2 } as const;
const MIN_RATE_STEP_H = 5 / 60;

interface Window {
  ts: number[];
  v: number[];
  /** Time of the first value of the newest flat run, when the run began before the window's oldest value. */
  runFrom?: number;
  /** when it was last used (QcEngine's use clock; least recently used windows are evicted) */
  used: number;
}

function median3(v: readonly number[]): number {
  const n = v.length;
  if (n >= 3) {
    const a = v[n - 3]!;
    const b = v[n - 2]!;
    const c = v[n - 1]!;
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
  return n === 2 ? (v[0]! + v[1]!) / 2 : v[0]!;
}

/** The flat-line flag of a value: its run of repeats in the history, by count and by duration. */
function flatLine(flat: NonNullable<QcThresholds['flat']>, value: number, ts: number, hist: Readonly<Pick<Window, 'ts' | 'v' | 'runFrom'>>): 'suspect' | 'fail' | null {
  let i = hist.v.length - 1;
  while (i >= 0 && Math.abs(hist.v[i]! - value) <= flat.tolerance) i--;
  const same = hist.v.length - i; // with the value itself
  if (same < flat.suspect) return null;
  const from = i < 0 ? Math.min(hist.runFrom ?? Infinity, hist.ts[0]!) : hist.ts[i + 1]!;
  const hours = (ts - from) / 3_600_000;
  if (flat.fail !== null && same >= flat.fail && hours >= flat.hours.fail) return 'fail';
  return hours >= flat.hours.suspect ? 'suspect' : null;
}

/** The result of a reading that passes every test (shared: results are read-only). */
const PASS: QcResult = Object.freeze({ flag: 'pass', failed: Object.freeze([]) as unknown as QcResult['failed'] }) as QcResult;

/** Run the tests for one value against the history before it (oldest first). */
export function evaluate(t: QcThresholds, value: number, ts: number, hist: Readonly<Pick<Window, 'ts' | 'v' | 'runFrom'>> | null, hint?: QualityFlag): QcResult {
  // allocated only when a test does not pass (most readings pass)
  let failed: QcResult['failed'] | null = null;
  const [fmin, fmax] = t.range.fail;
  const [smin, smax] = t.range.suspect;
  if (value < fmin || value > fmax) (failed ??= []).push({ test: 'gross_range', flag: 'fail' });
  else if (value < smin || value > smax) (failed ??= []).push({ test: 'gross_range', flag: 'suspect' });
  if (hist && hist.v.length > 0) {
    const n = hist.v.length;
    const prevV = hist.v[n - 1]!;
    const prevT = hist.ts[n - 1]!;
    if (t.spike && n >= 2) {
      const dev = Math.abs(value - median3(hist.v));
      if (dev > t.spike.fail) (failed ??= []).push({ test: 'spike', flag: 'fail' });
      else if (dev > t.spike.suspect) (failed ??= []).push({ test: 'spike', flag: 'suspect' });
    }
    if (t.rate !== null && ts > prevT) {
      const hours = Math.max((ts - prevT) / 3_600_000, MIN_RATE_STEP_H);
      if (Math.abs(value - prevV) > t.rate * hours) (failed ??= []).push({ test: 'rate_of_change', flag: 'suspect' });
    }
    if (t.flat) {
      const f = flatLine(t.flat, value, ts, hist);
      if (f) (failed ??= []).push({ test: 'flat_line', flag: f });
    }
  }
  if (hint === 'suspect' || hint === 'fail') (failed ??= []).push({ test: 'device', flag: hint });
  if (failed === null) return PASS;
  let flag: QcResult['flag'] = 'pass';
  for (const f of failed) if (RANK[f.flag] > RANK[flag]) flag = f.flag;
  return { flag, failed };
}

/**
 * QC state: thresholds per metric and a bounded LRU of per-series windows. Use
 * {@link QcEngine.seed} before {@link QcEngine.evaluateBatch}, which advances the windows: evaluate
 * each batch once, in arrival order, and keep its flags for retries of its commit.
 */
export class QcEngine {
  readonly thresholds: Record<MetricCode, QcThresholds>;
  /**
   * Windows per station, then per metric: looked up with the reading's own strings (a joined
   * key string per reading cost more than the tests themselves, CPU profile).
   */
  private readonly windows = new Map<string, Map<string, Window>>();
  private count = 0;
  /** Use clock: advanced when a window is first used in a batch (LRU order at batch granularity). */
  private clock = 0;

  constructor(
    readonly windowSize: number,
    overrides: QcOverridesInput = {},
    readonly maxSeries = 200_000,
    /** Per-station gross range (e.g. water level from the station's reference levels), null: the metric's. */
    private readonly stationRange: ((station: string, metric: MetricCode) => QcThresholds['range'] | null) | null = null,
  ) {
    this.thresholds = qcThresholds(overrides);
    const needed = Math.max(0, ...Object.values(this.thresholds).map((t) => (t.flat ? (t.flat.fail ?? t.flat.suspect) : 0)));
    if (windowSize + 1 < needed) this.windowSize = needed - 1;
  }

  get seriesCount(): number {
    return this.count;
  }

  private get(station: string, metric: string): Window | undefined {
    return this.windows.get(station)?.get(metric);
  }

  private add(station: string, metric: string): Window {
    let byMetric = this.windows.get(station);
    if (!byMetric) {
      byMetric = new Map();
      this.windows.set(station, byMetric);
    }
    const w: Window = { ts: [], v: [], used: ++this.clock };
    byMetric.set(metric, w);
    this.count++;
    return w;
  }

  /** Load the recent history of the series in `readings` that are not in memory. */
  async seed(db: Queryable, readings: readonly Reading[]): Promise<number> {
    const missing: [string, string][] = [];
    for (const r of readings) {
      if (this.get(r.station, r.metric)) continue;
      missing.push([r.station, r.metric]);
      this.add(r.station, r.metric); // filled below
    }
    if (missing.length === 0) return 0;
    let res;
    try {
      res = await db.query<{ station: string; metric: string; ts: number; value: number }>(
        `SELECT s.station, s.metric, (extract(epoch FROM r.time) * 1000)::float8 AS ts, r.value
           FROM unnest($1::text[], $2::text[]) AS s(station, metric)
           CROSS JOIN LATERAL (
             SELECT time, value FROM readings
              WHERE station = s.station AND metric = s.metric
              ORDER BY time DESC LIMIT $3) r`,
        [missing.map((p) => p[0]), missing.map((p) => p[1]), this.windowSize],
      );
    } catch (e) {
      // not seeded: forget the placeholders, so the next attempt asks again
      for (const [station, metric] of missing) this.remove(station, metric);
      throw e;
    }
    const rows = res.rows.sort((a, b) => a.ts - b.ts);
    for (const row of rows) {
      const w = this.get(row.station, row.metric)!;
      w.ts.push(Math.round(row.ts));
      w.v.push(row.value);
    }
    this.evict();
    return missing.length;
  }

  private remove(station: string, metric: string): void {
    const byMetric = this.windows.get(station);
    if (byMetric?.delete(metric)) {
      this.count--;
      if (byMetric.size === 0) this.windows.delete(station);
    }
  }

  /** Drop the least recently used windows beyond maxSeries (a scan: only while over the bound). */
  private evict(): void {
    const over = this.count - this.maxSeries;
    if (over <= 0) return;
    const all: [number, string, string][] = [];
    for (const [station, byMetric] of this.windows) for (const [metric, w] of byMetric) all.push([w.used, station, metric]);
    all.sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < over; i++) this.remove(all[i]![1], all[i]![2]);
  }

  private thresholdsFor(station: string, metric: MetricCode): QcThresholds {
    const t = this.thresholds[metric];
    if (!this.stationRange || metric !== 'water_level') return t;
    const range = this.stationRange(station, metric); // not cached: the registry may change a station's levels
    return range ? { ...t, range } : t;
  }

  /** A reading checked against the gross range (and its device hint) only: no history. */
  rangeOnly(r: Reading): QcResult {
    return evaluate(this.thresholdsFor(r.station, r.metric), r.value, r.ts, null, r.quality);
  }

  /**
   * Flag each reading (in time order within each series) and advance the windows with them: a
   * batch is evaluated once (the pipeline keeps its flags for retries). Readings older than, or as
   * old as, the newest value seen for their series are checked for gross range only (late or
   * redelivered data) and do not enter the window.
   */
  evaluateBatch(readings: readonly Reading[]): QcResult[] {
    const results = new Array<QcResult>(readings.length);
    // Time order (stable); batches usually arrive in order already, then no sort is needed.
    let sorted = true;
    for (let i = 1; i < readings.length && sorted; i++) if (readings[i]!.ts < readings[i - 1]!.ts) sorted = false;
    const order = sorted ? null : readings.map((_, i) => i).sort((a, b) => readings[a]!.ts - readings[b]!.ts);
    const size = this.windowSize;
    const batchStart = this.clock;
    for (let j = 0; j < readings.length; j++) {
      const i = order ? order[j]! : j;
      const r = readings[i]!;
      let w = this.get(r.station, r.metric);
      if (!w) w = this.add(r.station, r.metric);
      else if (w.used <= batchStart) w.used = ++this.clock; // most recently used (once per batch)
      const t = this.thresholdsFor(r.station, r.metric);
      const last = w.ts.length ? w.ts[w.ts.length - 1]! : -Infinity;
      if (r.ts <= last) {
        results[i] = evaluate(t, r.value, r.ts, null, r.quality);
        continue;
      }
      results[i] = evaluate(t, r.value, r.ts, w, r.quality);
      // shift, not splice: no array of removed values allocated per reading
      if (w.ts.length >= size) {
        // the oldest value leaves: a flat run it belonged to keeps its start
        if (w.v.length > 1 && Math.abs(w.v[0]! - w.v[1]!) <= (t.flat?.tolerance ?? 0)) w.runFrom = Math.min(w.runFrom ?? Infinity, w.ts[0]!);
        else w.runFrom = undefined;
        w.ts.shift();
        w.v.shift();
      }
      w.ts.push(r.ts);
      w.v.push(r.value);
    }
    this.evict();
    return results;
  }
}
