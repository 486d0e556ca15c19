import { createHash } from 'node:crypto';
import type { Queryable } from '@basin/platform';
import type { ForecastCrossing, ForecastRunInfo } from '@basin/schemas';
import type { HourlySeries } from './flood.js';
import type { FloodRun } from './run.js';
import { publishEvent } from '../ops/events.js';
import { crossingChanges } from './changes.js';
import { holdsLease } from '../state/lease.js';
import { CHANNELS } from '../state/feed.js';

const HOUR = 3_600_000;

// --- the runner's lease (state/lease.ts Election, on its own row): fencing --------------------------

/** Fencing inside the storing transaction: locks the lease row and confirms this process holds it. */
export const holdsRunnerLease = (tx: Queryable, holder: string) => holdsLease(tx, 'forecast_runner', holder);

// --- inputs -------------------------------------------------------------------------------------

/** Time of the newest input reading (discharge, stage, outflow) of the given stations, or null. */
export async function newestInput(q: Queryable, stations: string[], metrics: string[]): Promise<number | null> {
  const r = await q.query<{ t: Date | string | null }>(`SELECT max(time) AS t FROM latest_readings WHERE station = ANY($1::text[]) AND metric = ANY($2::text[])`, [stations, metrics]);
  const t = r.rows[0]?.t;
  return t === null || t === undefined ? null : new Date(t).getTime();
}

/**
 * Hourly means (QC-failed readings left out) of the inputs over `hours` hours ending with the
 * issue hour: per station an array from `issuedAt − (hours−1)·1h`, NaN where no reading fell.
 */
export async function loadHourlyInputs(q: Queryable, stations: string[], issuedAt: number, hours: number): Promise<Map<string, HourlySeries>> {
  const start = issuedAt - (hours - 1) * HOUR;
  const r = await q.query<{ station: string; metric: string; h: Date | string; v: number }>(
    `SELECT station, metric, time_bucket('1 hour', time) AS h, avg(value) AS v FROM readings
     WHERE station = ANY($1::text[]) AND metric IN ('discharge', 'water_level', 'outflow') AND quality <> 4 AND time >= $2 AND time < $3
     GROUP BY 1, 2, 3`,
    [stations, new Date(start).toISOString(), new Date(issuedAt + HOUR).toISOString()],
  );
  const out = new Map<string, HourlySeries>();
  const key = { discharge: 'discharge', water_level: 'stage', outflow: 'outflow' } as const;
  for (const row of r.rows) {
    const s = out.get(row.station) ?? { start };
    out.set(row.station, s);
    const k = key[row.metric as keyof typeof key];
    const arr = (s[k] ??= new Array<number>(hours).fill(NaN));
    const i = Math.round((new Date(row.h).getTime() - start) / HOUR);
    if (i >= 0 && i < hours) arr[i] = Number(row.v);
  }
  return out;
}

/** Stable digest of the inputs: the same inputs give the same run id in every process. */
export function inputsDigest(series: ReadonlyMap<string, HourlySeries>): string {
  const h = createHash('sha256');
  for (const id of [...series.keys()].sort()) h.update(JSON.stringify([id, series.get(id)]));
  return h.digest('hex');
}

// --- runs ---------------------------------------------------------------------------------------

/** Stores a run and announces it, in one transaction; false when it was stored before. */
export async function saveRun(tx: Queryable, run: FloodRun, inputs: Record<string, unknown>): Promise<boolean> {
  const previous = await previousCrossings(tx);
  const r = await tx.query(
    `INSERT INTO forecasts (issued_at, id, kind, inputs, events, model_version, horizon_h) VALUES ($1, $2, 'flood', $3, $4, $5, $6)
     ON CONFLICT DO NOTHING RETURNING id`,
    [new Date(run.issuedAt).toISOString(), run.id, JSON.stringify(inputs), JSON.stringify(run.crossings), run.modelVersion, run.horizonH],
  );
  if (r.rows.length === 0) return false;
  const p = run.points;
  await tx.query(
    `INSERT INTO forecast_points (valid_at, forecast_id, station, metric, lead_h, value, lower, upper)
     SELECT to_timestamp(t / 1000.0), $1, s, m, l, v, lo, up FROM unnest($2::float8[], $3::text[], $4::text[], $5::float4[], $6::float8[], $7::float8[], $8::float8[]) AS u(t, s, m, l, v, lo, up)`,
    [run.id, p.map((x) => x.validAt), p.map((x) => x.station), p.map((x) => x.metric), p.map((x) => x.leadH), p.map((x) => x.value), p.map((x) => x.lower), p.map((x) => x.upper)],
  );
  await publishChanges(tx, previous, run.crossings);
  await tx.query(`SELECT pg_notify($1, $2)`, [CHANNELS.forecasts, run.id]);
  return true;
}

/** The crossings of the newest stored flood run (none before the first). */
async function previousCrossings(tx: Queryable): Promise<ForecastCrossing[]> {
  const r = await tx.query<{ events: ForecastCrossing[] | string }>(`SELECT events FROM forecasts WHERE kind = 'flood' ORDER BY issued_at DESC, created_at DESC LIMIT 1`);
  const e = r.rows[0]?.events;
  return e === undefined ? [] : typeof e === 'string' ? (JSON.parse(e) as ForecastCrossing[]) : e;
}

/** `forecast.crossing` webhook and stream events for the crossings that changed since the previous run (1 h tolerance). */
async function publishChanges(tx: Queryable, previous: ForecastCrossing[], next: ForecastCrossing[]): Promise<void> {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  for (const c of crossingChanges(previous, next, HOUR)) {
    const data = { station: c.station, level: c.level, forecastId: c.forecastId, issuedAt: iso(c.issuedAt)!, crossingAt: iso(c.crossingAt), ...(c.value !== undefined ? { value: c.value } : {}) };
    await publishEvent(tx, { type: 'forecast.crossing', data, attrs: { station: c.station, metric: 'water_level' } });
  }
}

/** A stored run's announcement (id, issue time, model version, crossings), or null. */
export async function loadRunInfo(q: Queryable, id: string): Promise<ForecastRunInfo | null> {
  const r = await q.query<{ id: string; kind: 'flood' | 'spill'; issued_at: Date | string; model_version: string; horizon_h: number; events: ForecastCrossing[] | string }>(
    `SELECT id, kind, issued_at, model_version, horizon_h, events FROM forecasts WHERE id = $1 ORDER BY issued_at DESC LIMIT 1`,
    [id],
  );
  const x = r.rows[0];
  if (!x) return null;
  const events = typeof x.events === 'string' ? (JSON.parse(x.events) as ForecastCrossing[]) : x.events;
  return { id: x.id, kind: x.kind, issuedAt: new Date(x.issued_at).getTime(), modelVersion: x.model_version, horizonH: Number(x.horizon_h), crossings: events };
}

/** Stores a spill run (its request and arrivals as inputs, its class crossings as events) and announces it; false when stored before. */
export async function saveSpillRun(tx: Queryable, run: { id: string; issuedAt: number; horizonH: number; modelVersion: string; inputs: unknown; crossings: ForecastCrossing[] }): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO forecasts (issued_at, id, kind, inputs, events, model_version, horizon_h) VALUES ($1, $2, 'spill', $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
    [new Date(run.issuedAt).toISOString(), run.id, JSON.stringify(run.inputs), JSON.stringify(run.crossings), run.modelVersion, run.horizonH],
  );
  if (r.rows.length === 0) return false;
  await tx.query(`SELECT pg_notify($1, $2)`, [CHANNELS.forecasts, run.id]);
  return true;
}
