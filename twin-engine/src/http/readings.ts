import { z } from 'zod';
import { METRICS, MetricCode, QUALITY_BY_CODE, QualityFlag, StationId, LatestReading } from '@basin/schemas';
import { TwinErrors } from '../errors.js';
import { CursorError, IsoTime, decodeCursor, encodeCursor, errorResponses, toCsv, wantsCsv } from './common.js';
import { RESOLUTIONS, pickResolution } from './resolution.js';
import type { Db } from '@basin/platform';
import type { ApiPlugin } from './types.js';

const LatestQuery = z.object({
  station: z.union([StationId, z.array(StationId)]).optional(),
  metric: MetricCode.optional(),
});

const Format = z.enum(['json', 'csv']).optional().describe('csv, or send Accept: text/csv');

const RawQuery = z.object({
  metric: MetricCode,
  from: IsoTime.optional().describe('start (inclusive); default 24 h before `to`'),
  to: IsoTime.optional().describe('end (inclusive); default now'),
  limit: z.coerce.number().int().min(1).max(50_000).default(5000),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
  format: Format,
});

const Point = z.object({ time: z.string(), value: z.number(), quality: QualityFlag });
const RawPage = z.object({
  station: StationId,
  metric: MetricCode,
  unit: z.string(),
  points: z.array(Point).describe('oldest first'),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
});

const SeriesQuery = z.object({
  metric: MetricCode,
  from: IsoTime.optional().describe('default 7 days before `to`'),
  to: IsoTime.optional().describe('default now'),
  resolution: z.enum(['auto', '15m', '1h', '1d']).default('auto').describe('auto: the finest aggregate with at most 1000 points in the window'),
  format: Format,
});
const Bucket = z.object({ time: z.string(), min: z.number(), max: z.number(), avg: z.number(), last: z.number(), count: z.number().int(), flagged: z.number().int() });
const Series = z.object({ station: StationId, metric: MetricCode, unit: z.string(), resolution: z.enum(['15m', '1h', '1d']), buckets: z.array(Bucket) });

const WindowQuery = z.object({
  metric: z.union([MetricCode, z.array(MetricCode).max(50)]).describe('one or more metrics'),
  station: z.union([StationId, z.array(StationId)]).optional().describe('default: every station'),
  from: IsoTime.optional().describe('start (inclusive); default 24 h before `to`'),
  to: IsoTime.optional().describe('end (inclusive); default now'),
  stepS: z.coerce.number().int().min(1).max(86_400).default(300).describe('at most one reading per station, metric and step of this many seconds: the newest in the step'),
});
const WindowSeries = z.object({ station: StationId, metric: MetricCode, unit: z.string(), points: z.array(Point).describe('oldest first') });
const WindowAnswer = z.object({
  from: z.string(),
  to: z.string(),
  stepS: z.number().int(),
  series: z.array(WindowSeries).describe('by station, then metric'),
  truncated: z.boolean().describe('the row limit (API_MAX_ROWS) cut the answer: ask for a larger step, fewer stations or a shorter window'),
});

function window(q: { from?: string; to?: string }, defaultMs: number): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultMs);
  if (from > to) throw TwinErrors.VALIDATION_FAILED('query.from: must not be after `to`', [{ field: 'query.from', location: 'querystring', message: 'must not be after to' }]);
  return { from, to };
}

const csvOrJson = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema }, 'text/csv': { schema: z.string() } } });

/** A timestamptz column as the API's ISO-8601 UTC text (`2026-07-10T08:00:00.000Z`), in SQL. */
const isoSql = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The latest readings as the API's JSON text (stations null: all; metric null: all). */
export type LatestSource = (stations: readonly string[] | null, metric: MetricCode | null) => Promise<string> | string;

/**
 * The same answer built as one JSON text by the database (ISO times, quality names) from ingest's
 * latest_readings: the source when the API runs without a live state. For 10,000 stations x 2
 * metrics this is ~3x faster than parsing 20,000 rows into Dates and objects and serialising them
 * back; the twin's live state (state/latest-json.ts) is faster again (npm run bench -- twin).
 */
