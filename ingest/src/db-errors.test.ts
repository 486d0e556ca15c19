import { describe, expect, it } from 'vitest';
import { classifyDbError } from './db-errors.js';

describe('classifyDbError', () => {
  it.each([
    ['22021', 'data'], // invalid byte sequence (NUL in text)
    ['22P05', 'data'], // untranslatable character (\u0000 in jsonb)
    ['23505', 'data'],
    ['23514', 'data'],
    ['21000', 'data'], // ON CONFLICT DO UPDATE cannot affect row a second time
    ['54000', 'data'],
    ['42804', 'data'],
    ['P0001', 'data'],
    ['XX000', 'data'],
    ['08006', 'availability'],
    ['53300', 'availability'],
    ['57P01', 'availability'],
    ['40001', 'availability'],
    ['40P01', 'availability'],
    ['55P03', 'availability'],
    ['XX001', 'availability'],
    ['ECONNREFUSED', 'availability'],
    [undefined, 'availability'],
  ])('%s is %s', (code, kind) => {
    expect(classifyDbError(Object.assign(new Error('x'), code === undefined ? {} : { code })).kind).toBe(kind);
  });

  it('never throws on odd values', () => {
    expect(classifyDbError(null).kind).toBe('availability');
    expect(classifyDbError('boom')).toEqual({ kind: 'availability', code: null, message: 'boom' });
  });
});
