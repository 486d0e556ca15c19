import { QARTOD_CODE, type DeviceStatus, type Reading, type Station } from '@basin/schemas';
import { upsertStations, type Db, type Queryable } from '@basin/platform';
import type { DeadLetterReason } from './errors.js';
import type { SourcedReading } from './merge.js';
import { safeDeep, safeSlice } from './sanitize.js';

/** Bytes of a dead letter's raw payload kept in the table. */
export const DEAD_LETTER_PAYLOAD_CAP = 4096;

export interface DeadLetter {
  topic: string;
  reason: DeadLetterReason;
  detail: string;
  payload: string | null;
  payloadBytes: number;
  /** Records of the message this row stands for (one row per message and reason). */
  count: number;
  /** Set for retained messages: an identical retained message is recorded once. */
  digest?: string;
}

/** An accepted registry document (see registry.ts). */
export interface RegistryChange {
  station: Station;
  version: number;
  action: 'created' | 'updated';
  source: string;
}

/** One station_audit row; with `digest`, written only if that retained message is new. */
export interface RegistryAudit {
  station: string;
  action: 'created' | 'updated' | 'rejected';
  version: number | null;
  source: string;
  detail: string;
  digest?: string;
}

export interface StoreResult {
  inserted: number;
  duplicates: number;
}

/**
 * Insert readings idempotently (ON CONFLICT DO NOTHING on station, metric, time), in one
 * statement. Must run inside the caller's transaction.
 */
export async function insertReadings(tx: Queryable, readings: readonly Reading[], opts: { latest?: boolean } = {}): Promise<StoreResult> {
  if (readings.length === 0) return { inserted: 0, duplicates: 0 };
  const n = readings.length;
  const cols = readingColumns(readings);
  // time as epoch milliseconds (float8, exact to the microsecond in to_timestamp): cheaper to
  // format here and to parse in the server than ISO timestamps
  const ins = await tx.query(
    `INSERT INTO readings (time, station, metric, value, quality, seq)
     SELECT to_timestamp(t / 1000), s, m, v, q, n FROM unnest($1::float8[], $2::text[], $3::text[], $4::float8[], $5::int2[], $6::int8[]) AS u(t, s, m, v, q, n)
     ON CONFLICT DO NOTHING`,
    [cols.time, cols.station, cols.metric, cols.value, cols.quality, cols.seq],
  );
  if (opts.latest !== false) await upsertLatest(tx, newestPerSeries(readings).values());
  return { inserted: ins.rowCount, duplicates: n - ins.rowCount };
}

