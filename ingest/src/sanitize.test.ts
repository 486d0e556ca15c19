import { describe, expect, it } from 'vitest';
import { safeDeep, safePayloadText, safeSlice, safeText } from './sanitize.js';

describe('text bound for PostgreSQL', () => {
  it.each([
    ['plain', 'plain'],
    ['a\u0000b', 'a\\u0000b'],
    ['\u0000', '\\u0000'],
    ['lone high \uD800 end', 'lone high \uFFFD end'],
    ['lone low \uDC00', 'lone low \uFFFD'],
    ['pair 😀 kept', 'pair 😀 kept'],
    ['中文', '中文'],
  ])('%j -> %j', (input, want) => {
    expect(safeText(input)).toBe(want);
  });

  it('slices without splitting a surrogate pair', () => {
    expect(safeSlice('ab😀', 3)).toBe('ab');
    expect(safeSlice('a\u0000', 10)).toBe('a\\u0000');
  });

  it('cleans keys and values of documents, bounding depth', () => {
    expect(safeDeep({ 'k\u0000': ['v\u0000', 1, null, { x: '\uDFFF' }] })).toEqual({ 'k\\u0000': ['v\\u0000', 1, null, { x: '\uFFFD' }] });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(JSON.stringify(safeDeep(deep, 3))).toBe('[[[null]]]');
  });

  it('turns payload bytes into storable text', () => {
    expect(safePayloadText(Buffer.from([0x61, 0x00, 0xff, 0x62]), 100)).toBe('a\\u0000\uFFFDb');
    expect(safePayloadText(Buffer.alloc(10_000, 0x61), 16)).toBe('a'.repeat(16));
  });
});
