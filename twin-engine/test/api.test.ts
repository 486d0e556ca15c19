import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ApiError, BASIN_STATIONS, type LatestReading } from '@basin/schemas';
import { createLogger, migrate, openEmbeddedDb, upsertStations, type EmbeddedDb } from '@basin/platform';
import { buildServer, loadConfig } from '../src/index.js';

const T = Date.parse('2026-07-10T08:00:00Z');
let db: EmbeddedDb;
let app: FastifyInstance;

beforeAll(async () => {
  db = await openEmbeddedDb(null);
  await migrate(db);
  await upsertStations(db, BASIN_STATIONS);
  await db.exec(`
    INSERT INTO readings (time, station, metric, value, quality) VALUES
      ('2026-07-10T07:00:00Z', 'hankou', 'water_level', 27.1, 1),
      ('2026-07-10T08:00:00Z', 'hankou', 'water_level', 27.5, 3),
      ('2026-07-10T08:00:00Z', 'yichang', 'discharge', 51000, 1);
    INSERT INTO latest_readings (station, metric, time, value, quality, received_at) VALUES
      ('hankou', 'water_level', '2026-07-10T08:00:00Z', 27.5, 3, '2026-07-10T08:00:01Z'),
      ('yichang', 'discharge', '2026-07-10T08:00:00Z', 51000, 1, '2026-07-10T08:00:02Z');`);
  app = await buildServer({ config: loadConfig({ VIEWER_DIR: '/nonexistent' }), db, log: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('twin-engine API', () => {
  it('returns the latest readings as a JSON array', async () => {
    const r = await app.inject('/api/readings/latest');
    expect(r.statusCode).toBe(200);
    const body = r.json<LatestReading[]>();
    expect(body).toEqual([
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
    const body = (await app.inject(`/api/readings/latest${qs}`)).json<LatestReading[]>();
    expect(body.map((x) => x.station)).toEqual(stations);
  });

  it('returns a station time series in a window, oldest first', async () => {
    const r = await app.inject(`/api/stations/hankou/readings?metric=water_level&from=2026-07-10T00:00:00Z&to=${new Date(T).toISOString()}`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      station: 'hankou',
      metric: 'water_level',
      unit: 'm',
      points: [
        { time: '2026-07-10T07:00:00.000Z', value: 27.1, quality: 'pass' },
        { time: '2026-07-10T08:00:00.000Z', value: 27.5, quality: 'suspect' },
      ],
    });
  });

  it('lists and finds stations', async () => {
    const all = (await app.inject('/api/stations')).json<unknown[]>();
    expect(all).toHaveLength(BASIN_STATIONS.length);
    const one = (await app.inject('/api/stations/hankou')).json<{ levels: { warning: number } }>();
    expect(one.levels.warning).toBe(27.3);
  });

  it.each([
    ['/api/stations/nowhere', 404, 'STATION_NOT_FOUND'],
    ['/api/stations/NOT%20AN%20ID', 400, 'BAD_REQUEST'],
    ['/api/readings/latest?metric=unobtainium', 400, 'BAD_REQUEST'],
    ['/api/stations/hankou/readings', 400, 'BAD_REQUEST'],
    ['/api/stations/hankou/readings?metric=ph&from=2026-07-10T09:00:00Z&to=2026-07-10T08:00:00Z', 400, 'BAD_REQUEST'],
    ['/api/stations/hankou/readings?metric=ph&limit=-1', 400, 'BAD_REQUEST'],
    ['/api/does-not-exist', 404, 'ROUTE_NOT_FOUND'],
  ])('GET %s -> %i %s with the error shape', async (url, status, code) => {
    const r = await app.inject(url);
    expect(r.statusCode).toBe(status);
    const body = ApiError.parse(r.json());
    expect(body).toMatchObject({ status, code });
    expect(body.message.length).toBeGreaterThan(0);
  });

  it('reports health', async () => {
    expect((await app.inject('/api/health')).json()).toMatchObject({ status: 'ok', db: 'ok' });
  });
});
