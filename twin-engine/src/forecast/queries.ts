import type { Queryable } from '@basin/platform';
import type { ForecastCrossing, StationForecast } from '@basin/schemas';
import { bucketStats } from './skill.js';

/** Read side of the stored forecasts and the skill ledger, for the API. */

interface PointRow {
  station: string;
  id: string;
  issued_at: Date | string;
  model_version: string;
  events: ForecastCrossing[] | string;
  metric: string;
  lead_h: number;
  valid_at: Date | string;
  value: number;
  lower: number | null;
  upper: number | null;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const events = (e: ForecastCrossing[] | string): ForecastCrossing[] => (typeof e === 'string' ? (JSON.parse(e) as ForecastCrossing[]) : e);

function groupByStation(rows: PointRow[]): StationForecast[] {
  const out = new Map<string, StationForecast>();
  for (const r of rows) {
    let f = out.get(r.station);
    if (!f) {
      f = { station: r.station, forecastId: r.id, issuedAt: new Date(r.issued_at).toISOString(), modelVersion: r.model_version, series: {}, crossings: events(r.events).filter((c) => c.station === r.station) };
      out.set(r.station, f);
    }
    (f.series[r.metric] ??= []).push({ validAt: new Date(r.valid_at).toISOString(), leadH: Number(r.lead_h), value: Number(r.value), lower: num(r.lower), upper: num(r.upper) });
  }
  return [...out.values()];
}

const POINT_COLUMNS = `fp.station, f.id, f.issued_at, f.model_version, f.events, fp.metric, fp.lead_h, fp.valid_at, fp.value, fp.lower, fp.upper`;

/** Per station, its newest flood forecast among the last `runs` runs. */
export async function latestPerStation(q: Queryable, stations: string[] | null, runs = 24): Promise<StationForecast[]> {
  const r = await q.query<PointRow>(
    `WITH runs AS (SELECT id, issued_at, model_version, events FROM forecasts WHERE kind = 'flood' ORDER BY issued_at DESC LIMIT $2),
     pick AS (SELECT DISTINCT ON (fp.station) fp.station, f.id FROM runs f JOIN forecast_points fp ON fp.forecast_id = f.id AND fp.metric = 'discharge' AND fp.lead_h = 1
              WHERE $1::text[] IS NULL OR fp.station = ANY($1::text[]) ORDER BY fp.station, f.issued_at DESC)
     SELECT ${POINT_COLUMNS} FROM pick p JOIN runs f ON f.id = p.id JOIN forecast_points fp ON fp.forecast_id = p.id AND fp.station = p.station
     ORDER BY fp.station, fp.metric, fp.valid_at`,
    [stations, runs],
  );
  return groupByStation(r.rows);
}

export interface ForecastDetail {
  id: string;
  kind: string;
  issuedAt: string;
  modelVersion: string;
  horizonH: number;
  inputs: unknown;
  crossings: ForecastCrossing[];
  stations: StationForecast[];
}

export async function forecastById(q: Queryable, id: string): Promise<ForecastDetail | null> {
  const f = (await q.query<{ id: string; kind: string; issued_at: Date | string; model_version: string; horizon_h: number; inputs: unknown; events: ForecastCrossing[] | string }>(
    `SELECT id, kind, issued_at, model_version, horizon_h, inputs, events FROM forecasts WHERE id = $1 ORDER BY issued_at DESC LIMIT 1`,
    [id],
  )).rows[0];
  if (!f) return null;
  const pts = await q.query<PointRow>(`SELECT ${POINT_COLUMNS} FROM forecast_points fp JOIN forecasts f ON f.id = fp.forecast_id WHERE fp.forecast_id = $1 ORDER BY fp.station, fp.metric, fp.valid_at`, [id]);
  const inputs = typeof f.inputs === 'string' ? (JSON.parse(f.inputs) as unknown) : f.inputs;
  return { id: f.id, kind: f.kind, issuedAt: new Date(f.issued_at).toISOString(), modelVersion: f.model_version, horizonH: Number(f.horizon_h), inputs, crossings: events(f.events), stations: groupByStation(pts.rows) };
}

export interface SkillFilter {
  stations: string[] | null;
  from: string | null;
  to: string | null;
}

/** Errors per station, metric and lead bucket (MAE, RMSE, bias) and crossing outcomes per station and level. */
export async function skillSummary(q: Queryable, f: SkillFilter) {
  const params = [f.stations, f.from, f.to];
  const where = `($1::text[] IS NULL OR station = ANY($1::text[])) AND ($2::timestamptz IS NULL OR issued_at >= $2) AND ($3::timestamptz IS NULL OR issued_at < $3)`;
  const values = await q.query<{ station: string; metric: string; lead_h: number; n: string; sa: number; ss: number; s: number }>(
    `SELECT station, metric, lead_h, count(*) AS n, sum(abs(forecast - observed)) AS sa, sum((forecast - observed) ^ 2) AS ss, sum(forecast - observed) AS s
     FROM (SELECT sl.*, sl.valid_at - sl.lead_h * interval '1 hour' AS issued_at FROM skill_ledger sl) x WHERE ${where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    params,
  );
  const groups = new Map<string, { station: string; metric: string; rows: { leadH: number; n: number; sumAbs: number; sumSq: number; sum: number }[] }>();
  for (const r of values.rows) {
    const k = `${r.station}|${r.metric}`;
    const g = groups.get(k) ?? { station: r.station, metric: r.metric, rows: [] };
    g.rows.push({ leadH: Number(r.lead_h), n: Number(r.n), sumAbs: Number(r.sa), sumSq: Number(r.ss), sum: Number(r.s) });
    groups.set(k, g);
  }
  const crossings = await q.query<{ station: string; level: string; hits: string; misses: string; false_alarms: string; correct_negatives: string; timing: number | null; abs_timing: number | null; lead: number | null }>(
    `SELECT station, level, count(*) FILTER (WHERE outcome = 'hit') AS hits, count(*) FILTER (WHERE outcome = 'miss') AS misses,
       count(*) FILTER (WHERE outcome = 'false_alarm') AS false_alarms, count(*) FILTER (WHERE outcome = 'correct_negative') AS correct_negatives,
       avg(timing_error_h) AS timing, avg(abs(timing_error_h)) AS abs_timing, avg(lead_h) AS lead
     FROM crossing_skill WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  return {
    values: [...groups.values()].flatMap((g) => bucketStats(g.rows).map((b) => ({ station: g.station, metric: g.metric, ...b }))),
    crossings: crossings.rows.map((r) => ({
      station: r.station,
      level: r.level,
      hits: Number(r.hits),
      misses: Number(r.misses),
      falseAlarms: Number(r.false_alarms),
      correctNegatives: Number(r.correct_negatives),
      meanTimingErrorH: num(r.timing),
      meanAbsTimingErrorH: num(r.abs_timing),
      meanLeadH: num(r.lead),
    })),
  };
}