function latestFromDb(db: Db): LatestSource {
  return async (stations, metric) => {
    const r = await db.query<{ j: string }>(
      `SELECT coalesce(json_agg(json_build_object(
                'station', station, 'metric', metric, 'value', value,
                'time', ${isoSql('time')},
                'quality', CASE quality WHEN 1 THEN 'pass' WHEN 3 THEN 'suspect' WHEN 4 THEN 'fail' ELSE 'not_evaluated' END,
                'receivedAt', ${isoSql('received_at')}) ORDER BY station COLLATE "C", metric COLLATE "C"), '[]')::text AS j
         FROM latest_readings
        WHERE ($1::text[] IS NULL OR station = ANY($1)) AND ($2::text IS NULL OR metric = $2)`,
      [stations, metric],
    );
    return r.rows[0]!.j;
  };
}

/** Readings: latest values, raw ranges (cursor pages), resampled series from the continuous aggregates. */
export const readingsPlugin: ApiPlugin<{ latest?: LatestSource }> = async (app, { db, config, latest = latestFromDb(db) }) => {
  // The shape is the route's response schema (LatestReading[]), asserted by test/api.test.ts and
  // test/latest-json.test.ts (both sources give the same text).
  app.get('/readings/latest', { schema: { tags: ['readings'], summary: 'Latest reading per station and metric', querystring: LatestQuery, response: { 200: z.array(LatestReading), ...errorResponses } } }, async (req, reply) => {
    const q = req.query;
    const stations = q.station === undefined ? null : Array.isArray(q.station) ? q.station : [q.station];
    const text = await latest(stations, q.metric ?? null);
    // a JSON string is sent unchanged by fastify (no serialisation); the type provider types only objects
    return reply.type('application/json; charset=utf-8').send(text as unknown as LatestReading[]);
  });

  // The readings of many stations over one window in one request (the wall's timeline replay):
  // the newest reading of each station, metric and step, so a day of 10,000 stations stays a
  // bounded answer. Points are real readings (their own time, value and QC flag), not averages.
  app.get('/readings/window', { schema: { tags: ['readings'], summary: 'Readings of many stations in a window, one per station, metric and step', querystring: WindowQuery, response: { 200: WindowAnswer, ...errorResponses } } }, async (req) => {
    const q = req.query;
    const { from, to } = window(q, 86_400_000);
    const metrics = Array.isArray(q.metric) ? q.metric : [q.metric];
    const stations = q.station === undefined ? null : Array.isArray(q.station) ? q.station : [q.station];
    const limit = config.maxRows;
    const r = await db.query<{ station: string; metric: MetricCode; t: number; value: number; quality: number }>(
      `SELECT station, metric, (extract(epoch FROM max(time)) * 1000)::float8 AS t, last(value, time) AS value, last(quality, time)::int AS quality
         FROM readings
        WHERE metric = ANY($1) AND ($2::text[] IS NULL OR station = ANY($2)) AND time >= $3 AND time <= $4
        GROUP BY station, metric, time_bucket($5::interval, time)
        ORDER BY station, metric, t
        LIMIT $6`,
      [metrics, stations, from.toISOString(), to.toISOString(), `${q.stepS} seconds`, limit + 1],
    );
    const series: z.infer<typeof WindowSeries>[] = [];
    let cur: z.infer<typeof WindowSeries> | undefined;
    for (const row of r.rows.slice(0, limit)) {
      if (cur?.station !== row.station || cur.metric !== row.metric) series.push((cur = { station: row.station, metric: row.metric, unit: METRICS[row.metric].unit, points: [] }));
      cur.points.push({ time: new Date(row.t).toISOString(), value: row.value, quality: QUALITY_BY_CODE[row.quality] ?? 'not_evaluated' });
    }
    return { from: from.toISOString(), to: to.toISOString(), stepS: q.stepS, series, truncated: r.rows.length > limit };
  });

  const Params = z.object({ id: StationId });

  app.get('/stations/:id/readings', { schema: { tags: ['readings'], summary: 'Raw readings of a station and metric in a window, in pages', params: Params, querystring: RawQuery, response: { 200: csvOrJson(RawPage), ...errorResponses } } }, async (req, reply) => {
    const q = req.query;
    const { from, to } = window(q, 86_400_000);
    let after: string | undefined;
    try {
      after = decodeCursor(q.cursor, z.tuple([IsoTime]))?.[0];
    } catch (e) {
      if (e instanceof CursorError) throw TwinErrors.VALIDATION_FAILED('query.cursor: not a cursor of this API', [{ field: 'query.cursor', location: 'querystring', message: 'invalid cursor' }]);
      throw e;
    }
    const limit = Math.min(q.limit, config.maxRows);
    const r = await db.query<{ t: number; value: number; quality: number }>(
      `SELECT (extract(epoch FROM time) * 1000)::float8 AS t, value, quality FROM readings
       WHERE station = $1 AND metric = $2 AND time >= $3 AND time <= $4 AND ($5::timestamptz IS NULL OR time > $5)
       ORDER BY time LIMIT $6`,
      [req.params.id, q.metric, from.toISOString(), to.toISOString(), after ?? null, limit + 1],
    );
    const rows = r.rows.slice(0, limit);
    const points = rows.map((p) => ({ time: new Date(p.t).toISOString(), value: p.value, quality: QUALITY_BY_CODE[p.quality] ?? 'not_evaluated' }));
    const nextCursor = r.rows.length > limit ? encodeCursor([points.at(-1)!.time]) : null;
    if (wantsCsv(q.format, req.headers.accept)) {
      if (nextCursor) void reply.header('x-next-cursor', nextCursor);
      return reply.type('text/csv; charset=utf-8').send(toCsv(['time', 'value', 'quality'], points.map((p) => [p.time, p.value, p.quality])));
    }
    return { station: req.params.id, metric: q.metric, unit: METRICS[q.metric].unit, points, nextCursor };
  });

  app.get('/stations/:id/series', { schema: { tags: ['readings'], summary: 'Resampled series from the continuous aggregates (15 min / 1 h / 1 d)', params: Params, querystring: SeriesQuery, response: { 200: csvOrJson(Series), ...errorResponses } } }, async (req, reply) => {
    const q = req.query;
    const { from, to } = window(q, 7 * 86_400_000);
    const resolution = q.resolution === 'auto' ? pickResolution(to.getTime() - from.getTime()) : q.resolution;
    const view = RESOLUTIONS[resolution].view;
    const r = await db.query<{ t: number; min: number; max: number; avg: number; last: number; count: number; flagged: number }>(
      `SELECT (extract(epoch FROM bucket) * 1000)::float8 AS t, min, max, avg, last, count::int AS count, flagged::int AS flagged
       FROM ${view} WHERE station = $1 AND metric = $2 AND bucket >= time_bucket($5::interval, $3::timestamptz) AND bucket <= $4
       ORDER BY bucket LIMIT $6`,
      [req.params.id, q.metric, from.toISOString(), to.toISOString(), `${RESOLUTIONS[resolution].ms / 1000} seconds`, config.maxRows],
    );
    const buckets = r.rows.map((b) => ({ time: new Date(b.t).toISOString(), min: b.min, max: b.max, avg: b.avg, last: b.last, count: b.count, flagged: b.flagged }));
    if (wantsCsv(q.format, req.headers.accept)) {
      return reply.type('text/csv; charset=utf-8').send(toCsv(['time', 'min', 'max', 'avg', 'last', 'count', 'flagged'], buckets.map((b) => [b.time, b.min, b.max, b.avg, b.last, b.count, b.flagged])));
    }
    return { station: req.params.id, metric: q.metric, unit: METRICS[q.metric].unit, resolution, buckets };
  });
};
