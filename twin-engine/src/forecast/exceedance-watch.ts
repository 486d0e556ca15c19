import type { Queryable } from '@basin/platform';
import type { TwinEvent, TwinState } from '../state/twin.js';
import { Election, holdsLease, leaseHolder, type ElectedDeps, type LeaseOptions } from '../state/lease.js';
import { EXCEEDANCE_DEFAULTS, exceedanceCrossings, predictFromExceedance, watchedLimit, type ExceedanceOptions, type ExceedanceTarget } from './exceedance.js';
import { dischargeAt } from './spill-request.js';
import { SPILL_MODEL_VERSION } from './spill-run.js';
import { saveSpillRun } from './store.js';
import { crossingChanges } from './changes.js';
import { publishEvent } from '../ops/events.js';
import type { ForecastCrossing } from '@basin/schemas';

const HOUR = 3_600_000;
/** Readings of the exceeding station each run reads (its baseline and the plume so far). */
const WINDOW_H = 24;
/** The quality code of a QC-failed reading in the readings table. */
const QC_FAILED = 4;

export interface SpillWatchOptions extends ExceedanceOptions, LeaseOptions {
  /** Reading time between runs while a station stays above its limit, ms. */
  rerunMs: number;
}

export type SpillWatchDeps = ElectedDeps<Pick<TwinState, 'model' | 'live' | 'subscribe'>, SpillWatchOptions>;

interface Trigger {
  station: string;
  metric: string;
  ts: number;
  value: number;
  limit: number;
}

/**
 * The 预报 spill watch: a committed reading of a water-quality station above its GB 3838 class III
 * limit starts a pollutant-travel run from that station (exceedance.ts) — issued at the reading's
 * time, stored as a spill run and announced like every forecast run, so `forecast_crossing` rules
 * (`nh3n:IV` at an intake) warn the intakes downstream before the plume reaches them. While the
 * station stays above the limit it runs again every `rerunMs` of reading time, and once more when
 * the station falls back below it. Every process runs one; only the holder of the `spill_watch`
 * lease produces runs, fenced in the storing transaction, with `forecast.crossing` webhook and
 * stream events for the class crossings that changed since the station's previous run. Run ids come
 * from the trigger (station, metric, reading time), so the same trigger is stored once.
 */
export class SpillWatch {
  private readonly opts: SpillWatchOptions;
  /** Reading time of the last run per station and metric, and whether it was above the limit. */
  private readonly last = new Map<string, { ts: number; above: boolean }>();
  private running: Promise<unknown> = Promise.resolve();
  private readonly election: Election;
  private unsubscribe: (() => void) | null = null;
  readonly stats = { runs: 0, failures: 0 };

  constructor(private readonly deps: SpillWatchDeps) {
    this.opts = { ...EXCEEDANCE_DEFAULTS, rerunMs: 30 * 60_000, leaseMs: 15_000, ...deps.options };
    this.election = new Election({ db: deps.db, table: 'spill_watch', holder: deps.holder, ttlMs: this.opts.leaseMs, log: deps.log });
  }

  get isLeader(): boolean {
    return this.election.leader;
  }

  private get leader(): boolean {
    return this.election.leader;
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.twin.subscribe((e) => this.onEvent(e));
    await this.election.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.election.halt();
    await this.settled();
    await this.election.release();
  }

  /** Resolves when the runs queued so far are stored. */
  async settled(): Promise<void> {
    for (let p = this.running; ; p = this.running) {
      await p.catch(() => undefined);
      if (p === this.running) return;
    }
  }

  private onEvent(e: TwinEvent): void {
    if (e.type !== 'reading' || !this.leader) return;
    if (this.deps.twin.model.stationInfo.get(e.station)?.kind !== 'water_quality') return;
    for (const r of [...e.readings].sort((a, b) => a.ts - b.ts)) {
      const limit = watchedLimit(r.metric);
      if (limit === null || r.quality === 'fail') continue;
      const key = `${e.station}\u0000${r.metric}`;
      const prev = this.last.get(key);
      const above = r.value > limit;
      const due = above ? !prev || !prev.above || r.ts >= prev.ts + this.opts.rerunMs : prev?.above === true && r.ts > prev.ts;
      if (!due) continue;
      this.last.set(key, { ts: r.ts, above });
      this.enqueue({ station: e.station, metric: r.metric, ts: r.ts, value: r.value, limit });
    }
  }

  private enqueue(t: Trigger): void {
    this.running = this.running
      .catch(() => undefined)
      .then(() => this.run(t))
      .catch((err: unknown) => {
        this.stats.failures++;
        this.deps.log.warn({ err: (err as Error).message, station: t.station, metric: t.metric }, 'pollutant-travel run from an exceedance failed');
      });
  }

