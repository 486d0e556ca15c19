import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ApiError, BASIN_STATIONS, type LatestReading } from '@basin/schemas';
import type { Db } from '@basin/platform';
import { bearer, roleKeys, testApp, testDb } from './helpers.js';

let db: Db;
let app: FastifyInstance;
let viewer: Record<string, string>;

beforeAll(async () => {
  db = await testDb('embedded');
  await db.exec(`
    INSERT INTO readings (time, station, metric, value, quality) VALUES
      ('2026-07-10T07:00:00Z', 'hankou', 'water_level', 27.1, 1),
      ('2026-07-10T07:30:00Z', 'hankou', 'water_level', 27.3, 1),
      ('2026-07-10T08:00:00Z', 'hankou', 'water_level', 27.5, 3),
      ('2026-07-10T08:00:00Z', 'yichang', 'discharge', 51000, 1);
    INSERT INTO latest_readings (station, metric, time, value, quality, received_at) VALUES
      ('hankou', 'water_level', '2026-07-10T08:00:00Z', 27.5, 3, '2026-07-10T08:00:01Z'),
      ('yichang', 'discharge', '2026-07-10T08:00:00Z', 51000, 1, '2026-07-10T08:00:02Z');
    INSERT INTO dead_letters (topic, reason, detail, payload, payload_bytes) VALUES
      ('basin/v1/readings/x', 'schema', 'bad', '{}', 2), ('basin/v1/readings/y', 'range', 'ph 15', '{}', 2), ('basin/v1/readings/y', 'range', 'ph 16', '{}', 2);`);
  app = await testApp(db);
  viewer = bearer((await roleKeys(db)).viewer);
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const get = (url: string) => app.inject({ url, headers: viewer });

describe('twin-engine API', () => {
  it('returns the latest readings as a JSON array', async () => {
    const r = await get('/api/readings/latest');
    expect(r.statusCode).toBe(200);
    expect(r.json<LatestReading[]>()).toEqual([
      { station: 'hankou', metric: 'water_level', value: 27.5, time: '2026-07-10T08:00:00.000Z', quality: 'suspect', receivedAt: '2026-07-10T08:00:01.000Z' },
      { station: 'yichang', metric: 'discharge', value: 51000, time: '2026-07-10T08:00:00.000Z', quality: 'pass', receivedAt: '2026-07-10T08:00:02.000Z' },
    ]);
  });

  it.each([
    ['?station=yichang', ['yichang']],
    ['?metric=water_level', ['hankou']],
    ['?station=hankou&station=yichang', ['hankou', 'yichang']],
    ['?station=luoshan', []],
  ])('filters latest readings %s', async (qs, stations) => {
    expect((await get(`/api/readings/latest${qs}`)).json<LatestReading[]>().map((x) => x.station)).toEqual(stations);
  });

  it('pages raw readings with a cursor, oldest first, and as CSV', async () => {
    const base = '/api/stations/hankou/readings?metric=water_level&from=2026-07-10T00:00:00Z&to=2026-07-10T09:00:00Z&limit=2';
    const p1 = (await get(base)).json<{ points: { time: string; value: number; quality: string }[]; nextCursor: string | null; unit: string }>();
    expect(p1.unit).toBe('m');
    expect(p1.points.map((p) => p.value)).toEqual([27.1, 27.3]);
    expect(p1.nextCursor).not.toBeNull();
    const p2 = (await get(`${base}&cursor=${p1.nextCursor}`)).json<{ points: { value: number; quality: string }[]; nextCursor: string | null }>();
    expect(p2.points).toEqual([{ time: '2026-07-10T08:00:00.000Z', value: 27.5, quality: 'suspect' }]);
    expect(p2.nextCursor).toBeNull();
    const csv = await app.inject({ url: base.replace('limit=2', 'limit=10'), headers: { ...viewer, accept: 'text/csv' } });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toBe('time,value,quality\r\n2026-07-10T07:00:00.000Z,27.1,pass\r\n2026-07-10T07:30:00.000Z,27.3,pass\r\n2026-07-10T08:00:00.000Z,27.5,suspect\r\n');
  });

  it('serves the readings of many stations over a window in one answer, the newest per step', async () => {
    type Answer = { stepS: number; truncated: boolean; series: { station: string; metric: string; unit: string; points: { time: string; value: number; quality: string }[] }[] };
    const w = '&from=2026-07-10T00:00:00Z&to=2026-07-10T09:00:00Z';
    const all = (await get(`/api/readings/window?metric=water_level&metric=discharge${w}`)).json<Answer>();
    expect(all).toMatchObject({ stepS: 300, truncated: false });
    expect(all.series).toEqual([
      { station: 'hankou', metric: 'water_level', unit: 'm', points: [
        { time: '2026-07-10T07:00:00.000Z', value: 27.1, quality: 'pass' },
        { time: '2026-07-10T07:30:00.000Z', value: 27.3, quality: 'pass' },
        { time: '2026-07-10T08:00:00.000Z', value: 27.5, quality: 'suspect' },
      ] },
      { station: 'yichang', metric: 'discharge', unit: 'm3/s', points: [{ time: '2026-07-10T08:00:00.000Z', value: 51000, quality: 'pass' }] },
    ]);
    // one reading per hour: the newest of 07:00-08:00 is the 07:30 one, with its own time
    const hourly = (await get(`/api/readings/window?metric=water_level&stepS=3600${w}`)).json<Answer>();
    expect(hourly.series[0]!.points.map((p) => [p.time, p.value])).toEqual([['2026-07-10T07:30:00.000Z', 27.3], ['2026-07-10T08:00:00.000Z', 27.5]]);
    expect((await get(`/api/readings/window?metric=discharge&station=hankou${w}`)).json<Answer>().series).toEqual([]);
    expect((await get(`/api/readings/window?metric=water_level&station=hankou&station=yichang&from=2026-07-10T07:10:00Z&to=2026-07-10T07:40:00Z`)).json<Answer>().series[0]!.points).toHaveLength(1);
    expect((await get('/api/readings/window?metric=water_level&stepS=0')).statusCode).toBe(400);
  });

  it('serves a resampled series from the continuous aggregates, resolution picked from the window', async () => {
    const r = (await get('/api/stations/hankou/series?metric=water_level&from=2026-07-10T00:00:00Z&to=2026-07-10T12:00:00Z')).json<{
      resolution: string;
      buckets: { time: string; min: number; max: number; count: number; flagged: number }[];
    }>();
    expect(r.resolution).toBe('15m');
    expect(r.buckets.map((b) => [b.time, b.count, b.flagged])).toEqual([
      ['2026-07-10T07:00:00.000Z', 1, 0],
      ['2026-07-10T07:30:00.000Z', 1, 0],
      ['2026-07-10T08:00:00.000Z', 1, 1],
    ]);
    const d = (await get('/api/stations/hankou/series?metric=water_level&from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z&format=csv')).body;
    expect(d.split('\r\n')[1]).toMatch(/^2026-07-10T00:00:00.000Z,27.1,27.5,27.3/);
    expect((await get('/api/stations/hankou/series?metric=water_level&from=2026-07-01T00:00:00Z&to=2026-07-20T00:00:00Z')).json()).toMatchObject({ resolution: '1h' });
  });

  it('lists, filters and finds stations, with reference levels and an ETag', async () => {
    const all = await get('/api/stations');
    expect(all.json<unknown[]>()).toHaveLength(BASIN_STATIONS.length);
    const tag = all.headers.etag as string;
    expect(tag).toBeTruthy();
    expect((await app.inject({ url: '/api/stations', headers: { ...viewer, 'if-none-match': tag } })).statusCode).toBe(304);
    const gauges = (await get('/api/stations?kind=reservoir')).json<{ kind: string }[]>();
    expect(gauges.length).toBeGreaterThan(0);
    expect(gauges.every((s) => s.kind === 'reservoir')).toBe(true);
    expect((await get('/api/stations/hankou')).json<{ levels: { warning: number } }>().levels.warning).toBe(27.3);
    expect((await get('/api/stations/hankou/levels')).json()).toMatchObject({ station: 'hankou', levels: { warning: 27.3 } });
    expect((await get('/api/stations/hankou/status')).json()).toMatchObject({ station: 'hankou', lastReadingAt: '2026-07-10T08:00:00.000Z', latest: [{ metric: 'water_level' }] });
  });

  it('lists dead letters by reason with a cursor', async () => {
    const r = (await get('/api/dead-letters?reason=range&limit=1')).json<{ items: { detail: string }[]; nextCursor: string }>();
    expect(r.items.map((d) => d.detail)).toEqual(['ph 16']);
    const r2 = (await get(`/api/dead-letters?reason=range&limit=1&cursor=${r.nextCursor}`)).json<{ items: { detail: string }[]; nextCursor: null }>();
    expect(r2).toMatchObject({ items: [{ detail: 'ph 15' }], nextCursor: null });
    expect((await get('/api/dead-letters/reasons')).json()).toMatchObject([{ reason: 'range', count: 2 }, { reason: 'schema', count: 1 }]);
  });

  it.each([
    ['/api/stations/nowhere', 404, 'STATION_NOT_FOUND', undefined],
    ['/api/stations/NOT%20AN%20ID', 400, 'VALIDATION_FAILED', 'params.id'],
    ['/api/readings/latest?metric=unobtainium', 400, 'VALIDATION_FAILED', 'query.metric'],
    ['/api/stations/hankou/readings', 400, 'VALIDATION_FAILED', 'query.metric'],
    ['/api/stations/hankou/readings?metric=ph&from=2026-07-10T09:00:00Z&to=2026-07-10T08:00:00Z', 400, 'VALIDATION_FAILED', 'query.from'],
    ['/api/stations/hankou/readings?metric=ph&limit=-1', 400, 'VALIDATION_FAILED', 'query.limit'],
    ['/api/stations/hankou/readings?metric=ph&cursor=zzz', 400, 'VALIDATION_FAILED', 'query.cursor'],
    ['/api/does-not-exist', 404, 'ROUTE_NOT_FOUND', undefined],
    ['/api/readings/latest?station=' + 'a'.repeat(5000), 414, 'URI_TOO_LONG', undefined],
  ])('GET %# -> %i %s with the error shape naming the field', async (url, status, code, field) => {
    const r = await get(url);
    expect(r.statusCode).toBe(status);
    const body = ApiError.parse(r.json());
    expect(body).toMatchObject({ status, code });
    expect(body.message.length).toBeGreaterThan(0);
    if (field) expect((body.details as { field: string }[]).map((d) => d.field)).toContain(field);
  });

  it('answers liveness and readiness without credentials, refuses data without them', async () => {
    expect((await app.inject('/api/health')).json()).toMatchObject({ status: 'ok' });
    expect((await app.inject('/api/ready')).json()).toMatchObject({ status: 'ready', checks: { database: { ok: true } } });
    expect((await app.inject('/api/stations')).json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect((await app.inject({ url: '/api/stations', headers: bearer('btk_000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') })).statusCode).toBe(401);
  });

  it('reports readiness failures with 503 NOT_READY', async () => {
    const { buildApp, loadConfig } = await import('../src/index.js');
    const { silent } = await import('./helpers.js');
    const a = await buildApp({ config: loadConfig({ VIEWER_DIR: '/nonexistent' }), db, log: silent, readiness: [{ name: 'broker', check: () => Promise.reject(new Error('ECONNREFUSED')) }] });
    const r = await a.inject('/api/ready');
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ code: 'NOT_READY', details: { failing: ['broker (ECONNREFUSED)'] } });
    await a.close();
  });

  it('publishes OpenAPI 3.1 from the zod schemas and serves Swagger UI offline', async () => {
    const spec = (await app.inject('/docs/json')).json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/stations', '/api/stations/{id}/readings', '/api/readings/latest', '/api/health']));
    const ui = await app.inject('/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui');
    expect((await app.inject('/docs/static/swagger-ui-bundle.js')).statusCode).toBe(200);
  });

  it('exposes Prometheus metrics and security headers; compresses large bodies', async () => {
    const m = await app.inject('/metrics');
    expect(m.statusCode).toBe(200);
    expect(m.body).toContain('basin_twin_http_request_seconds');
    const r = await app.inject({ url: '/api/stations', headers: { ...viewer, 'accept-encoding': 'gzip' } });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
