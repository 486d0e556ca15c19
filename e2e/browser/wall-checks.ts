import type { Page } from 'playwright-core';

/**
 * Layout checks run in the page: text that does not fit its box (clipped or wrapped out of it) and
 * boxes that overlap other boxes, among the elements the wall lays out side by side.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const name = (e: Element) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}[${(e.textContent ?? '').trim().slice(0, 20)}]`;
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    for (const e of document.querySelectorAll<HTMLElement>('[data-fit]')) {
      if (e.offsetParent === null) continue;
      if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1) problems.push(`overflows its box: ${name(e)} ${e.scrollWidth}x${e.scrollHeight} > ${e.clientWidth}x${e.clientHeight}`);
      const r = e.getBoundingClientRect();
      if (r.left < 0 || r.top < 0 || r.right > vw + 0.5 || r.bottom > vh + 0.5) problems.push(`outside the screen: ${name(e)}`);
    }
    const groups = ['#top > *, #presets > button, #tools > button', '#kpis > .kpi', '#command > section', '#app > #kpis, #app > #globe, #app > #command, #app > #top'];
    for (const sel of groups) {
      const els = [...document.querySelectorAll<HTMLElement>(sel)].filter((e) => e.offsetParent !== null || e.id === 'app');
      for (let i = 0; i < els.length; i++) {
        for (let j = i + 1; j < els.length; j++) {
          const a = els[i]!;
          const b = els[j]!;
          if (a.contains(b) || b.contains(a)) continue;
          const p = a.getBoundingClientRect();
          const q = b.getBoundingClientRect();
          const ix = Math.min(p.right, q.right) - Math.max(p.left, q.left);
          const iy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
          if (ix > 0.5 && iy > 0.5) problems.push(`overlap: ${name(a)} and ${name(b)}`);
        }
      }
      for (const e of els) {
        const r = e.getBoundingClientRect();
        if (r.right > vw + 0.5 || r.bottom > vh + 0.5) problems.push(`outside the screen: ${name(e)}`);
      }
    }
    return problems;
  });
}

/** Standard deviation of a canvas's luminance (a blank or single-colour canvas is ~0); the globe's by default. */
export async function canvasVariance(page: Page, selector = '#globe canvas'): Promise<number> {
  return page.evaluate((sel) => {
    const src = document.querySelector<HTMLCanvasElement>(sel)!;
    const c = document.createElement('canvas');
    c.width = 256;
    c.height = 144;
    const g = c.getContext('2d')!;
    g.drawImage(src, 0, 0, c.width, c.height);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    let sq = 0;
    const n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) {
      const y = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
      sum += y;
      sq += y * y;
    }
    const mean = sum / n;
    return Math.sqrt(Math.max(0, sq / n - mean * mean));
  }, selector);
}

/**
 * The globe's pixel at a page position beside the colour the station layer holds for a station:
 * `match` when they agree within a few levels per channel (the symbol's fill is the station's colour).
 */
export async function symbolPixel(page: Page, id: string, at: { x: number; y: number }): Promise<{ match: boolean; drawn: number[]; wanted: number[] }> {
  return page.evaluate(
    ({ id, at }) => {
      const src = document.querySelector<HTMLCanvasElement>('#globe canvas')!;
      const box = src.getBoundingClientRect();
      const c = document.createElement('canvas');
      c.width = src.width;
      c.height = src.height;
      const g = c.getContext('2d', { willReadFrequently: true })!;
      g.drawImage(src, 0, 0);
      const px = Math.round((at.x - box.left) * (src.width / box.width));
      const py = Math.round((at.y - box.top) * (src.height / box.height));
      const drawn = [...g.getImageData(px, py, 1, 1).data.slice(0, 3)];
      g.fillStyle = window.basin!.layer.colorOf(id) ?? 'transparent';
      g.fillRect(0, 0, 1, 1);
      const wanted = [...g.getImageData(0, 0, 1, 1).data.slice(0, 3)];
      return { match: drawn.every((v, k) => Math.abs(v - wanted[k]!) <= 6), drawn, wanted };
    },
    { id, at },
  );
}
