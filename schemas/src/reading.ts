import { z } from 'zod';
import { METRICS, METRIC_CODES, MetricCode } from './metrics.js';
import { convertUnit, unitsConvertibleTo } from './units.js';
import { STATION_ID_RE, StationId } from './station.js';

/** QARTOD-style quality flags: pass / suspect / fail, or not evaluated. */
export const QualityFlag = z.enum(['pass', 'suspect', 'fail', 'not_evaluated']);
export type QualityFlag = z.infer<typeof QualityFlag>;

/** Maximum size of one MQTT wire payload the platform accepts (bytes). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Maximum readings in one wire batch. */
export const MAX_BATCH_READINGS = 5000;

/** Epoch milliseconds or an ISO-8601 timestamp with a zone; normalised to epoch ms. */
export const Timestamp = z.union([
  z.number().int().min(0).max(8.64e15),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

/** A reading as stored and served. `ts` is epoch milliseconds. */
export const Reading = z.object({
  station: StationId,
  metric: MetricCode,
  value: z.number().refine(Number.isFinite, 'value must be a finite number'),
  ts: z.number().int(),
  quality: QualityFlag.default('not_evaluated'),
  /** Per-station, monotonically increasing publish sequence number (loss auditing). */
  seq: z.number().int().min(0).nullable().default(null),
});
export type Reading = z.infer<typeof Reading>;

/** One reading inside a JSON wire batch. */
export const WireReading = z.object({
  /** Required on gateway topics; defaults to the topic's station on station topics. */
  station: StationId.optional(),
  metric: MetricCode,
  value: z.number(),
  ts: Timestamp,
  seq: z.number().int().min(0).optional(),
  /** Device-side quality hint; ingest applies its own QC on top. */
  quality: QualityFlag.optional(),
});
export type WireReading = z.infer<typeof WireReading>;

/** JSON wire payload: a batch of readings (version 1). */
export const ReadingBatch = z.object({
  v: z.literal(1),
  /** Station for all readings that do not name one. */
  station: StationId.optional(),
  /** Publisher (device or gateway) id. */
  source: z.string().max(128).optional(),
  readings: z.array(WireReading).min(1).max(MAX_BATCH_READINGS),
});
export type ReadingBatch = z.infer<typeof ReadingBatch>;

/**
 * SenML (RFC 8428) record. Base fields (bn, bt, bu, bv) apply to the following records.
 * Names are resolved as bn + n; the platform expects `urn:basin:<station>:` + metric code
 * or, on station topics, just the metric code. `seq` is a non-must-understand extension.
 */
export const SenmlRecord = z
  .object({
    bn: z.string().optional(),
    bt: z.number().optional(),
    bu: z.string().optional(),
    bv: z.number().optional(),
    bver: z.number().optional(),
    n: z.string().optional(),
    u: z.string().optional(),
    v: z.number().optional(),
    t: z.number().optional(),
    seq: z.number().int().min(0).optional(),
  })
  .catchall(z.unknown());
export const SenmlPack = z.array(SenmlRecord).min(1).max(MAX_BATCH_READINGS);
export type SenmlPack = z.infer<typeof SenmlPack>;

export const SENML_NAME_PREFIX = 'urn:basin:';

export interface DecodeIssue {
  /** Stable reason code, shared with ingest's dead-letter reasons. */
  reason:
    | 'undecodable'
    | 'oversized'
    | 'invalid_payload'
    | 'unknown_metric'
    | 'non_finite_value'
    | 'missing_station'
    | 'station_mismatch'
    | 'unsupported_senml'
    | 'unknown_unit';
  message: string;
  /** Index of the offending record in the payload, when the issue is per-record. */
  index?: number;
  /**
   * The refused record's station and `seq`, when both are known: a device that keeps readings
   * until they are confirmed (commit confirmations, topics.ts) gets this seq confirmed as handled.
   * On a station topic the station is the topic's (the publisher's own), never one the record names.
   */
  handled?: { station: string; seq: number };
  raw?: unknown;
}

export interface DecodedReadings {
  readings: Reading[];
  issues: DecodeIssue[];
}

function fail(reason: DecodeIssue['reason'], message: string, index?: number, raw?: unknown, handled?: DecodeIssue['handled']): DecodeIssue {
  return handled ? { reason, message, index, raw, handled } : { reason, message, index, raw };
}

/** Station and seq of a refused record, when both are valid (see DecodeIssue.handled). */
function handledOf(raw: unknown, station: unknown, topicStation: string | null): DecodeIssue['handled'] {
  const seq = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).seq : undefined;
  const st = topicStation ?? station;
  return isIntIn(seq, Number.MAX_SAFE_INTEGER) && isStationId(st) ? { station: st, seq } : undefined;
}

const METRIC_SET: ReadonlySet<string> = new Set(METRIC_CODES);
const QUALITY_SET: ReadonlySet<string> = new Set(QualityFlag.options);
const isMetric = (m: unknown): m is MetricCode => typeof m === 'string' && METRIC_SET.has(m);
/** Same as `StationId.safeParse(s).success` (a string matching the regex), without zod. */
const isStationId = (s: unknown): s is string => typeof s === 'string' && STATION_ID_RE.test(s);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * Decode a wire payload (JSON batch or SenML pack) into readings.
 * Invalid records produce issues; valid records of the same payload are kept.
 * `topicStation` is the station named by the topic (station topics), or null on gateway topics.
 *
 * JSON batch records take a hand-written fast path when they are plainly well formed (numeric
 * `ts`, known keys of the right types); any record it is not sure about goes through the zod
 * schemas, so accepted readings, issues and reason codes are the same as with zod alone
 * (`reading.fast.test.ts` checks both paths agree on random and mutated records).
 */
export function decodeReadingPayload(payload: Uint8Array | string, topicStation: string | null): DecodedReadings {
  return decodePayload(payload, topicStation, true);
}

/** The zod-only decoder (reference for the fast path; tests and diagnostics). */
export function decodeReadingPayloadStrict(payload: Uint8Array | string, topicStation: string | null): DecodedReadings {
  return decodePayload(payload, topicStation, false);
}

function decodePayload(payload: Uint8Array | string, topicStation: string | null, fast: boolean): DecodedReadings {
  const size = typeof payload === 'string' ? encoder.encode(payload).byteLength : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return { readings: [], issues: [fail('oversized', `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}`)] };
  }
  let doc: unknown;
  try {
    const text = typeof payload === 'string' ? payload : utf8.decode(payload);
    doc = JSON.parse(text);
  } catch (e) {
    return { readings: [], issues: [fail('undecodable', `not UTF-8 JSON: ${(e as Error).message}`)] };
  }
  if (Array.isArray(doc)) return decodeSenml(doc, topicStation);
  if (doc && typeof doc === 'object' && 'readings' in doc) return decodeBatch(doc as Record<string, unknown>, topicStation, fast);
  return { readings: [], issues: [fail('invalid_payload', 'payload is neither a reading batch ({v:1,readings:[...]}) nor a SenML pack (array)')] };
}

