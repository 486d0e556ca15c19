import type { StationKind } from '@basin/schemas';
import type { Shape } from './symbol-buffer';

/** A station's symbol shape by kind: the same on the globe (station-symbols-glsl.ts) and in the legend. */
export const KIND_SHAPE: Readonly<Record<StationKind, Shape>> = {
  hydrology_gauge: 'triangle',
  reservoir: 'square',
  lake_gauge: 'triangle_down',
  water_quality: 'circle',
  water_intake: 'diamond',
  air_quality: 'hexagon',
  soil: 'pentagon',
};

const SIZE = 32;
const images = new Map<Shape, string>();

/**
 * The shape as a 32-pixel image (white with a dark rim) for the legend and for Entity billboards
 * (the bench's naive path); the globe draws the same geometry in its shader.
 */
export function shapeImage(shape: Shape): string {
  let url = images.get(shape);
  if (url) return url;
  const c = document.createElement('canvas');
  c.width = c.height = SIZE;
  const g = c.getContext('2d')!;
  const m = SIZE / 2;
  const r = SIZE / 2 - 3;
  g.beginPath();
  const poly = (n: number, rot: number) => {
    for (let i = 0; i < n; i++) {
      const a = rot + (i * 2 * Math.PI) / n;
      g.lineTo(m + r * Math.cos(a), m + r * Math.sin(a));
    }
    g.closePath();
  };
  if (shape === 'circle') g.arc(m, m, r, 0, 2 * Math.PI);
  else if (shape === 'triangle') poly(3, -Math.PI / 2);
  else if (shape === 'triangle_down') poly(3, Math.PI / 2);
  else if (shape === 'square') g.rect(5, 5, SIZE - 10, SIZE - 10);
  else if (shape === 'diamond') poly(4, -Math.PI / 2);
  else if (shape === 'hexagon') poly(6, 0);
  else poly(5, -Math.PI / 2);
  g.fillStyle = '#ffffff';
  g.fill();
  g.lineWidth = 2.5;
  g.strokeStyle = '#0a1420';
  g.stroke();
  url = c.toDataURL('image/png');
  images.set(shape, url);
  return url;
}
