import type { Queryable } from '@basin/platform';
import type { ForecastCrossing } from '@basin/schemas';
import { leadBucket, verifyCrossing, type CrossingVerdict } from './skill.js';
import { loadHourlyInputs } from './store.js';
import type { SkillLookup } from './run.js';

const HOUR = 3_600_000;
/** How far back runs are verified at each pass: the horizon and a day of late observations. */
const LOOKBACK_H = 72 + 24;

/**
 * Scores forecast values of `stations` (the forecast gauges: the raw scan stays small) whose hour
 * is complete (a later reading of the station has arrived) against the hourly mean observed; each
 * point once (skill_ledger's key).
 */
export async function scorePoints(q: Queryable, until: number, stations: string[]): Promise<number> {
  const from = new Date(until - LOOKBACK_H * HOUR).toISOString();
  const r = await q.query(
    `INSERT INTO skill_ledger (valid_at, forecast_id, station, metric, lead_h, forecast, observed)
     SELECT fp.valid_at, fp.forecast_id, fp.station, fp.metric, fp.lead_h, fp.value, o.v
     FROM forecast_points fp
     JOIN latest_readings lr ON lr.station = fp.station AND lr.metric = fp.metric AND fp.valid_at + interval '1 hour' <= lr.time
     JOIN (SELECT station, metric, time_bucket('1 hour', time) AS h, avg(value) AS v FROM readings
           WHERE station = ANY($3::text[]) AND metric IN ('water_level', 'discharge') AND quality <> 4 AND time >= $1 AND time < $2 GROUP BY 1, 2, 3) o
       ON o.station = fp.station AND o.metric = fp.metric AND o.h = fp.valid_at
     WHERE fp.valid_at >= $1 AND fp.valid_at < $2 AND fp.station = ANY($3::text[])
     ON CONFLICT DO NOTHING`,
    [from, new Date(until).toISOString(), stations],
  );
  return r.rowCount;
}

interface RunRow {
  id: string;
  issued_at: Date | string;
  horizon_h: number;
  events: ForecastCrossing[] | string;
}

/** Decides the crossings of recent flood runs that are not decided yet; returns how many were. */
export async function scoreCrossings(q: Queryable, until: number): Promise<number> {
  const runs = (await q.query<RunRow>(
    `SELECT f.id, f.issued_at, f.horizon_h, f.events FROM forecasts f WHERE f.kind = 'flood' AND f.issued_at >= $1 AND f.issued_at < $2`,
    [new Date(until - LOOKBACK_H * HOUR).toISOString(), new Date(until).toISOString()],
  )).rows;
  if (runs.length === 0) return 0;
  const done = new Set((await q.query<{ k: string }>(`SELECT forecast_id || '|' || station || '|' || level AS k FROM crossing_skill WHERE forecast_id = ANY($1::text[])`, [runs.map((r) => r.id)])).rows.map((r) => r.k));
  const crossings = runs.flatMap((r) => (typeof r.events === 'string' ? (JSON.parse(r.events) as ForecastCrossing[]) : r.events).map((c) => ({ ...c, horizonH: Number(r.horizon_h) })));
  const open = crossings.filter((c) => c.threshold !== undefined && !done.has(`${c.forecastId}|${c.station}|${c.level}`));
  if (open.length === 0) return 0;
  const stations = [...new Set(open.map((c) => c.station))];
  const first = Math.min(...open.map((c) => c.issuedAt));
  const last = Math.floor(until / HOUR) * HOUR;
  const obs = await loadHourlyInputs(q, stations, last, Math.round((last - first) / HOUR) + 1);
  const latest = await stageObservedUntil(q, stations);
  let n = 0;
  for (const c of open) {
    const s = obs.get(c.station);
    const stage = (s?.stage ?? []).map((v, i) => ({ t: s!.start + i * HOUR, v })).filter((o) => Number.isFinite(o.v));
    const verdict = verifyCrossing({ issuedAt: c.issuedAt, crossingAt: c.crossingAt, threshold: c.threshold!, horizonH: c.horizonH }, stage, latest.get(c.station) ?? -Infinity);
    if (verdict) n += await saveVerdict(q, c, verdict);
  }
  return n;
}

/** Start of each station's newest complete stage hour. */
async function stageObservedUntil(q: Queryable, stations: string[]): Promise<Map<string, number>> {
  const r = await q.query<{ station: string; time: Date | string }>(`SELECT station, time FROM latest_readings WHERE metric = 'water_level' AND station = ANY($1::text[])`, [stations]);
  return new Map(r.rows.map((x) => [x.station, Math.floor(new Date(x.time).getTime() / HOUR) * HOUR - HOUR]));
}

async function saveVerdict(q: Queryable, c: ForecastCrossing, v: CrossingVerdict): Promise<number> {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const r = await q.query(
    `INSERT INTO crossing_skill (forecast_id, station, level, issued_at, threshold, predicted_at, observed_at, outcome, timing_error_h, lead_h)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
    [c.forecastId, c.station, c.level, iso(c.issuedAt), c.threshold, iso(c.crossingAt), iso(v.observedAt), v.outcome, v.timingErrorH, v.leadH],
  );
  return r.rowCount;
}

/** RMSE per station, metric and lead bucket over the ledger's last 30 days (buckets with at least `minN` scores), for the bands. */
export async function skillLookup(q: Queryable, minN = 24): Promise<SkillLookup> {
  const r = await q.query<{ station: string; metric: string; lead_h: number; se: number; n: string }>(
    `SELECT station, metric, lead_h, sum((forecast - observed) ^ 2) AS se, count(*) AS n FROM skill_ledger
     WHERE valid_at > (SELECT max(valid_at) FROM skill_ledger) - interval '30 days' GROUP BY 1, 2, 3`,
  );
  const acc = new Map<string, { se: number; n: number }>();
  for (const x of r.rows) {
    const k = `${x.station}|${x.metric}|${leadBucket(Number(x.lead_h))}`;
    const a = acc.get(k) ?? { se: 0, n: 0 };
    a.se += Number(x.se);
    a.n += Number(x.n);
    acc.set(k, a);
  }
  return (station, metric, leadH) => {
    const a = acc.get(`${station}|${metric}|${leadBucket(leadH)}`);
    return a && a.n >= minN ? Math.sqrt(a.se / a.n) : undefined;
  };
}