function finishRecord(
  out: DecodedReadings,
  index: number,
  raw: unknown,
  station: string | undefined,
  topicStation: string | null,
  metric: string,
  value: unknown,
  ts: number,
  seq: number | undefined,
  quality: Reading['quality'] | undefined,
  /** metric, value, ts, seq and quality are known to satisfy `Reading` (fast path) */
  checked = false,
): void {
  if (!station) {
    out.issues.push(fail('missing_station', 'reading names no station and the topic names none', index, raw));
    return;
  }
  if (topicStation && station !== topicStation) {
    out.issues.push(fail('station_mismatch', `reading station ${station} differs from topic station ${topicStation}`, index, raw, handledOf(raw, station, topicStation)));
    return;
  }
  if (!isMetric(metric)) {
    out.issues.push(fail('unknown_metric', `unknown metric ${JSON.stringify(metric).slice(0, 80)}`, index, raw, handledOf(raw, station, topicStation)));
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    out.issues.push(fail('non_finite_value', `value ${String(value).slice(0, 40)} is not a finite number`, index, raw, handledOf(raw, station, topicStation)));
    return;
  }
  if (checked && isStationId(station)) {
    out.readings.push({ station, metric, value, ts, quality: quality ?? 'not_evaluated', seq: seq ?? null });
    return;
  }
  const r = Reading.safeParse({ station, metric, value, ts, quality, seq: seq ?? null });
  if (!r.success) {
    out.issues.push(fail('invalid_payload', z.prettifyError(r.error), index, raw, handledOf(raw, station, topicStation)));
    return;
  }
  out.readings.push(r.data);
}

