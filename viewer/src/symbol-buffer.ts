import { Color } from 'cesium';

/**
 * The per-station bytes of the station symbols (pure, no WebGL): colour and style, 8 bytes a
 * station, with the span changed since the GPU copy last took it — so a frame uploads what its
 * updates touched, not the whole layer. Layout per station: r g b a | shape size pulse 0.
 */
export const SYMBOL_STRIDE = 8;

/** Symbol shapes in the order the shader numbers them (station-symbols-glsl.ts). */
export const SHAPES = ['circle', 'triangle', 'triangle_down', 'square', 'diamond', 'hexagon', 'pentagon'] as const;
export type Shape = (typeof SHAPES)[number];

/** Size is stored in hundredths of the 32-pixel symbol: 0 … 2.55. */
const SIZE_STEPS = 100;

/** A colour as its four bytes in one little-endian word (r lowest), as the GPU reads them. */
export function packRgba(c: Color): number {
  return (Color.floatToByte(c.red) | (Color.floatToByte(c.green) << 8) | (Color.floatToByte(c.blue) << 16) | (Color.floatToByte(c.alpha) << 24)) >>> 0;
}

export interface DirtySpan {
  offsetInBytes: number;
  view: Uint8Array;
}

export class SymbolBuffer {
  readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  /** Stations [lo, hi] changed since takeDirty(); lo > hi when none. */
  private lo: number;
  private hi = -1;

  constructor(readonly count: number) {
    this.words = new Uint32Array(count * (SYMBOL_STRIDE / 4));
    this.bytes = new Uint8Array(this.words.buffer);
    this.lo = count;
  }

  /** Sets station i's colour (packRgba); false when it already had it. */
  setColor(i: number, rgba: number): boolean {
    if (this.words[i * 2] === rgba) return false;
    this.words[i * 2] = rgba;
    this.touch(i);
    return true;
  }

  setShape(i: number, shape: Shape): void {
    this.setByte(i, 4, SHAPES.indexOf(shape));
  }

  /** Size as a multiple of the 32-pixel symbol (0 … 2.55, in hundredths). */
  setSize(i: number, size: number): void {
    this.setByte(i, 5, Math.max(0, Math.min(255, Math.round(size * SIZE_STEPS))));
  }

  setPulse(i: number, on: boolean): void {
    this.setByte(i, 6, on ? 1 : 0);
  }

  /** The bytes of the stations changed since the last call, or null; clears the span. */
  takeDirty(): DirtySpan | null {
    if (this.lo > this.hi) return null;
    const offsetInBytes = this.lo * SYMBOL_STRIDE;
    const view = this.bytes.subarray(offsetInBytes, (this.hi + 1) * SYMBOL_STRIDE);
    this.lo = this.count;
    this.hi = -1;
    return { offsetInBytes, view };
  }

  private setByte(i: number, k: number, v: number): void {
    const at = i * SYMBOL_STRIDE + k;
    if (this.bytes[at] === v) return;
    this.bytes[at] = v;
    this.touch(i);
  }

  private touch(i: number): void {
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
  }
}
