import { describe, expect, it } from 'vitest';
import {
  buildHj212DataAck,
  buildHj212Realtime,
  decodeHj212Frame,
  encodeHj212Frame,
  hj212Crc16,
  hj212RealtimeValues,
  hj212Time,
  Hj212Error,
  parseHj212Segment,
  parseHj212Time,
  splitHj212Stream,
  hj212ToCatalogue,
  hj212FlagQc,
  HJ212_FLAG_QC,
} from './hj212.js';

const STANDARD_EXAMPLE_SEGMENT = 'QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&';
const STANDARD_EXAMPLE_FRAME = `##0101${STANDARD_EXAMPLE_SEGMENT}1C80\r\n`;
const enc = new TextEncoder();

describe('HJ 212 CRC16', () => {
  it.each([
    // [input, expected] — the first is the worked example of HJ 212-2017; the others were computed
    // with an independent Python transcription of the standard's C routine (crc = (crc >> 8) ^ byte; 8 × shift/xor 0xA001).
    [STANDARD_EXAMPLE_SEGMENT, 0x1c80],
    ['', 0xffff],
    ['A', 0x7080],
    ['123456789', 0x2f80],
  ])('crc16(%j) = %i', (input, want) => {
    expect(hj212Crc16(enc.encode(input))).toBe(want);
  });

  it('differs from the Modbus CRC for the same input', () => {
    // Modbus CRC-16 of "123456789" is 0x4B37.
    expect(hj212Crc16(enc.encode('123456789'))).not.toBe(0x4b37);
  });
});

describe('HJ 212 frames', () => {
  it('encodes the standard example byte for byte', () => {
    expect(encodeHj212Frame(STANDARD_EXAMPLE_SEGMENT)).toBe(STANDARD_EXAMPLE_FRAME);
    expect(decodeHj212Frame(STANDARD_EXAMPLE_FRAME)).toBe(STANDARD_EXAMPLE_SEGMENT);
  });

  it.each([
    ['bad_header', `#!0101${STANDARD_EXAMPLE_SEGMENT}1C80\r\n`],
    ['bad_length', `##01x1${STANDARD_EXAMPLE_SEGMENT}1C80\r\n`],
    ['bad_length', `##0999${STANDARD_EXAMPLE_SEGMENT}1C80\r\n`],
    ['bad_crc', `##0101${STANDARD_EXAMPLE_SEGMENT}1C81\r\n`],
    ['bad_crc', `##0101${STANDARD_EXAMPLE_SEGMENT.replace('ST=32', 'ST=31')}1C80\r\n`],
    ['bad_trailer', `##0101${STANDARD_EXAMPLE_SEGMENT}1C80\n\n`],
  ] as const)('rejects %s: %j', (reason, frame) => {
    try {
      decodeHj212Frame(frame);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(Hj212Error);
      expect((e as Hj212Error).reason).toBe(reason);
    }
  });

  it('counts the length in bytes (UTF-8), not characters', () => {
    const seg = 'QN=1;ST=21;CN=2011;PW=123456;MN=水质站;Flag=4;CP=&&&&';
    const frame = encodeHj212Frame(seg);
    expect(frame.slice(2, 6)).toBe(String(enc.encode(seg).length).padStart(4, '0'));
    expect(decodeHj212Frame(frame)).toBe(seg);
  });

  it('splits a stream into frames, keeps the partial tail and skips garbage', () => {
    const a = encodeHj212Frame('QN=1;ST=21;CN=2011;PW=1;MN=A;Flag=4;CP=&&DataTime=20240101000000&&');
    const b = encodeHj212Frame('QN=2;ST=21;CN=2011;PW=1;MN=B;Flag=4;CP=&&DataTime=20240101000000&&');
    const bytes = enc.encode(`xx${a}${b}`);
    const cut = bytes.length - 5;
    const first = splitHj212Stream(bytes.subarray(0, cut));
    expect(first.frames.map((f) => decodeHj212Frame(f))).toHaveLength(1);
    expect(first.skipped).toBe(2);
    const joined = new Uint8Array([...first.rest, ...bytes.subarray(cut)]);
    const second = splitHj212Stream(joined);
    expect(second.frames).toHaveLength(1);
    expect(parseHj212Segment(decodeHj212Frame(second.frames[0]!)).mn).toBe('B');
    expect(second.rest).toHaveLength(0);
  });
});

