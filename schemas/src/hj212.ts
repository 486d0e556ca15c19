import { METRICS, type MetricCode } from './metrics.js';
import { convertUnit } from './units.js';

/**
 * HJ 212-2017 《污染物在线监控（监测）系统数据传输标准》: framing, CRC and the data segment.
 *
 *   frame   = "##" + 4-digit decimal length of the data segment + data segment + CRC (4 hex) + "\r\n"
 *   segment = "QN=...;ST=..;CN=....;PW=...;MN=...;Flag=..;CP=&&...&&"
 *
 * The CRC is the standard's own CRC16 (appendix A): register 0xFFFF, for each byte
 * `crc = (crc >> 8) ^ byte`, then eight shifts with polynomial 0xA001 (reflected 0x8005). It is
 * not the Modbus CRC (which XORs the byte into the low byte). Length and CRC cover the data
 * segment only, as ASCII/UTF-8 bytes. Known-answer vector (the standard's example, CRC 1C80):
 * `##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n`.
 *
 * Shared by the simulator (encoder) and the ingest gateway's HJ 212 listener (decoder).
 */

/**
 * Protocol versions. 2017 frames are what loggers speak; HJ 212-2025 (in force 2026-01-01) is
 * known only in outline (see ingest/README.md): its differences get their own strategy here when
 * verified. `HJ212_VERSIONS[v]` holds what differs per version.
 */
export type Hj212Version = '2017';
export const HJ212_VERSIONS: Readonly<Record<Hj212Version, { maxSegment: number; flagVersionBits: number }>> = {
  // data segment 0-1024 bytes; Flag bits 2-7 = protocol version (000001 = 2017, so Flag 4 / 5)
  '2017': { maxSegment: 1024, flagVersionBits: 1 },
};

/** Maximum data-segment length of HJ 212-2017 (0-1024). Loggers known to exceed it: pass `maxSegment`. */
export const HJ212_MAX_SEGMENT = HJ212_VERSIONS['2017'].maxSegment;

/** The 4-digit length field's own limit (for `maxSegment` overrides). */
export const HJ212_LENGTH_FIELD_MAX = 9999;

/** CN command codes used by the platform. */
export const HJ212_CN = {
  /** 上传污染物实时数据 real-time data upload */
  REALTIME: '2011',
  /** 上传污染物分钟数据 */
  MINUTE: '2051',
  /** 上传污染物小时数据 */
  HOUR: '2061',
  /** 数据应答 data response (server → client) */
  DATA_ACK: '9014',
} as const;

/** ST system codes (HJ 212-2017 table 5). */
export const HJ212_ST = {
  SURFACE_WATER: '21',
  AIR_QUALITY: '22',
  SYSTEM: '91',
} as const;

/**
 * Pollutant codes (HJ 212-2017 appendix B) for the platform's metrics. Metrics without an HJ 212
 * code (hydrology, soil) are not sent over HJ 212.
 */
export const HJ212_POLLUTANT: Partial<Record<MetricCode, string>> = {
  water_temp: 'w01010',
  ph: 'w01001',
  do: 'w01009',
  conductivity: 'w01014',
  turbidity: 'w01003',
  codmn: 'w01019',
  cod: 'w01018',
  nh3n: 'w21003',
  tp: 'w21011',
  tn: 'w21001',
  pm25: 'a34004',
  pm10: 'a34002',
  so2: 'a21026',
  no2: 'a21004',
  co: 'a21005',
  o3: 'a05024',
  air_temp: 'a01001',
  humidity: 'a01002',
  pressure: 'a01006',
  wind_speed: 'a01007',
  wind_dir: 'a01008',
};

/**
 * Unit of each factor when the logger sends the standard's default (HJ 212-2017 appendix B).
 * Ambient SO2 / NO2 / CO are in mg/m³ there, while the catalogue keeps SO2 / NO2 in µg/m³ (HJ 633):
 * decoders convert to the catalogue unit, encoders from it. Loggers configured otherwise (e.g.
 * conductivity in mS/cm) get a per-device override. Rows marked (unverified) follow the catalogue
 * unit: the appendix text was not available to check them.
 */
export const HJ212_DEFAULT_UNIT: Readonly<Record<string, string>> = {
  w01010: 'Cel',
  w01001: '[pH]',
  w01009: 'mg/L',
  w01014: 'uS/cm',
  w01003: '[NTU]',
  w01019: 'mg/L',
  w01018: 'mg/L',
  w21003: 'mg/L',
  w21011: 'mg/L',
  w21001: 'mg/L',
  a21026: 'mg/m3',
  a21004: 'mg/m3',
  a21005: 'mg/m3',
  a05024: 'ug/m3', // (unverified)
  a34004: 'ug/m3', // (unverified)
  a34002: 'ug/m3', // (unverified)
  a01001: 'Cel',
  a01002: '%RH',
  a01006: 'kPa',
  a01007: 'm/s',
  a01008: 'deg',
};

