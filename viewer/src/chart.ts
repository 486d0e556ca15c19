/**
 * Time-series charts as SVG strings (no chart library: a line, reference levels, a forecast band).
 * Pure functions; the panel inserts the markup.
 */
export interface Pt {
  t: number;
  v: number;
}

/** At most `buckets` × 2 points keeping each bucket's minimum and maximum (peaks survive). */
export function downsample(points: readonly Pt[], buckets: number): Pt[] {
  if (points.length <= buckets * 2) return points.slice();
  const t0 = points[0]!.t;
  const span = points[points.length - 1]!.t - t0 || 1;
  const out: Pt[] = [];
  let cur = -1;
  let lo: Pt | null = null;
  let hi: Pt | null = null;
  const flush = () => {
    if (lo && hi) out.push(...(lo.t <= hi.t ? (lo === hi ? [lo] : [lo, hi]) : [hi, lo]));
  };
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.floor(((p.t - t0) / span) * buckets));
    if (b !== cur) {
      flush();
      cur = b;
      lo = hi = p;
    } else {
      if (p.v < lo!.v) lo = p;
      if (p.v > hi!.v) hi = p;
    }
  }
  flush();
  return out;
}

export interface Domain {
  t0: number;
  t1: number;
  v0: number;
  v1: number;
}

/** The value range covering the points and the given levels, padded by 5 %. */
export function domainOf(points: readonly Pt[], t0: number, t1: number, extra: readonly number[] = []): Domain {
  let v0 = Number.POSITIVE_INFINITY;
  let v1 = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (p.v < v0) v0 = p.v;
    if (p.v > v1) v1 = p.v;
  }
  for (const v of extra) {
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  if (!Number.isFinite(v0)) return { t0, t1, v0: 0, v1: 1 };
  const pad = (v1 - v0 || Math.abs(v1) || 1) * 0.05;
  return { t0, t1, v0: v0 - pad, v1: v1 + pad };
}

/** SVG path `d` of a polyline in a w × h box (y grows downwards). */
export function linePath(points: readonly Pt[], d: Domain, w: number, h: number): string {
  const sx = w / (d.t1 - d.t0 || 1);
  const sy = h / (d.v1 - d.v0 || 1);
  let s = '';
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    s += `${i === 0 ? 'M' : 'L'}${((p.t - d.t0) * sx).toFixed(1)},${(h - (p.v - d.v0) * sy).toFixed(1)}`;
  }
  return s;
}

/** Closed SVG path of a band between lower and upper series (forecast uncertainty). */
export function bandPath(lower: readonly Pt[], upper: readonly Pt[], d: Domain, w: number, h: number): string {
  if (lower.length === 0 || upper.length === 0) return '';
  return `${linePath(lower, d, w, h)}${linePath([...upper].reverse(), d, w, h).replace(/^M/, 'L')}Z`;
}

export interface Band {
  lower: Pt[];
  upper: Pt[];
  mid: Pt[];
}

/** A forecast series as a band: the bounds where given, else the value itself. */
export function bandOf(points: readonly { validAt: string; value: number; lower: number | null; upper: number | null }[]): Band | null {
  if (points.length === 0) return null;
  const at = points.map((p) => Date.parse(p.validAt));
  return {
    mid: points.map((p, i) => ({ t: at[i]!, v: p.value })),
    lower: points.map((p, i) => ({ t: at[i]!, v: p.lower ?? p.value })),
    upper: points.map((p, i) => ({ t: at[i]!, v: p.upper ?? p.value })),
  };
}

export interface LevelLine {
  value: number;
  label: string;
  color: string;
}

export function chartSvg(opts: {
  points: readonly Pt[];
  domain: Domain;
  w: number;
  h: number;
  levels?: readonly LevelLine[];
  band?: Band | null;
  /** A vertical line at this time (now, between the observed and the forecast part). */
  now?: number;
  color?: string;
  axis?: { left: string; right: string; top: string; bottom: string } | null;
}): string {
  const { points, domain: d, w, h } = opts;
  const y = (v: number) => (h - ((v - d.v0) / (d.v1 - d.v0 || 1)) * h).toFixed(1);
  const lv = (opts.levels ?? [])
    .filter((l) => l.value >= d.v0 && l.value <= d.v1)
    .map((l) => `<line x1="0" x2="${w}" y1="${y(l.value)}" y2="${y(l.value)}" stroke="${l.color}" stroke-dasharray="6 4" stroke-width="1.2"/><text x="${w - 4}" y="${Number(y(l.value)) - 3}" text-anchor="end" fill="${l.color}" class="lvl">${l.label}</text>`)
    .join('');
  const band = opts.band
    ? `<path d="${bandPath(opts.band.lower, opts.band.upper, d, w, h)}" fill="#b48cff" fill-opacity="0.22"/><path d="${linePath(opts.band.mid, d, w, h)}" fill="none" stroke="#b48cff" stroke-width="1.6" stroke-dasharray="4 3"/>`
    : '';
  const x = (t: number) => (((t - d.t0) / (d.t1 - d.t0 || 1)) * w).toFixed(1);
  const now = opts.now !== undefined && opts.now > d.t0 && opts.now < d.t1 ? `<line x1="${x(opts.now)}" x2="${x(opts.now)}" y1="0" y2="${h}" stroke="#8fa9bf" stroke-width="1" stroke-dasharray="2 3"/>` : '';
  const axis = opts.axis
    ? `<text x="2" y="${h - 3}" class="ax">${opts.axis.left}</text><text x="${w - 2}" y="${h - 3}" class="ax" text-anchor="end">${opts.axis.right}</text><text x="2" y="12" class="ax">${opts.axis.top}</text><text x="2" y="${h - 16}" class="ax">${opts.axis.bottom}</text>`
    : '';
  return `<svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" width="100%" height="100%" role="img">${band}${now}${lv}<path d="${linePath(points, d, w, h)}" fill="none" stroke="${opts.color ?? '#35c3ff'}" stroke-width="1.8" vector-effect="non-scaling-stroke"/>${axis}</svg>`;
}