  /** One run from the station's readings up to the trigger. */
  private async run(t: Trigger): Promise<void> {
    const { db, twin } = this.deps;
    const model = twin.model;
    const point = model.pointOf(t.station);
    if (!point) return;
    const readings = await windowReadings(db, t.station, t.metric, t.ts);
    const here = dischargeAt(model, twin.live, point);
    const downstream = [...model.stations.values()].filter((s) => (s.kind === 'water_intake' || s.kind === 'water_quality') && s.id !== t.station && (model.path(point, s)?.km ?? 0) > 0);
    const baselines = await medians(db, downstream.map((s) => s.id), t.metric, t.ts);
    const targets: (ExceedanceTarget & { dischargeFrom: string })[] = downstream.map((s) => {
      const q = dischargeAt(model, twin.live, { river: s.river, km: s.km });
      return { station: s.id, point: { river: s.river, km: s.km }, bank: model.stationInfo.get(s.id)?.bank ?? null, dischargeM3s: q.q, dischargeFrom: q.from, baseline: baselines.get(s.id) ?? 0 };
    });
    const bank = model.stationInfo.get(t.station)?.bank ?? null;
    const f = predictFromExceedance(model, { station: t.station, metric: t.metric, point, bank, readings, dischargeM3s: here.q }, targets, t.ts, this.opts);
    if (!f) return;
    const iso = (x: number | null) => (x === null ? null : new Date(x).toISOString());
    const id = `spill-${t.station}-${t.metric}-${iso(t.ts)!.slice(0, 19)}`;
    const inputs = {
      trigger: { station: t.station, metric: t.metric, at: iso(t.ts), value: t.value, limit: t.limit },
      source: { bank, sourceKm: this.opts.sourceKm, stationFactor: f.source.stationFactor, baseline: f.source.baseline, startedAt: iso(f.source.startedAt), observedKg: f.source.observedKg, latestExcess: f.source.latestExcess, persistH: this.opts.persistH, dischargeM3s: here.q, dischargeFrom: here.from },
      targets: f.targets.map((p) => ({ ...p, arrivalAt: iso(p.arrivalAt), peakAt: iso(p.peakAt), reaching: p.reaching.map(iso) })),
    };
    const run = { id, issuedAt: t.ts, horizonH: this.opts.horizonH, modelVersion: `${SPILL_MODEL_VERSION} observed-exceedance`, inputs, crossings: exceedanceCrossings(id, t.ts, t.metric, f.targets) };
    const stored = await db.transaction(async (tx) => {
      if (!(await holdsLease(tx, 'spill_watch', this.deps.holder))) return false;
      const previous = await previousCrossings(tx, t.station, t.metric);
      if (!(await saveSpillRun(tx, run))) return false;
      await publishChanges(tx, previous, run.crossings.filter((c) => (c.threshold ?? 0) >= t.limit), t.metric);
      return true;
    });
    if (!stored) return;
    this.stats.runs++;
    const warned = f.targets.filter((p) => p.arrivalAt !== null).map((p) => p.station);
    this.deps.log.info({ id, station: t.station, metric: t.metric, value: t.value, warned }, 'pollutant-travel forecast from an exceedance stored');
  }

}

/** The crossings of the previous run from the same station and metric (none before the first). */
async function previousCrossings(tx: Queryable, station: string, metric: string): Promise<ForecastCrossing[]> {
  const r = await tx.query<{ events: ForecastCrossing[] | string }>(
    `SELECT events FROM forecasts WHERE kind = 'spill' AND inputs->'trigger'->>'station' = $1 AND inputs->'trigger'->>'metric' = $2 ORDER BY issued_at DESC LIMIT 1`,
    [station, metric],
  );
  const e = r.rows[0]?.events;
  return e === undefined ? [] : typeof e === 'string' ? (JSON.parse(e) as ForecastCrossing[]) : e;
}

/** `forecast.crossing` webhook and stream events for the class crossings (at or above the watched limit) that changed since the previous run (1 h tolerance). */
async function publishChanges(tx: Queryable, previous: ForecastCrossing[], next: ForecastCrossing[], metric: string): Promise<void> {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  for (const c of crossingChanges(previous, next, HOUR)) {
    const data = { station: c.station, level: c.level, forecastId: c.forecastId, issuedAt: iso(c.issuedAt)!, crossingAt: iso(c.crossingAt), ...(c.value !== undefined ? { value: c.value } : {}) };
    await publishEvent(tx, { type: 'forecast.crossing', data, attrs: { station: c.station, metric } });
  }
}

/** The station's readings of the metric in the window ending at `until` (QC-failed left out), oldest first. */
async function windowReadings(q: Queryable, station: string, metric: string, until: number): Promise<[number, number][]> {
  const r = await q.query<{ t: Date | string; v: number }>(
    `SELECT time AS t, value AS v FROM readings WHERE station = $1 AND metric = $2 AND quality <> ${QC_FAILED} AND time > $3 AND time <= $4 ORDER BY time`,
    [station, metric, new Date(until - WINDOW_H * HOUR).toISOString(), new Date(until).toISOString()],
  );
  return r.rows.map((x) => [new Date(x.t).getTime(), Number(x.v)]);
}

/** Median of each station's readings of the metric over the window ending at `until`: its level without the plume. */
async function medians(q: Queryable, stations: string[], metric: string, until: number): Promise<Map<string, number>> {
  if (stations.length === 0) return new Map();
  const r = await q.query<{ station: string; m: number }>(
    `SELECT station, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS m FROM readings
     WHERE station = ANY($1::text[]) AND metric = $2 AND quality <> ${QC_FAILED} AND time > $3 AND time <= $4 GROUP BY station`,
    [stations, metric, new Date(until - WINDOW_H * HOUR).toISOString(), new Date(until).toISOString()],
  );
  return new Map(r.rows.map((x) => [x.station, Number(x.m)]));
}

/** The spill watch in a twin-engine process (elected; its runs reach the rules through the forecast announcements). */
export async function startSpillWatch(deps: Omit<SpillWatchDeps, 'holder'>): Promise<SpillWatch> {
  const w = new SpillWatch({ ...deps, log: deps.log.child({ component: 'spill-watch' }), holder: leaseHolder() });
  await w.start();
  return w;
}