/**
 * Value of factor `code` in `unit` (default: the standard's) converted to the catalogue unit of
 * its metric; null when the unit has no exact conversion (the caller dead-letters the value).
 */
export function hj212ToCatalogue(code: string, value: number, unit?: string): { metric: MetricCode; value: number } | null {
  const metric = HJ212_METRIC[code];
  if (!metric) return null;
  const v = convertUnit(value, unit ?? HJ212_DEFAULT_UNIT[code] ?? METRICS[metric].unit, METRICS[metric].unit);
  return v === null ? null : { metric, value: v };
}

/** Reverse of HJ212_POLLUTANT. */
export const HJ212_METRIC: Readonly<Record<string, MetricCode>> = Object.freeze(
  Object.fromEntries(Object.entries(HJ212_POLLUTANT).map(([m, code]) => [code, m as MetricCode])),
);

/** HJ 212-2017 data flags (数据标记): N normal, F stopped, M maintenance, S manual, D fault, C calibration, T over limit, B comm. */
export type Hj212Flag = 'N' | 'F' | 'M' | 'S' | 'D' | 'C' | 'T' | 'B';

/**
 * Data flag → the least severe QC flag the value may get (QARTOD: QC can only make it worse).
 * The rule beside each: whether the number still describes the environment.
 */
export const HJ212_FLAG_QC: Readonly<Record<Hj212Flag, 'suspect' | 'fail' | null>> = {
  N: null, // 正常: instrument working normally; automated QC decides
  T: 'suspect', // 超测上限: above the instrument's upper limit; the true value is at least this, not this
  S: 'suspect', // 手工输入的设定值: set by hand, not measured now
  B: 'suspect', // 通讯异常: analyser-logger link faulty; the value may be stale or garbled
  D: 'fail', // 故障: instrument fault
  F: 'fail', // 停运: the process / instrument is stopped; not a measurement
  M: 'fail', // 维护: under maintenance; the sensor may sit in test media
  C: 'fail', // 校准: calibrating; the value is the standard solution's
};

/** QC floor of a data flag; an unknown flag is suspect (not in the standard: not trusted). */
export function hj212FlagQc(flag: string): 'suspect' | 'fail' | null {
  return Object.hasOwn(HJ212_FLAG_QC, flag) ? HJ212_FLAG_QC[flag as Hj212Flag] : 'suspect';
}