/** Characters that must be escaped inside a quoted PostgreSQL array element. */
const ARRAY_ESCAPE = /["\\]/;
const ARRAY_ESCAPE_ALL = /["\\]/g;
const quoteElement = (s: string) => `"${ARRAY_ESCAPE.test(s) ? s.replace(ARRAY_ESCAPE_ALL, '\\$&') : s}"`;
const QUALITY_TEXT = Object.fromEntries(Object.entries(QARTOD_CODE).map(([k, v]) => [k, String(v)])) as Record<Reading['quality'], string>;

/**
 * The readings' columns as PostgreSQL array literals (text), built in one pass. Measured reason
 * (CPU profile of the ingest bench): node-postgres' generic array serializer — a JS array per
 * column, then each element escaped with two regular expressions — cost more than the rest of the
 * insert's client side. Every element is quoted (text) or a plain number, so any text is safe.
 */
export function readingColumns(readings: readonly Reading[]): { time: string; station: string; metric: string; value: string; quality: string; seq: string } {
  let time = '';
  let station = '';
  let metric = '';
  let value = '';
  let quality = '';
  let seq = '';
  // Readings of one message usually share a timestamp and a station: format each run once.
  let lastTs = NaN;
  let lastTsText = '';
  let lastStation: string | null = null;
  let lastStationText = '';
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    const sep = i === 0 ? '' : ',';
    if (r.ts !== lastTs) {
      lastTs = r.ts;
      lastTsText = String(r.ts);
    }
    if (r.station !== lastStation) {
      lastStation = r.station;
      lastStationText = quoteElement(r.station);
    }
    time += sep + lastTsText;
    station += sep + lastStationText;
    metric += sep + quoteElement(r.metric);
    value += sep + String(r.value);
    quality += sep + QUALITY_TEXT[r.quality];
    seq += sep + (r.seq === null ? 'NULL' : String(r.seq));
  }
  return { time: `{${time}}`, station: `{${station}}`, metric: `{${metric}}`, value: `{${value}}`, quality: `{${quality}}`, seq: `{${seq}}` };
}

const seriesKey = (r: Pick<Reading, 'station' | 'metric'>) => `${r.station}\u0000${r.metric}`;
const bySeries = (a: Reading, b: Reading) => (a.station < b.station ? -1 : a.station > b.station ? 1 : a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0);

/** The newest reading of each (station, metric), merged into `into` when given. */
export function newestPerSeries(readings: Iterable<Reading>, into = new Map<string, Reading>()): Map<string, Reading> {
  for (const r of readings) {
    const k = seriesKey(r);
    const cur = into.get(k);
    if (!cur || cur.ts <= r.ts) into.set(k, r);
  }
  return into;
}

/**
 * Advance latest_readings to these readings where they are newer (one statement). Rows are written
 * in (station, metric) order: two transactions upserting overlapping series (concurrent commits,
 * several workers) then lock them in the same order and cannot deadlock.
 */
export async function upsertLatest(tx: Queryable, latest: Iterable<Reading>): Promise<number> {
  const rows = [...latest].sort(bySeries);
  if (rows.length === 0) return 0;
  await tx.query(
    `INSERT INTO latest_readings AS l (station, metric, time, value, quality, received_at)
     SELECT s, m, t, v, q, now()
     FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[], $5::int2[]) AS u(t, s, m, v, q)
     ON CONFLICT (station, metric) DO UPDATE
       SET time = EXCLUDED.time, value = EXCLUDED.value, quality = EXCLUDED.quality, received_at = EXCLUDED.received_at
       WHERE l.time <= EXCLUDED.time`,
    [rows.map((r) => new Date(r.ts).toISOString()), rows.map((r) => r.station), rows.map((r) => r.metric), rows.map((r) => r.value), rows.map((r) => QARTOD_CODE[r.quality])],
  );
  return rows.length;
}

/**
 * Bring latest_readings up to date from the readings of the recent `window` (a PostgreSQL
 * interval): repairs latest values not written because a worker died between coalesced updates.
 */
export async function repairLatest(db: Queryable, window: string): Promise<number> {
  const r = await db.query(
    `INSERT INTO latest_readings AS l (station, metric, time, value, quality, received_at)
     SELECT DISTINCT ON (station, metric) station, metric, time, value, quality, received_at
       FROM readings WHERE time > now() - $1::interval AND time <= now() + INTERVAL '1 day'
      ORDER BY station, metric, time DESC
     ON CONFLICT (station, metric) DO UPDATE
       SET time = EXCLUDED.time, value = EXCLUDED.value, quality = EXCLUDED.quality, received_at = EXCLUDED.received_at
       WHERE l.time < EXCLUDED.time`,
    [window],
  );
  return r.rowCount;
}

export async function insertDeadLetters(tx: Queryable, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await tx.query(
    `INSERT INTO dead_letters (topic, reason, detail, payload, payload_bytes, count, digest)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::int4[], $7::text[])
     ON CONFLICT (digest) WHERE digest IS NOT NULL DO NOTHING`,
    [
      letters.map((l) => safeSlice(l.topic, 512)),
      letters.map((l) => l.reason),
      letters.map((l) => safeSlice(l.detail, 1000)),
      letters.map((l) => (l.payload === null ? null : capPayload(l.payload))),
      letters.map((l) => l.payloadBytes),
      letters.map((l) => l.count),
      letters.map((l) => l.digest ?? null),
    ],
  );
}

/** Truncate a payload to the cap and strip NUL characters (not storable in text). */
export function capPayload(s: string): string {
  return safeSlice(s, DEAD_LETTER_PAYLOAD_CAP);
}

export interface BatchExtras {
  /** Device birth / death messages, applied in order (an older message never overwrites a newer one). */
  statuses?: readonly { client: string; status: DeviceStatus }[];
  /** Accepted registry documents (merged: one per station). */
  registry?: readonly RegistryChange[];
  /** Registry decisions to audit. */
  audits?: readonly RegistryAudit[];
  /** Readings repeated inside the batch with another value (not written; checked for conflicts). */
  conflicts?: readonly SourcedReading[];
  /** Source (topic) of each reading, to record conflicts with stored readings. */
  sources?: readonly string[];
  /** Worker id for the ingest_checkpoints row. */
  worker?: string;
  /**
   * Latest values to write with this batch. When given, the batch's own readings do not update
   * latest_readings (the caller coalesces them, see Pipeline); when absent they do.
   */
  latest?: Iterable<Reading> | null;
}

export async function upsertDeviceStatus(tx: Queryable, client: string, st: DeviceStatus): Promise<void> {
  await tx.query(
    `INSERT INTO device_status AS d (client, state, kind, since, detail) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), $5)
     ON CONFLICT (client) DO UPDATE SET state = EXCLUDED.state, kind = EXCLUDED.kind, since = EXCLUDED.since, detail = EXCLUDED.detail, updated_at = now()
     WHERE d.since <= EXCLUDED.since`,
    [client, st.state, st.kind, st.ts, JSON.stringify(safeDeep({ battery: st.battery, firmware: st.firmware, reason: st.reason, stations: st.stations }))],
  );
}

/**
 * Commit one batch in one transaction: readings (idempotent), latest values, dead letters, device
 * status, station registry updates and the worker's checkpoint row.
 */
export async function commitBatch(db: Db, readings: readonly Reading[], letters: readonly DeadLetter[], extras: BatchExtras = {}): Promise<StoreResult & { conflicts: number }> {
  return db.transaction(async (tx) => {
    await applyRegistry(tx, extras.registry ?? [], extras.audits ?? []);
    const r = await insertReadings(tx, readings, { latest: extras.latest === undefined });
    // Conflicts: candidates are the batch's readings (when the insert met duplicates) and the
    // in-batch repeats with another value; each is compared with the value now stored.
    const candidates: Reading[] = r.duplicates > 0 && extras.sources ? [...readings] : [];
    const sources: string[] = r.duplicates > 0 && extras.sources ? [...extras.sources] : [];
    for (const c of extras.conflicts ?? []) {
      candidates.push(c.reading);
      sources.push(c.source);
    }
    const conflicts = candidates.length ? await recordConflicts(tx, candidates, sources) : 0;
    if (extras.latest) await upsertLatest(tx, extras.latest);
    await insertDeadLetters(tx, letters);
    for (const s of extras.statuses ?? []) await upsertDeviceStatus(tx, s.client, s.status);
    if (extras.worker) {
      let newest = -Infinity;
      for (const x of readings) if (x.ts > newest) newest = x.ts;
      await tx.query(
        `INSERT INTO ingest_checkpoints AS c (worker, last_commit_at, last_reading_at, batches, readings, duplicates, dead_letters)
         VALUES ($1, now(), $2, 1, $3, $4, $5)
         ON CONFLICT (worker) DO UPDATE SET last_commit_at = now(),
           last_reading_at = GREATEST(c.last_reading_at, EXCLUDED.last_reading_at),
           batches = c.batches + 1, readings = c.readings + EXCLUDED.readings,
           duplicates = c.duplicates + EXCLUDED.duplicates, dead_letters = c.dead_letters + EXCLUDED.dead_letters`,
        [extras.worker, Number.isFinite(newest) ? new Date(newest).toISOString() : null, r.inserted, r.duplicates, letters.length],
      );
    }
    return { ...r, conflicts };
  });
}

/**
 * Readings whose key is stored with a different value (the stored value is kept): recorded in
 * reading_conflicts with both values. Rows this batch inserted carry their own value, so they
 * never match.
 */
async function recordConflicts(tx: Queryable, readings: readonly Reading[], sources: readonly string[]): Promise<number> {
  const r = await tx.query(
    `INSERT INTO reading_conflicts (station, metric, time, kept_value, rejected_value, source)
     SELECT u.s, u.m, u.t, r.value, u.v, u.src
       FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[], $5::text[]) AS u(t, s, m, v, src)
       JOIN readings r ON r.station = u.s AND r.metric = u.m AND r.time = u.t
      WHERE r.value <> u.v`,
    [readings.map((x) => new Date(x.ts).toISOString()), readings.map((x) => x.station), readings.map((x) => x.metric), readings.map((x) => x.value), sources.map((x) => safeSlice(x, 512))],
  );
  return r.rowCount;
}

/** Accepted registry documents: the station row, its version, and the audit trail. */
async function applyRegistry(tx: Queryable, changes: readonly RegistryChange[], audits: readonly RegistryAudit[]): Promise<void> {
  if (changes.length) {
    const docs = changes.map((c) => safeDeep(c.station));
    await upsertStations(tx, docs);
    await tx.query(
      `INSERT INTO station_versions (station, version, doc, source)
       SELECT * FROM unnest($1::text[], $2::int4[], $3::jsonb[], $4::text[]) ON CONFLICT DO NOTHING`,
      [changes.map((c) => c.station.id), changes.map((c) => c.version), docs.map((d) => JSON.stringify(d)), changes.map((c) => safeSlice(c.source, 512))],
    );
  }
  if (audits.length) {
    await tx.query(
      `INSERT INTO station_audit (station, action, version, source, detail)
       SELECT u.station, u.action, u.version, u.source, u.detail
         FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::text[], $6::text[]) AS u(station, action, version, source, detail, digest)
        WHERE u.digest IS NULL OR NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.digest = u.digest)`,
      [
        audits.map((a) => safeSlice(a.station, 128)),
        audits.map((a) => a.action),
        audits.map((a) => a.version),
        audits.map((a) => safeSlice(a.source, 512)),
        audits.map((a) => safeSlice(a.detail, 1000)),
        audits.map((a) => a.digest ?? null),
      ],
    );
  }
}

/** Provisioned (registry) stations: the newest accepted version of each. */
export async function loadStationVersions(db: Queryable): Promise<Map<string, { version: number; doc: Station }>> {
  const r = await db.query<{ station: string; version: number; doc: Station }>(
    'SELECT DISTINCT ON (station) station, version, doc FROM station_versions ORDER BY station, version DESC',
  );
  return new Map(r.rows.map((x) => [x.station, { version: Number(x.version), doc: x.doc }]));
}
