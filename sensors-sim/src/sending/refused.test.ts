import { describe, expect, it } from 'vitest';
import { deadLetterLine, publishRefusal } from './refused.js';

describe('publish refusals', () => {
  it.each([
    ['not authorized', Object.assign(new Error('Publish error: Not authorized'), { code: 0x87 }), { code: 0x87, reason: 'not authorized' }],
    ['quota exceeded', Object.assign(new Error('x'), { code: 151 }), { code: 0x97, reason: 'quota exceeded' }],
    ['unknown refusal code', Object.assign(new Error('x'), { code: 0x9f }), { code: 0x9f, reason: 'reason code 0x9f' }],
    ['success code is no refusal', Object.assign(new Error('x'), { code: 0x10 }), null],
    ['connection error (string code)', Object.assign(new Error('x'), { code: 'ECONNRESET' }), null],
    ['not connected', new Error('not connected'), null],
    ['nothing', undefined, null],
  ])('%s', (_n, err, want) => {
    expect(publishRefusal(err)).toEqual(want);
  });
  it('writes one JSON line with the reason and the readings it stood for', () => {
    const line = deadLetterLine({ code: 0x87, reason: 'not authorized' }, 'basin/v1/readings/hydro/hankou', 'hankou:3:4', '{"v":1}', Date.UTC(2026, 0, 1));
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({ ts: '2026-01-01T00:00:00.000Z', topic: 'basin/v1/readings/hydro/hankou', code: 0x87, reason: 'not authorized', readings: 'hankou:3:4', payload: '{"v":1}' });
  });
});