/** 0 <= x <= max and an integer both zod's int() and Number.isSafeInteger accept. */
const isIntIn = (x: unknown, max: number): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= max;

function decodeBatch(doc: Record<string, unknown>, topicStation: string | null, fast: boolean): DecodedReadings {
  const out: DecodedReadings = { readings: [], issues: [] };
  if (doc.v !== 1) {
    out.issues.push(fail('invalid_payload', `unsupported batch version ${JSON.stringify(doc.v)}`));
    return out;
  }
  const rs = doc.readings;
  if (!Array.isArray(rs) || rs.length === 0 || rs.length > MAX_BATCH_READINGS) {
    out.issues.push(fail('invalid_payload', `readings must be an array of 1..${MAX_BATCH_READINGS} items`));
    return out;
  }
  const batchStation = isStationId(doc.station) ? doc.station : undefined;
  if (doc.station !== undefined && !batchStation) {
    out.issues.push(fail('invalid_payload', 'batch station is not a valid station id'));
    return out;
  }
  const defaultStation = batchStation ?? topicStation ?? undefined;
  for (let index = 0; index < rs.length; index++) {
    const raw: unknown = rs[index];
    if (!raw || typeof raw !== 'object') {
      out.issues.push(fail('invalid_payload', 'reading is not an object', index, raw));
      continue;
    }
    const rec = raw as Record<string, unknown>;
    // (no closure per record here: tsx's keepNames wraps each one, a cost per reading)
    const metric = rec.metric;
    if (typeof metric === 'string' && !METRIC_SET.has(metric)) {
      out.issues.push(fail('unknown_metric', `unknown metric ${JSON.stringify(metric).slice(0, 80)}`, index, raw, handledOf(rec, rec.station ?? defaultStation, topicStation)));
      continue;
    }
    if ('value' in rec && (typeof rec.value !== 'number' || !Number.isFinite(rec.value))) {
      out.issues.push(fail('non_finite_value', `value ${JSON.stringify(rec.value)?.slice(0, 40)} is not a finite number`, index, raw, handledOf(rec, rec.station ?? defaultStation, topicStation)));
      continue;
    }
    if (fast && !Array.isArray(rec) && typeof metric === 'string') {
      // Fast path: everything WireReading checks, checked by hand; anything else falls through.
      const { station, value, ts, seq, quality } = rec;
      if (
        typeof value === 'number' &&
        isIntIn(ts, 8.64e15) &&
        (station === undefined || isStationId(station)) &&
        (seq === undefined || isIntIn(seq, Number.MAX_SAFE_INTEGER)) &&
        (quality === undefined || (typeof quality === 'string' && QUALITY_SET.has(quality)))
      ) {
        finishRecord(out, index, raw, station ?? defaultStation, topicStation, metric, value, ts, seq, quality as Reading['quality'] | undefined, true);
        continue;
      }
    }
    const p = WireReading.safeParse(raw);
    if (!p.success) {
      out.issues.push(fail('invalid_payload', z.prettifyError(p.error), index, raw, handledOf(rec, rec.station ?? defaultStation, topicStation)));
      continue;
    }
    const w = p.data;
    finishRecord(out, index, raw, w.station ?? defaultStation, topicStation, w.metric, w.value, w.ts, w.seq, w.quality);
  }
  return out;
}

