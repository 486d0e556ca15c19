import { QUALITY_BY_CODE, type MetricCode } from '@basin/schemas';
import type { Queryable } from '@basin/platform';
import type { StateReading } from './live.js';

interface Row {
  station: string;
  metric: MetricCode;
  value: number;
  t: number;
  quality: number;
  rcv: number;
}
const toReading = (r: Row): StateReading => ({ station: r.station, metric: r.metric, value: r.value, ts: Number(r.t), quality: QUALITY_BY_CODE[r.quality] ?? 'not_evaluated', receivedAt: Number(r.rcv) });
const RCV = `(extract(epoch FROM received_at) * 1000)::float8 AS rcv`;

/** Latest value per series plus the readings of the trend window before it (state rebuild). */
export async function loadRecent(db: Queryable, historyMs: number): Promise<StateReading[]> {
  const latest = await db.query<Row>(`SELECT station, metric, value, (extract(epoch FROM time) * 1000)::float8 AS t, quality, ${RCV} FROM latest_readings`);
  if (latest.rows.length === 0) return [];
  let newest = 0;
  for (const r of latest.rows) newest = Math.max(newest, Number(r.t));
  const hist = await db.query<Row>(
    `SELECT r.station, r.metric, r.value, (extract(epoch FROM r.time) * 1000)::float8 AS t, r.quality, (extract(epoch FROM r.received_at) * 1000)::float8 AS rcv
     FROM readings r JOIN latest_readings l ON l.station = r.station AND l.metric = r.metric
     WHERE r.time >= $1 AND r.time >= l.time - make_interval(secs => $2::float8 / 1000) AND r.time <= l.time`,
    [new Date(newest - historyMs).toISOString(), historyMs],
  );
  return [...hist.rows.map(toReading), ...latest.rows.map(toReading)];
}

/** Readings of a committed batch named by a notification (stations and time range). */
export async function loadNotified(db: Queryable, n: { s: string[] | null; from: number; to: number }): Promise<StateReading[]> {
  const r = await db.query<Row>(
    `SELECT station, metric, value, (extract(epoch FROM time) * 1000)::float8 AS t, quality, ${RCV} FROM readings
     WHERE ($1::text[] IS NULL OR station = ANY($1)) AND time >= $2 AND time <= $3`,
    [n.s, new Date(n.from).toISOString(), new Date(n.to).toISOString()],
  );
  return r.rows.map(toReading);
}

/** Device statuses with the stations each device reports for. */
export async function loadDevices(db: Queryable): Promise<{ client: string; state: 'online' | 'offline'; since: number; stations: string[] }[]> {
  const r = await db.query<{ client: string; kind: string; state: 'online' | 'offline'; since: number; stations: string[] | null }>(
    `SELECT client, kind, state, (extract(epoch FROM since) * 1000)::float8 AS since, detail->'stations' AS stations FROM device_status`,
  );
  return r.rows.map((x) => ({ client: x.client, state: x.state, since: Number(x.since), stations: deviceStations(x) }));
}

/** Stations a device reports for: its list, or itself when it is a station without one. */
export function deviceStations(d: { client: string; kind: string; stations: unknown }): string[] {
  if (Array.isArray(d.stations)) return d.stations.filter((s): s is string => typeof s === 'string');
  return d.kind === 'station' ? [d.client] : [];
}
