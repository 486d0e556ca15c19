import { existsSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { METRICS, MetricCode, QUALITY_BY_CODE, StationId, type LatestReading } from '@basin/schemas';
import { BasinError, loadStations, type Db, type Logger } from '@basin/platform';
import type { TwinConfig } from './config.js';
import { TwinErrors } from './errors.js';

export interface ServerDeps {
  config: TwinConfig;
  db: Db;
  log: Logger;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw TwinErrors.BAD_REQUEST(z.prettifyError(r.error), r.error.issues);
  return r.data;
}

const LatestQuery = z.object({
  station: z.union([StationId, z.array(StationId)]).optional(),
  metric: MetricCode.optional(),
});

const SeriesQuery = z.object({
  metric: MetricCode,
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(50_000).default(5000),
});

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config, db } = deps;
  const app = Fastify({
    // Per-request lines only at debug level: large-screen viewers poll every few seconds.
    loggerInstance: deps.log.child({ component: 'http' }, { level: deps.log.isLevelEnabled('debug') ? deps.log.level : 'warn' }) as FastifyBaseLogger,
    bodyLimit: config.http.bodyLimit,
  });

  app.setErrorHandler((err: FastifyError | BasinError, req, reply) => {
    let e: BasinError;
    if (err instanceof BasinError) e = err;
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = TwinErrors.PAYLOAD_TOO_LARGE(config.http.bodyLimit);
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') e = TwinErrors.UNSUPPORTED_MEDIA_TYPE(String(req.headers['content-type']));
    else if (err.statusCode && err.statusCode < 500) e = TwinErrors.BAD_REQUEST(err.message);
    else if (isDbDown(err)) e = TwinErrors.DB_UNAVAILABLE();
    else {
      req.log.error({ err }, 'unhandled error');
      e = TwinErrors.INTERNAL();
    }
    void reply.status(e.status).send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    if (!req.url.startsWith('/api/') && req.method === 'GET' && existsSync(config.viewerDir)) {
      return reply.sendFile('index.html'); // client-side routes of the viewer
    }
    const e = TwinErrors.ROUTE_NOT_FOUND(req.method, req.url.split('?')[0] ?? '');
    return reply.status(e.status).send(e.toJSON());
  });

  app.get('/api/health', async () => {
    const r = await db.query<{ ok: number }>('SELECT 1 AS ok');
    return { status: 'ok', db: r.rows[0]?.ok === 1 ? 'ok' : 'degraded', time: new Date().toISOString() };
  });

  app.get('/api/metrics-catalogue', async () => Object.values(METRICS));

  app.get('/api/stations', async () => loadStations(db));

  app.get<{ Params: { id: string } }>('/api/stations/:id', async (req) => {
    const id = parse(StationId, req.params.id);
    const st = (await loadStations(db)).find((s) => s.id === id);
    if (!st) throw TwinErrors.STATION_NOT_FOUND(id);
    return st;
  });

  /** Latest reading per station and metric (the live state of the twin). */
  app.get('/api/readings/latest', async (req): Promise<LatestReading[]> => {
    const q = parse(LatestQuery, req.query);
    const stations = q.station === undefined ? null : Array.isArray(q.station) ? q.station : [q.station];
    const r = await db.query<{ station: string; metric: LatestReading['metric']; value: number; time: string; quality: number; received_at: string }>(
      `SELECT station, metric, value, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time, quality,
              to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at
       FROM latest_readings
       WHERE ($1::text[] IS NULL OR station = ANY($1)) AND ($2::text IS NULL OR metric = $2)
       ORDER BY station, metric`,
      [stations, q.metric ?? null],
    );
    return r.rows.map((x) => ({
      station: x.station,
      metric: x.metric,
      value: x.value,
      time: x.time,
      quality: QUALITY_BY_CODE[x.quality] ?? 'not_evaluated',
      receivedAt: x.received_at,
    }));
  });

  /** Raw readings of one station and metric in a time window (newest last). */
  app.get<{ Params: { id: string } }>('/api/stations/:id/readings', async (req) => {
    const id = parse(StationId, req.params.id);
    const q = parse(SeriesQuery, req.query);
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 86_400_000);
    if (from > to) throw TwinErrors.BAD_REQUEST('from must not be after to');
    const r = await db.query<{ t: number; value: number; quality: number }>(
      `SELECT (extract(epoch FROM time) * 1000)::float8 AS t, value, quality FROM (
         SELECT time, value, quality FROM readings
         WHERE station = $1 AND metric = $2 AND time >= $3 AND time <= $4
         ORDER BY time DESC LIMIT $5) x ORDER BY time`,
      [id, q.metric, from.toISOString(), to.toISOString(), Math.min(q.limit, config.maxRows)],
    );
    return {
      station: id,
      metric: q.metric,
      unit: METRICS[q.metric].unit,
      points: r.rows.map((p) => ({ time: new Date(p.t).toISOString(), value: p.value, quality: QUALITY_BY_CODE[p.quality] ?? 'not_evaluated' })),
    };
  });

  if (existsSync(config.viewerDir)) {
    await app.register(fastifyStatic, { root: config.viewerDir, prefix: '/', wildcard: false });
  } else {
    deps.log.warn({ viewerDir: config.viewerDir }, 'viewer build not found; run `npm run build` (API still served)');
  }
  return app;
}

function isDbDown(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === '57P01' || code === 'DB_UNAVAILABLE';
}
