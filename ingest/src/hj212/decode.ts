import {
  HJ212_DEFAULT_UNIT,
  HJ212_METRIC,
  HJ212_MAX_SEGMENT,
  Hj212Error,
  hj212FlagQc,
  hj212ToCatalogue,
  buildHj212DataAck,
  decodeHj212Frame,
  encodeHj212Frame,
  parseHj212Segment,
  parseHj212Time,
  type Hj212Packet,
  type QualityFlag,
  type Reading,
} from '@basin/schemas';
import type { DeadLetterReason } from '../errors.js';

/**
 * HJ 212-2017 data segment -> readings. Uses the shared codec in @basin/schemas (framing, CRC16,
 * segment parsing, factor units, flag rules); this module adds what the gateway needs: which
 * commands carry readings, which field holds the value, unit conversion to the catalogue (with
 * per-device overrides), data-flag -> QC hint, MN -> station, and the reply.
 */

/** Upload commands that carry readings, and the field holding the value. */
export const HJ212_DATA_CN: Readonly<Record<string, { field: string; name: string }>> = {
  '2011': { field: 'Rtd', name: 'real-time data' },
  '2051': { field: 'Avg', name: 'minute data' },
  '2061': { field: 'Avg', name: 'hourly data' },
  '2031': { field: 'Avg', name: 'daily data' },
};

/**
 * HJ 212 data flags (xxx-Flag) as a device-side quality hint, per the standard (rules beside
 * HJ212_FLAG_QC in @basin/schemas): N passes to QC; T (above the instrument's upper limit), S
 * (manual) and B (communication fault) are at least suspect; D (fault), F (stopped),
 * M (maintenance) and C (calibration) fail; an unknown flag is suspect.
 */
export function hj212FlagHint(flag: string): QualityFlag {
  return hj212FlagQc(flag) ?? 'not_evaluated';
}

export interface Hj212Issue {
  reason: DeadLetterReason;
  detail: string;
}

export interface Hj212Decoded {
  packet: Hj212Packet | null;
  readings: Reading[];
  issues: Hj212Issue[];
  /** The reply frame to send after the readings are committed, or null when none is due. */
  reply: string | null;
}

export interface Hj212Resolver {
  /** Station for an MN, or null if unknown. */
  station(mn: string): string | null;
  /** Expected password for an MN (null: any). */
  password(mn: string): string | null;
  /** Minutes east of UTC of the logger's clock (480 = China Standard Time). */
  tzOffsetMin: number;
  /** Unit the MN's logger sends factor `code` in, when not the standard's default (per-device override). */
  unit?(mn: string, code: string): string | undefined;
  /** Longest data segment accepted (default 1024, HJ 212-2017; raise for loggers known to exceed it). */
  maxSegment?: number;
}

const FLAG_ACK = 0b1;

/** Decode one frame (bytes from `##` to CRLF). Never throws. */
export function decodeHj212(frame: Uint8Array, resolve: Hj212Resolver): Hj212Decoded {
  let packet: Hj212Packet;
  try {
    packet = parseHj212Segment(decodeHj212Frame(frame, resolve.maxSegment ?? HJ212_MAX_SEGMENT));
  } catch (e) {
    const reason: DeadLetterReason = e instanceof Hj212Error && e.reason === 'bad_crc' ? 'hj212_bad_crc' : 'hj212_bad_frame';
    return { packet: null, readings: [], issues: [{ reason, detail: (e as Error).message.slice(0, 300) }], reply: null };
  }
  const wantsAck = (packet.flag & FLAG_ACK) !== 0;
  const reply = wantsAck ? encodeHj212Frame(buildHj212DataAck(packet)) : null;
  const out: Hj212Decoded = { packet, readings: [], issues: [], reply };
  const station = resolve.station(packet.mn);
  if (!station) {
    out.issues.push({ reason: 'hj212_unknown_mn', detail: `MN ${packet.mn.slice(0, 40)} is not mapped to a station` });
    return out;
  }
  const pw = resolve.password(packet.mn);
  if (pw !== null && packet.pw !== pw) {
    out.issues.push({ reason: 'hj212_bad_password', detail: `wrong PW for MN ${packet.mn.slice(0, 40)}` });
    out.reply = null; // do not talk to an unauthenticated logger
    return out;
  }
  const cn = HJ212_DATA_CN[packet.cn];
  if (!cn) {
    out.issues.push({ reason: 'hj212_unsupported', detail: `CN=${packet.cn.slice(0, 8)} carries no readings ingest accepts` });
    out.reply = null;
    return out;
  }
  const dt = packet.cp.DataTime;
  const ts = dt === undefined ? NaN : parseHj212Time(dt) + (480 - resolve.tzOffsetMin) * 60_000;
  if (!Number.isFinite(ts)) {
    out.issues.push({ reason: 'hj212_bad_frame', detail: `DataTime ${JSON.stringify(dt ?? null).slice(0, 40)} is not YYYYMMDDhhmmss` });
    return out;
  }
  const suffix = `-${cn.field}`;
  for (const [k, raw] of Object.entries(packet.cp)) {
    if (!k.endsWith(suffix)) continue;
    const code = k.slice(0, -suffix.length);
    if (!HJ212_METRIC[code]) {
      out.issues.push({ reason: 'unknown_metric', detail: `HJ 212 pollutant code ${code.slice(0, 20)} is not mapped to a metric` });
      continue;
    }
    const value = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(value)) {
      out.issues.push({ reason: 'non_finite_value', detail: `${code}${suffix}=${raw.slice(0, 40)} is not a finite number` });
      continue;
    }
    const unit = resolve.unit?.(packet.mn, code);
    const converted = hj212ToCatalogue(code, value, unit);
    if (!converted) {
      out.issues.push({ reason: 'unknown_unit', detail: `${code} in ${(unit ?? HJ212_DEFAULT_UNIT[code] ?? '?').slice(0, 20)} has no conversion to the catalogue unit` });
      continue;
    }
    const flag = packet.cp[`${code}-Flag`] ?? 'N';
    out.readings.push({ station, metric: converted.metric, value: converted.value, ts, quality: hj212FlagHint(flag), seq: null });
  }
  if (out.readings.length === 0 && out.issues.length === 0) {
    out.issues.push({ reason: 'hj212_unsupported', detail: `CN=${packet.cn} packet has no ${cn.field} values` });
  }
  return out;
}
