import { describe, expect, it } from 'vitest';
import { encodeHj212Frame, hj212Crc16 } from '@basin/schemas';
import { decodeHj212, type Hj212Resolver } from './decode.js';

const resolver: Hj212Resolver = {
  tzOffsetMin: 480,
  station: (mn) => (mn === 'MN0001' ? 'wq-zongguan' : null),
  password: (mn) => (mn === 'MN0001' ? '123456' : null),
};
const frame = (seg: string) => Buffer.from(encodeHj212Frame(seg));

describe('HJ 212-2017 decoding', () => {
  it('uses the standard CRC16 (known answer 1C80)', () => {
    const seg = 'QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&';
    expect(hj212Crc16(Buffer.from(seg)).toString(16).toUpperCase()).toBe('1C80');
  });

  it('maps pollutant codes, times (UTC+8) and data flags; replies 9014 when Flag asks', () => {
    const d = decodeHj212(
      frame('QN=20260101080000123;ST=21;CN=2011;PW=123456;MN=MN0001;Flag=5;CP=&&DataTime=20260101080000;w01018-Rtd=15.2,w01018-Flag=N;w21003-Rtd=0.5,w21003-Flag=D;w21011-Rtd=0.1,w21011-Flag=M;w99999-Rtd=1&&'),
      resolver,
    );
    const ts = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(d.readings).toEqual([
      { station: 'wq-zongguan', metric: 'cod', value: 15.2, ts, quality: 'not_evaluated', seq: null },
      { station: 'wq-zongguan', metric: 'nh3n', value: 0.5, ts, quality: 'fail', seq: null },
      { station: 'wq-zongguan', metric: 'tp', value: 0.1, ts, quality: 'fail', seq: null }, // M: maintenance
    ]);
    expect(d.issues).toEqual([{ reason: 'unknown_metric', detail: expect.stringContaining('w99999') }]);
    expect(d.reply).toBe(encodeHj212Frame('QN=20260101080000123;ST=91;CN=9014;PW=123456;MN=MN0001;Flag=4;CP=&&&&'));
  });

  it('takes averages from minute / hourly / daily data; no reply without the ack bit', () => {
    const d = decodeHj212(frame('QN=1;ST=22;CN=2061;PW=123456;MN=MN0001;Flag=4;CP=&&DataTime=20260101090000;a34004-Avg=35,a34004-Min=20,a34004-Max=50;a21005-Avg=0.8&&'), resolver);
    expect(d.readings.map((r) => [r.metric, r.value])).toEqual([
      ['pm25', 35],
      ['co', 0.8],
    ]);
    expect(d.reply).toBeNull();
  });

  it.each([
    ['N', 'not_evaluated'],
    ['T', 'suspect'],
    ['S', 'suspect'],
    ['B', 'suspect'],
    ['D', 'fail'],
    ['F', 'fail'],
    ['M', 'fail'],
    ['C', 'fail'],
    ['X', 'suspect'],
  ])('data flag %s gives at least %s', (flag, quality) => {
    const d = decodeHj212(frame(`QN=1;ST=21;CN=2011;PW=123456;MN=MN0001;Flag=4;CP=&&DataTime=20260101080000;w21003-Rtd=0.5,w21003-Flag=${flag}&&`), resolver);
    expect(d.readings[0]!.quality).toBe(quality);
  });

  it('converts the standard default units (SO2 / NO2 in mg/m3) and per-device overrides to the catalogue unit', () => {
    const units: Record<string, string> = { w01014: 'mS/cm' };
    const r2: Hj212Resolver = { ...resolver, unit: (mn, code) => (mn === 'MN0001' ? units[code] : undefined) };
    const d = decodeHj212(frame('QN=1;ST=22;CN=2011;PW=123456;MN=MN0001;Flag=4;CP=&&DataTime=20260101080000;a21026-Rtd=0.015;a21004-Rtd=0.04;a21005-Rtd=0.8;w01014-Rtd=0.35;a01007-Rtd=3.2;a01008-Rtd=270;a01006-Rtd=101.2&&'), r2);
    const got = Object.fromEntries(d.readings.map((r) => [r.metric, r.value]));
    expect(got.so2).toBeCloseTo(15, 9); // µg/m3
    expect(got.no2).toBeCloseTo(40, 9);
    expect(got.co).toBe(0.8); // mg/m3 in both
    expect(got.conductivity).toBeCloseTo(350, 9); // µS/cm
    expect(got).toMatchObject({ wind_speed: 3.2, wind_dir: 270, pressure: 101.2 });
    const bad = decodeHj212(frame('QN=1;ST=22;CN=2011;PW=123456;MN=MN0001;Flag=4;CP=&&DataTime=20260101080000;a21026-Rtd=1;a21005-Rtd=0.8&&'), { ...resolver, unit: () => 'ppm' });
    expect(bad.issues.map((i) => i.reason)).toEqual(['unknown_unit', 'unknown_unit']);
  });

  it('caps the data segment at 1024 bytes unless configured higher', () => {
    const long = `QN=1;ST=21;CN=2011;PW=123456;MN=MN0001;Flag=4;CP=&&DataTime=20260101080000;w01001-Rtd=7;x=${'9'.repeat(1100)}&&`;
    const f = Buffer.from(encodeHj212Frame(long, 9999));
    expect(decodeHj212(f, resolver).issues.map((i) => i.reason)).toEqual(['hj212_bad_frame']);
    expect(decodeHj212(f, { ...resolver, maxSegment: 2048 }).readings).toHaveLength(1);
  });

  it('rejects bad CRC, malformed frames, unknown MN, wrong password, unsupported CN, bad values', () => {
    const good = encodeHj212Frame('QN=1;ST=21;CN=2011;PW=123456;MN=MN0001;Flag=5;CP=&&DataTime=20260101080000;w01001-Rtd=7&&');
    const reasons = (s: string | Buffer) => decodeHj212(Buffer.from(s), resolver).issues.map((i) => i.reason);
    expect(reasons(good.replace(/[0-9A-F]{4}\r\n$/, 'FFFF\r\n'))).toEqual(['hj212_bad_crc']);
    expect(reasons(good.replace('##', '#!'))).toEqual(['hj212_bad_frame']);
    expect(reasons(frame('QN=1;ST=21;CN=2011;PW=123456;MN=MN0001;Flag=5;CP=&&DataTime=2026;w01001-Rtd=7&&'))).toEqual(['hj212_bad_frame']);
    expect(reasons(frame('QN=1;ST=21;CN=2011;PW=123456;MN=OTHER;Flag=5;CP=&&DataTime=20260101080000;w01001-Rtd=7&&'))).toEqual(['hj212_unknown_mn']);
    expect(reasons(frame('QN=1;ST=21;CN=2011;PW=bad;MN=MN0001;Flag=5;CP=&&DataTime=20260101080000;w01001-Rtd=7&&'))).toEqual(['hj212_bad_password']);
    expect(reasons(frame('QN=1;ST=21;CN=9021;PW=123456;MN=MN0001;Flag=5;CP=&&&&'))).toEqual(['hj212_unsupported']);
    expect(reasons(frame('QN=1;ST=21;CN=2011;PW=123456;MN=MN0001;Flag=5;CP=&&DataTime=20260101080000;w01001-Rtd=abc;w01009-Rtd=&&'))).toEqual(['non_finite_value', 'non_finite_value']);
  });
});
