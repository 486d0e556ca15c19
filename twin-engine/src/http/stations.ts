import { z } from 'zod';
import { METRICS, MetricDef, QUALITY_BY_CODE, Station, StationId, StationKind, MetricCode, LatestReading, GaugeLevels } from '@basin/schemas';
import { loadStations } from '@basin/platform';
import { TwinErrors } from '../errors.js';
import { errorResponses, iso } from './common.js';
import type { ApiPlugin } from './types.js';

const StationQuery = z.object({
  kind: StationKind.optional(),
  river: z.string().max(100).optional(),
  admin: z.string().max(100).optional().describe('administrative unit (substring of jurisdiction.admin)'),
  riverChief: z.string().max(100).optional(),
  metric: MetricCode.optional().describe('stations measuring this metric'),
  q: z.string().max(100).optional().describe('substring of the id or the Chinese / English name'),
});

const StationStatus = z.object({
  station: StationId,
  online: z.boolean().nullable().describe('from the device birth / last-will status; null when never reported'),
  since: z.string().nullable(),
  lastReadingAt: z.string().nullable(),
  ageS: z.number().nullable().describe('seconds since the newest reading'),
  latest: z.array(LatestReading),
});

const ReferenceLevels = z.object({
  station: StationId,
  kind: StationKind,
  levels: GaugeLevels.nullable(),
  datum: z.string().nullable(),
  source: z.string().nullable(),
});

function matches(s: Station, q: z.infer<typeof StationQuery>): boolean {
  if (q.kind && s.kind !== q.kind) return false;
  if (q.river && s.river !== q.river) return false;
  if (q.admin && !s.jurisdiction.admin.includes(q.admin)) return false;
  if (q.riverChief && !(s.jurisdiction.riverChief ?? '').includes(q.riverChief)) return false;
  if (q.metric && !s.metrics.includes(q.metric)) return false;
  if (q.q) {
    const needle = q.q.toLowerCase();
    if (!s.id.includes(needle) && !s.name.zh.includes(q.q) && !s.name.en.toLowerCase().includes(needle)) return false;
  }
  return true;
}

/** Stations (reference data: ETag) and the metric catalogue. */
export const stationsPlugin: ApiPlugin = async (app, { db }) => {
  const one = async (id: string) => {
    const st = (await loadStations(db)).find((s) => s.id === id);
    if (!st) throw TwinErrors.STATION_NOT_FOUND(id);
    return st;
  };

  app.get('/metrics-catalogue', { schema: { tags: ['stations'], summary: 'Metric catalogue (codes, units, valid ranges)', response: { 200: z.array(MetricDef) } } }, async () =>
    Object.values(METRICS),
  );

  app.get('/stations', { schema: { tags: ['stations'], summary: 'Stations, filtered', querystring: StationQuery, response: { 200: z.array(Station), ...errorResponses } } }, async (req) =>
    (await loadStations(db)).filter((s) => matches(s, req.query)),
  );

  const Params = z.object({ id: StationId });
  app.get('/stations/:id', { schema: { tags: ['stations'], summary: 'One station', params: Params, response: { 200: Station, ...errorResponses } } }, async (req) => one(req.params.id));

  app.get('/stations/:id/levels', { schema: { tags: ['stations'], summary: 'Reference levels of a gauge or reservoir', params: Params, response: { 200: ReferenceLevels, ...errorResponses } } }, async (req) => {
    const st = await one(req.params.id);
    return { station: st.id, kind: st.kind, levels: st.levels, datum: null, source: st.source };
  });

  app.get('/stations/:id/status', { schema: { tags: ['stations'], summary: 'Online status and latest values', params: Params, response: { 200: StationStatus, ...errorResponses } } }, async (req) => {
    const st = await one(req.params.id);
    const dev = await db.query<{ state: string; since: Date | string }>(
      `SELECT state, since FROM device_status
       WHERE client = $1 OR (detail ? 'stations' AND detail->'stations' ? $1)
       ORDER BY updated_at DESC LIMIT 1`,
      [st.id],
    );
    const latest = await db.query<{ metric: MetricCode; value: number; time: Date | string; quality: number; received_at: Date | string }>(
      'SELECT metric, value, time, quality, received_at FROM latest_readings WHERE station = $1 ORDER BY metric',
      [st.id],
    );
    const newest = latest.rows.reduce<number | null>((m, r) => Math.max(m ?? 0, new Date(r.time).getTime()), null);
    return {
      station: st.id,
      online: dev.rows[0] ? dev.rows[0].state === 'online' : null,
      since: iso(dev.rows[0]?.since),
      lastReadingAt: newest === null ? null : new Date(newest).toISOString(),
      ageS: newest === null ? null : Math.max(0, (Date.now() - newest) / 1000),
      latest: latest.rows.map((r) => ({
        station: st.id,
        metric: r.metric,
        value: r.value,
        time: iso(r.time)!,
        quality: QUALITY_BY_CODE[r.quality] ?? 'not_evaluated',
        receivedAt: iso(r.received_at)!,
      })),
    };
  });
};
