import { Color } from 'cesium';
import { describe, expect, it } from 'vitest';
import { packRgba, SHAPES, SYMBOL_STRIDE, SymbolBuffer } from './symbol-buffer';

describe('packRgba (a colour as the four bytes the GPU reads)', () => {
  it.each([
    ['opaque red', new Color(1, 0, 0, 1), [255, 0, 0, 255]],
    ['half-transparent grey', new Color(0.5, 0.5, 0.5, 0.5), [128, 128, 128, 128]],
    ['a status green', Color.fromCssColorString('#3fe0a0'), [0x3f, 0xe0, 0xa0, 255]],
    ['transparent', new Color(0, 0, 0, 0), [0, 0, 0, 0]],
  ])('%s', (_name, c, bytes) => {
    const b = new SymbolBuffer(1);
    b.setColor(0, packRgba(c));
    expect([...b.bytes.subarray(0, 4)]).toEqual(bytes);
  });
});

describe('SymbolBuffer', () => {
  it('lays out colour, shape, size and pulse in 8 bytes a station', () => {
    const b = new SymbolBuffer(3);
    b.setColor(1, packRgba(Color.fromCssColorString('#ff8a00')));
    b.setShape(1, 'hexagon');
    b.setSize(1, 0.62);
    b.setPulse(1, true);
    expect([...b.bytes.subarray(SYMBOL_STRIDE, 2 * SYMBOL_STRIDE)]).toEqual([0xff, 0x8a, 0x00, 255, SHAPES.indexOf('hexagon'), 62, 1, 0]);
    expect([...b.bytes.subarray(0, SYMBOL_STRIDE)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it.each([
    ['nothing changed', [], null],
    ['one station', [5], [5, 5]],
    ['stations apart: the span between them', [7, 2, 4], [2, 7]],
    ['the first and the last', [0, 9], [0, 9]],
  ] as const)('takeDirty: %s', (_name, touched, span) => {
    const b = new SymbolBuffer(10);
    for (const i of touched) b.setColor(i, 0xff0000ff);
    const d = b.takeDirty();
    if (span === null) expect(d).toBeNull();
    else {
      expect(d!.offsetInBytes).toBe(span[0] * SYMBOL_STRIDE);
      expect(d!.view.byteLength).toBe((span[1] - span[0] + 1) * SYMBOL_STRIDE);
      expect(d!.view.buffer).toBe(b.bytes.buffer); // a view, not a copy
    }
    expect(b.takeDirty()).toBeNull(); // taken: clear until the next change
  });

  it('a write of the value already held marks nothing and says so', () => {
    const b = new SymbolBuffer(4);
    expect(b.setColor(2, 0x11223344)).toBe(true);
    b.setSize(2, 0.4);
    b.takeDirty();
    expect(b.setColor(2, 0x11223344)).toBe(false);
    b.setSize(2, 0.4);
    b.setPulse(2, false);
    expect(b.takeDirty()).toBeNull();
    b.setPulse(3, true);
    expect(b.takeDirty()?.offsetInBytes).toBe(3 * SYMBOL_STRIDE);
  });

  it('sizes are clamped to what a byte holds (0 … 2.55)', () => {
    const b = new SymbolBuffer(2);
    b.setSize(0, 9);
    b.setSize(1, -1);
    expect([b.bytes[5], b.bytes[SYMBOL_STRIDE + 5]]).toEqual([255, 0]);
  });
});
