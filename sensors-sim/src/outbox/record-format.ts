import { crc32 } from 'node:zlib';

/**
 * Record framing of the outbox's files (segment log and held files):
 *   u32 body length, u32 CRC-32 of body, body
 * Body: f64 id, u16 lane, u8 flags (bit 0 retain), u16 topic length, u32 meta length, topic,
 * meta, payload.
 */
export const HEADER = 8;
export const FIXED = 8 + 2 + 1 + 2 + 4;

/** One framed record (used for held files). */
export function encodeRecord(id: number, lane: number, topic: string, payload: Buffer | string, retain: boolean, meta: string): Buffer {
  const tlen = Buffer.byteLength(topic);
  const mlen = Buffer.byteLength(meta);
  const body = FIXED + tlen + mlen + Buffer.byteLength(payload);
  const b = Buffer.allocUnsafe(HEADER + body);
  let o = HEADER;
  b.writeDoubleLE(id, o);
  b.writeUInt16LE(lane, o + 8);
  b.writeUInt8(retain ? 1 : 0, o + 10);
  b.writeUInt16LE(tlen, o + 11);
  b.writeUInt32LE(mlen, o + 13);
  o += FIXED;
  o += b.write(topic, o, 'utf8');
  o += b.write(meta, o, 'utf8');
  if (typeof payload === 'string') b.write(payload, o, 'utf8');
  else payload.copy(b, o);
  b.writeUInt32LE(body, 0);
  b.writeUInt32LE(crc32(b.subarray(HEADER)), 4);
  return b;
}

export interface ParsedRecord {
  id: number;
  lane: number;
  retain: boolean;
  topic: string;
  meta: string;
  payload: Buffer;
  size: number;
}

export function parseAt(buf: Buffer, off: number): ParsedRecord | null {
  if (off + HEADER > buf.length) return null;
  const body = buf.readUInt32LE(off);
  if (body < FIXED || off + HEADER + body > buf.length) return null;
  const s = off + HEADER;
  const e = s + body;
  if (crc32(buf.subarray(s, e)) !== buf.readUInt32LE(off + 4)) return null;
  const id = buf.readDoubleLE(s);
  const lane = buf.readUInt16LE(s + 8);
  const retain = (buf.readUInt8(s + 10) & 1) === 1;
  const tlen = buf.readUInt16LE(s + 11);
  const mlen = buf.readUInt32LE(s + 13);
  const t0 = s + FIXED;
  if (t0 + tlen + mlen > e) return null;
  return {
    id,
    lane,
    retain,
    topic: buf.toString('utf8', t0, t0 + tlen),
    meta: mlen ? buf.toString('utf8', t0 + tlen, t0 + tlen + mlen) : '',
    payload: buf.subarray(t0 + tlen + mlen, e),
    size: HEADER + body,
  };
}
