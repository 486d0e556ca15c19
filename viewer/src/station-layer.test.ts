import { Color } from 'cesium';
import { describe, expect, it } from 'vitest';
import { twinOf } from './station-layer';

const bytes = (c: Color) => [c.red, c.green, c.blue, c.alpha].map((x) => Color.floatToByte(x));

describe('twinOf (the colour that tops a frame up to one buffer upload)', () => {
  it.each([
    ['opaque', new Color(0.25, 0.88, 0.63, 1)],
    ['half', new Color(1, 0.5, 0, 0.5)],
    ['transparent', new Color(0.3, 0.3, 0.3, 0)],
    ['just above a byte step', new Color(0.1, 0.2, 0.3, 128 / 256)],
    ['just below a byte step', new Color(0.1, 0.2, 0.3, 128 / 256 - 1e-7)],
  ])('%s: not equal to the colour, packs to the same bytes, one twin per colour', (_name, c) => {
    const t = twinOf(c);
    expect(Color.equals(t, c)).toBe(false);
    expect(bytes(t)).toEqual(bytes(c));
    expect(twinOf(c)).toBe(t);
  });
});