function decodeSenml(doc: unknown[], topicStation: string | null): DecodedReadings {
  const out: DecodedReadings = { readings: [], issues: [] };
  const pack = SenmlPack.safeParse(doc);
  if (!pack.success) {
    out.issues.push(fail('invalid_payload', `invalid SenML pack: ${z.prettifyError(pack.error)}`));
    return out;
  }
  let bn = '';
  let bt = 0;
  let bv = 0;
  let bu: string | undefined;
  pack.data.forEach((rec, index) => {
    if (rec.bn !== undefined) bn = rec.bn;
    if (rec.bt !== undefined) bt = rec.bt;
    if (rec.bv !== undefined) bv = rec.bv;
    if (rec.bu !== undefined) bu = rec.bu;
    const mustUnderstand = Object.keys(rec).find((k) => k.endsWith('_'));
    const handled = () => handledOf(rec, senmlStation(bn + (rec.n ?? '')), topicStation);
    if (mustUnderstand) {
      out.issues.push(fail('unsupported_senml', `must-understand field ${mustUnderstand} is not supported`, index, rec, handled()));
      return;
    }
    if (rec.v === undefined) {
      if (rec.n === undefined) return; // a base-only record
      out.issues.push(fail('unsupported_senml', 'only numeric values (v) are supported', index, rec, handled()));
      return;
    }
    const name = bn + (rec.n ?? '');
    let station: string | undefined;
    let metric: string;
    if (name.startsWith(SENML_NAME_PREFIX)) {
      const rest = name.slice(SENML_NAME_PREFIX.length);
      const cut = rest.lastIndexOf(':');
      if (cut <= 0) {
        out.issues.push(fail('invalid_payload', `SenML name ${name.slice(0, 100)} is not urn:basin:<station>:<metric>`, index, rec, handled()));
        return;
      }
      station = rest.slice(0, cut);
      metric = rest.slice(cut + 1);
    } else {
      station = topicStation ?? undefined;
      metric = name;
    }
    // RFC 8428: times below 2**28 are relative to now; absolute times are seconds since the epoch.
    let t = bt + (rec.t ?? 0);
    if (Math.abs(t) < 2 ** 28) t = Date.now() / 1000 + t;
    // A stated unit (u, or the base unit bu) is converted to the catalogue's unit, or rejected.
    let value = bv + rec.v;
    const unit = rec.u ?? bu;
    if (unit !== undefined && isMetric(metric)) {
      const want = METRICS[metric].unit;
      const converted = convertUnit(value, unit, want);
      if (converted === null) {
        out.issues.push(fail('unknown_unit', `unit ${JSON.stringify(unit).slice(0, 40)} of ${metric} cannot be converted to ${want} (accepted: ${unitsConvertibleTo(want).join(', ')})`, index, rec, handled()));
        return;
      }
      value = converted;
    }
    finishRecord(out, index, rec, station, topicStation, metric, value, Math.round(t * 1000), rec.seq, undefined);
  });
  return out;
}

/** The station of a SenML name `urn:basin:<station>:<metric>` (undefined for other names). */
function senmlStation(name: string): string | undefined {
  if (!name.startsWith(SENML_NAME_PREFIX)) return undefined;
  const rest = name.slice(SENML_NAME_PREFIX.length);
  const cut = rest.lastIndexOf(':');
  return cut > 0 ? rest.slice(0, cut) : undefined;
}

/** Encode readings as a JSON wire batch. */
export function encodeReadingBatch(readings: readonly Reading[], opts: { station?: string; source?: string } = {}): string {
  const batch: ReadingBatch = {
    v: 1,
    ...(opts.station ? { station: opts.station } : {}),
    ...(opts.source ? { source: opts.source } : {}),
    readings: readings.map((r) => ({
      ...(opts.station ? {} : { station: r.station }),
      metric: r.metric,
      value: r.value,
      ts: r.ts,
      ...(r.seq === null ? {} : { seq: r.seq }),
    })),
  };
  return JSON.stringify(batch);
}

/** Encode readings of one station as a SenML pack (seconds since the epoch). */
export function encodeSenml(station: string, readings: readonly Reading[]): string {
  return JSON.stringify(
    readings.map((r, i) => ({
      ...(i === 0 ? { bn: `${SENML_NAME_PREFIX}${station}:` } : {}),
      n: r.metric,
      v: r.value,
      t: r.ts / 1000,
      ...(r.seq === null ? {} : { seq: r.seq }),
    })),
  );
}

/** QARTOD numeric flag codes, as stored in the database. */
export const QARTOD_CODE: Record<QualityFlag, number> = { pass: 1, not_evaluated: 2, suspect: 3, fail: 4 };
export const QUALITY_BY_CODE: Record<number, QualityFlag> = { 1: 'pass', 2: 'not_evaluated', 3: 'suspect', 4: 'fail' };