describe('HJ 212 real-time data (CN=2011)', () => {
  const ts = Date.UTC(2024, 6, 1, 4, 5, 0); // 2024-07-01 12:05:00 China Standard Time

  it('builds the data segment the standard describes and round-trips it', () => {
    const seg = buildHj212Realtime({
      mn: 'WQ0000000000000000000001',
      pw: '123456',
      st: '21',
      ts,
      values: [
        { metric: 'do', value: 7.82 },
        { metric: 'nh3n', value: 0.214, flag: 'T' },
        { metric: 'water_level', value: 21.3 }, // no HJ 212 code: skipped
      ],
    });
    expect(seg).toBe(
      'QN=20240701120500000;ST=21;CN=2011;PW=123456;MN=WQ0000000000000000000001;Flag=4;CP=&&DataTime=20240701120500;w01009-Rtd=7.82,w01009-Flag=N;w21003-Rtd=0.214,w21003-Flag=T&&',
    );
    const p = parseHj212Segment(decodeHj212Frame(encodeHj212Frame(seg)));
    expect(p).toMatchObject({ st: '21', cn: '2011', pw: '123456', mn: 'WQ0000000000000000000001', flag: 4 });
    const v = hj212RealtimeValues(p);
    expect(v.ts).toBe(ts);
    expect(v.values).toEqual([
      { metric: 'do', code: 'w01009', value: 7.82, flag: 'N' },
      { metric: 'nh3n', code: 'w21003', value: 0.214, flag: 'T' },
    ]);
  });

  it.each([0, ts, Date.UTC(2020, 1, 29, 15, 59, 59, 123)])('local time round-trips for %i', (t) => {
    expect(parseHj212Time(hj212Time(t, true))).toBe(t);
    expect(parseHj212Time(hj212Time(t))).toBe(t - (t % 1000));
  });

  it('builds the platform answer (CN=9014) echoing QN', () => {
    const ack = buildHj212DataAck({ qn: '20240701120500000', st: '21', pw: '123456', mn: 'X' });
    expect(parseHj212Segment(ack)).toMatchObject({ qn: '20240701120500000', cn: '9014', mn: 'X' });
  });

  it.each(['QN=1;ST=21;CN=2011', 'QN=1;ST=21;CN=2011;CP=&&x&&', 'QN=1;CN=2011;MN=A;CP=&&&&', 'QN=1;ST=21;CN=2011;MN=A;CP=&&a=1,bogus&&'])(
    'rejects malformed segment %j',
    (seg) => {
      expect(() => parseHj212Segment(seg)).toThrow(Hj212Error);
    },
  );
});

describe('HJ 212 stream resynchronisation and units', () => {
  const seg = (n: number) => `QN=${n};ST=21;CN=2011;PW=1;MN=A;Flag=4;CP=&&DataTime=20240101000000;w01001-Rtd=7&&`;
  const enc = new TextEncoder();

  const qns = (frames: Uint8Array[], max = 1024) =>
    frames.map((f) => {
      try {
        return parseHj212Segment(decodeHj212Frame(f, max)).qn;
      } catch (e) {
        return (e as Hj212Error).reason;
      }
    });

  it('a frame headed ##9999 followed by two valid frames yields the two frames', () => {
    const buf = enc.encode(`##9999QN=bad;garbage-that-was-cut-short\r\n${encodeHj212Frame(seg(1))}${encodeHj212Frame(seg(2))}`);
    const out = splitHj212Stream(buf);
    expect(qns(out.frames)).toEqual(['bad_length', '1', '2']);
    expect(out.rest.length).toBe(0);
  });

  it('resynchronises on the next ## when a bad header has no CRLF', () => {
    const out = splitHj212Stream(enc.encode(`##5000QN=junk${encodeHj212Frame(seg(3))}`));
    expect(qns(out.frames)).toEqual(['bad_length', '3']);
    expect(splitHj212Stream(enc.encode('##5000QN=no-end-yet')).frames).toEqual([]); // waits for more bytes
  });

  it('accepts longer segments only when configured', () => {
    const long = `QN=9;ST=21;CN=2011;PW=1;MN=A;Flag=4;CP=&&DataTime=20240101000000;x=${'1'.repeat(1200)}&&`;
    expect(() => encodeHj212Frame(long)).toThrow(RangeError);
    const frame = encodeHj212Frame(long, 2000);
    expect(qns(splitHj212Stream(enc.encode(frame)).frames)).toEqual(['bad_length']);
    expect(qns(splitHj212Stream(enc.encode(frame), 2000).frames, 2000)).toEqual(['9']);
    expect(() => decodeHj212Frame(frame)).toThrow(/exceeds 1024/);
  });

  it('encodes SO2 / NO2 in the standard unit (mg/m3) and decodes back to the catalogue unit', () => {
    const s = buildHj212Realtime({ mn: 'AIR', pw: '1', st: '22', ts: Date.UTC(2024, 0, 1), values: [{ metric: 'so2', value: 15 }, { metric: 'co', value: 0.8 }, { metric: 'wind_speed', value: 3 }] });
    expect(s).toContain('a21026-Rtd=0.015,');
    expect(s).toContain('a21005-Rtd=0.8,');
    expect(s).toContain('a01007-Rtd=3,');
    expect(hj212ToCatalogue('a21026', 0.015)).toEqual({ metric: 'so2', value: 15 });
    expect(hj212ToCatalogue('w01014', 0.35, 'mS/cm')!.value).toBeCloseTo(350, 9);
    expect(hj212ToCatalogue('a21026', 1, 'ppm')).toBeNull();
    expect(hj212ToCatalogue('zz9999', 1)).toBeNull();
  });

  it('maps every data flag of the standard to a QC floor', () => {
    expect(Object.keys(HJ212_FLAG_QC).sort()).toEqual(['B', 'C', 'D', 'F', 'M', 'N', 'S', 'T']);
    expect(hj212FlagQc('T')).toBe('suspect');
    expect(hj212FlagQc('N')).toBeNull();
    expect(hj212FlagQc('?')).toBe('suspect');
  });
});
