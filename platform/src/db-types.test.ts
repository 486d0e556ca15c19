import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { numericTypeParsers, openServerDb } from './db.js';

const { INT8, NUMERIC, TIMESTAMPTZ, TEXT } = pg.types.builtins;

describe('pg type parsing', () => {
  it.each([
    [INT8, '9007199254740991', 9007199254740991],
    [NUMERIC, '7.25', 7.25],
    [TEXT, '42', '42'],
  ])('platform pools parse oid %i %j as %j', (oid, text, expected) => {
    expect(numericTypeParsers().getTypeParser(oid, 'text')(text)).toEqual(expected);
  });

  it('keeps pg defaults for other types', () => {
    const ts = numericTypeParsers().getTypeParser(TIMESTAMPTZ, 'text')('2026-01-01 00:00:00+00') as Date;
    expect(ts).toBeInstanceOf(Date);
  });

  it('leaves every other pg client in the process alone', async () => {
    const db = openServerDb({ mode: 'server', connectionString: 'postgres://u@127.0.0.1:1/x', poolMax: 1 });
    await db.close();
    expect(pg.types.getTypeParser(INT8, 'text')('12')).toBe('12');
    expect(pg.types.getTypeParser(NUMERIC, 'text')('1.5')).toBe('1.5');
  });
});