/** CRC16 of HJ 212-2017 (appendix A) over bytes. */
export function hj212Crc16(data: Uint8Array): number {
  let crc = 0xffff;
  for (let i = 0; i < data.length; i++) {
    crc = (crc >>> 8) ^ data[i]!;
    for (let j = 0; j < 8; j++) {
      const lsb = crc & 1;
      crc >>>= 1;
      if (lsb) crc ^= 0xa001;
    }
  }
  return crc & 0xffff;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** Wrap a data segment into a frame: `##` + length + segment + CRC + CRLF. */
export function encodeHj212Frame(segment: string, maxSegment = HJ212_MAX_SEGMENT): string {
  const bytes = enc.encode(segment);
  if (bytes.length > maxSegment) throw new RangeError(`HJ 212 data segment of ${bytes.length} bytes exceeds ${maxSegment}`);
  const crc = hj212Crc16(bytes).toString(16).toUpperCase().padStart(4, '0');
  return `##${String(bytes.length).padStart(4, '0')}${segment}${crc}\r\n`;
}

export type Hj212FrameError = 'bad_header' | 'bad_length' | 'bad_crc' | 'bad_trailer' | 'bad_encoding' | 'bad_segment';

export class Hj212Error extends Error {
  constructor(
    readonly reason: Hj212FrameError,
    message: string,
  ) {
    super(message);
    this.name = 'Hj212Error';
  }
}

/** Decode one complete frame (with or without the trailing CRLF) into its data segment; throws Hj212Error. */
export function decodeHj212Frame(frame: Uint8Array | string, maxSegment = HJ212_MAX_SEGMENT): string {
  const bytes = typeof frame === 'string' ? enc.encode(frame) : frame;
  if (bytes.length < 12 || bytes[0] !== 0x23 || bytes[1] !== 0x23) throw new Hj212Error('bad_header', 'frame does not start with ##');
  const lenText = String.fromCharCode(...bytes.subarray(2, 6));
  if (!/^\d{4}$/.test(lenText)) throw new Hj212Error('bad_length', `length field ${JSON.stringify(lenText)} is not 4 digits`);
  const len = Number(lenText);
  if (len > maxSegment) throw new Hj212Error('bad_length', `data segment length ${len} exceeds ${maxSegment}`);
  const end = 6 + len;
  if (bytes.length < end + 4) throw new Hj212Error('bad_length', `frame shorter than its declared length ${len}`);
  const rest = bytes.length - (end + 4);
  if (rest !== 0 && !(rest === 2 && bytes[end + 4] === 0x0d && bytes[end + 5] === 0x0a)) {
    throw new Hj212Error('bad_trailer', 'frame does not end with CRC + CRLF');
  }
  const seg = bytes.subarray(6, end);
  const crcText = String.fromCharCode(...bytes.subarray(end, end + 4));
  if (!/^[0-9A-Fa-f]{4}$/.test(crcText)) throw new Hj212Error('bad_crc', `CRC field ${JSON.stringify(crcText)} is not 4 hex digits`);
  const want = hj212Crc16(seg);
  if (parseInt(crcText, 16) !== want) {
    throw new Hj212Error('bad_crc', `CRC ${crcText} does not match ${want.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  try {
    return dec.decode(seg);
  } catch {
    throw new Hj212Error('bad_encoding', 'data segment is not UTF-8');
  }
}

/**
 * Split a byte stream into frames. Returns complete frames and the unconsumed tail (keep it and
 * prepend the next chunk). Garbage before a `##` is skipped and counted. A header whose length
 * exceeds `maxSegment` cannot start a frame: the bytes up to its CRLF (or up to the next `##`)
 * are returned as one frame — decoding rejects it with the length reason — and the stream
 * resynchronises behind it, so a bad length header never holds the frames that follow.
 */
export function splitHj212Stream(buf: Uint8Array, maxSegment = HJ212_MAX_SEGMENT): { frames: Uint8Array[]; rest: Uint8Array; skipped: number } {
  const frames: Uint8Array[] = [];
  let i = 0;
  let skipped = 0;
  while (i < buf.length) {
    if (buf[i] !== 0x23 || buf[i + 1] !== 0x23) {
      if (i + 1 >= buf.length && buf[i] === 0x23) break; // a lone '#' may start the next frame
      i++;
      skipped++;
      continue;
    }
    if (buf.length - i < 6) break;
    const lenText = String.fromCharCode(...buf.subarray(i + 2, i + 6));
    if (!/^\d{4}$/.test(lenText)) {
      i++;
      skipped++;
      continue;
    }
    const len = Number(lenText);
    if (len > maxSegment) {
      const end = badHeaderEnd(buf, i);
      if (end < 0) break; // neither CRLF nor another frame yet
      frames.push(buf.subarray(i, end));
      i = end;
      continue;
    }
    const total = 6 + len + 4 + 2;
    if (buf.length - i < total) break;
    frames.push(buf.subarray(i, i + total));
    i += total;
  }
  return { frames, rest: buf.subarray(i), skipped };
}

/** End of a frame with a bad length header at `at`: past its first CRLF, or the next `##`; -1 if neither is there yet. */
function badHeaderEnd(buf: Uint8Array, at: number): number {
  for (let j = at + 6; j + 1 < buf.length; j++) {
    if (buf[j] === 0x0d && buf[j + 1] === 0x0a) return j + 2;
    if (buf[j] === 0x23 && buf[j + 1] === 0x23) return j;
  }
  return -1;
}

/** A decoded data segment. `cp` holds the CP=&&...&& content parsed into groups of fields. */
export interface Hj212Packet {
  qn: string;
  st: string;
  cn: string;
  pw: string;
  mn: string;
  flag: number;
  /** Fields of CP in order; groups are `;`-separated, fields `,`-separated, `key=value`. */
  cp: Record<string, string>;
}

/** Parse a data segment (`QN=...;...;CP=&&...&&`). Throws Hj212Error on malformed input. */
export function parseHj212Segment(segment: string): Hj212Packet {
  const cpAt = segment.indexOf('CP=&&');
  if (cpAt < 0 || !segment.endsWith('&&') || segment.length < cpAt + 7) throw new Hj212Error('bad_segment', 'data segment has no CP=&&...&&');
  const head: Record<string, string> = {};
  for (const part of segment.slice(0, cpAt).split(';')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Hj212Error('bad_segment', `malformed field ${JSON.stringify(part.slice(0, 40))}`);
    head[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const cp: Record<string, string> = {};
  const body = segment.slice(cpAt + 5, -2);
  for (const group of body.split(';')) {
    for (const field of group.split(',')) {
      if (!field) continue;
      const eq = field.indexOf('=');
      if (eq <= 0) throw new Hj212Error('bad_segment', `malformed CP field ${JSON.stringify(field.slice(0, 40))}`);
      cp[field.slice(0, eq)] = field.slice(eq + 1);
    }
  }
  const need = (k: string) => {
    const v = head[k];
    if (v === undefined) throw new Hj212Error('bad_segment', `data segment lacks ${k}`);
    return v;
  };
  return { qn: head.QN ?? '', st: need('ST'), cn: need('CN'), pw: head.PW ?? '', mn: need('MN'), flag: Number(head.Flag ?? 0), cp };
}

/** Format epoch ms as HJ 212 local time (China Standard Time, UTC+8): YYYYMMDDhhmmss (+ zzz for QN). */
export function hj212Time(ms: number, withMillis = false): string {
  const d = new Date(ms + 8 * 3_600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const s = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return withMillis ? s + p(d.getUTCMilliseconds(), 3) : s;
}

/** Parse HJ 212 local time (YYYYMMDDhhmmss[zzz], UTC+8) to epoch ms; NaN if malformed. */
export function parseHj212Time(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, se, ms] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se), Number(ms ?? 0)) - 8 * 3_600_000;
}

export interface Hj212RealtimeInput {
  /** 监测点编码 (MN), up to 24 characters. */
  mn: string;
  /** Access password (PW), 6 characters by convention. */
  pw: string;
  st: string;
  /** Epoch ms of the measurement (DataTime). */
  ts: number;
  /** Request time (QN); defaults to `ts`. */
  qnTs?: number;
  /** Flag: bit 0 = the platform must answer (9014); bit 2 (value 4) = HJ 212-2017. */
  flag?: number;
  values: { metric: MetricCode; value: number; flag?: Hj212Flag }[];
}

/** Build a CN=2011 real-time data segment; metrics without an HJ 212 code are skipped. */
export function buildHj212Realtime(input: Hj212RealtimeInput): string {
  const groups: string[] = [];
  for (const v of input.values) {
    const code = HJ212_POLLUTANT[v.metric];
    if (!code || !Number.isFinite(v.value)) continue;
    // sent in the standard's default unit of the factor (SO2 / NO2 in mg/m³)
    const value = convertUnit(v.value, METRICS[v.metric].unit, HJ212_DEFAULT_UNIT[code] ?? METRICS[v.metric].unit) ?? v.value;
    groups.push(`${code}-Rtd=${formatValue(value)},${code}-Flag=${v.flag ?? 'N'}`);
  }
  const cp = [`DataTime=${hj212Time(input.ts)}`, ...groups].join(';');
  return `QN=${hj212Time(input.qnTs ?? input.ts, true)};ST=${input.st};CN=${HJ212_CN.REALTIME};PW=${input.pw};MN=${input.mn};Flag=${input.flag ?? 4};CP=&&${cp}&&`;
}

/** Build the platform's data response (CN=9014) to a request QN. */
export function buildHj212DataAck(req: Pick<Hj212Packet, 'qn' | 'st' | 'pw' | 'mn'>): string {
  return `QN=${req.qn};ST=${HJ212_ST.SYSTEM};CN=${HJ212_CN.DATA_ACK};PW=${req.pw};MN=${req.mn};Flag=4;CP=&&&&`;
}

/** Extract real-time values (xxx-Rtd and xxx-Flag) from a parsed 2011 packet. */
export function hj212RealtimeValues(p: Hj212Packet): { ts: number; values: { metric: MetricCode | null; code: string; value: number; flag: string }[] } {
  const ts = parseHj212Time(p.cp.DataTime ?? '');
  const values: { metric: MetricCode | null; code: string; value: number; flag: string }[] = [];
  for (const [k, v] of Object.entries(p.cp)) {
    if (!k.endsWith('-Rtd')) continue;
    const code = k.slice(0, -4);
    values.push({ metric: HJ212_METRIC[code] ?? null, code, value: Number(v), flag: p.cp[`${code}-Flag`] ?? 'N' });
  }
  return { ts, values };
}

function formatValue(v: number): string {
  // Up to 6 decimals, no exponent notation (the standard's N14.6 field).
  const s = v.toFixed(6);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
