/**
 * Forecast verification (pure): error statistics of forecast values against observations by lead
 * time, and the outcome of each predicted (or not predicted) level crossing.
 */

/** Lead-time buckets of the skill ledger, hours (inclusive). */
export const LEAD_BUCKETS: readonly { label: string; from: number; to: number }[] = [
  { label: '1-6h', from: 1, to: 6 },
  { label: '7-12h', from: 7, to: 12 },
  { label: '13-24h', from: 13, to: 24 },
  { label: '25-48h', from: 25, to: 48 },
  { label: '49-72h', from: 49, to: 72 },
];

export function leadBucket(leadH: number): string {
  return LEAD_BUCKETS.find((b) => leadH >= b.from && leadH <= b.to)?.label ?? `>${LEAD_BUCKETS[LEAD_BUCKETS.length - 1]!.to}h`;
}

export interface ErrorStats {
  n: number;
  /** Mean absolute error. */
  mae: number;
  rmse: number;
  /** Mean of forecast − observed (positive: the forecast runs high). */
  bias: number;
}

export function errorStats(pairs: readonly { forecast: number; observed: number }[]): ErrorStats | null {
  if (pairs.length === 0) return null;
  let abs = 0, sq = 0, sum = 0;
  for (const p of pairs) {
    const e = p.forecast - p.observed;
    abs += Math.abs(e);
    sq += e * e;
    sum += e;
  }
  const n = pairs.length;
  return { n, mae: abs / n, rmse: Math.sqrt(sq / n), bias: sum / n };
}

export type CrossingOutcome = 'hit' | 'miss' | 'false_alarm' | 'correct_negative';

export interface CrossingVerdict {
  outcome: CrossingOutcome;
  observedAt: number | null;
  /** Predicted − observed crossing time, h (hits only). */
  timingErrorH: number | null;
  /** Warning lead time: observed crossing − issue time, h (hits only). */
  leadH: number | null;
}

const HOUR = 3_600_000;

/**
 * Verifies one predicted crossing against hourly observations (`obs` sorted by time). The window
 * is (issuedAt, issuedAt + horizon]. Null while undecided (no crossing observed and the window not
 * yet observed to its end), or when the level was already reached at the issue time (nothing to
 * predict).
 */
export function verifyCrossing(
  c: { issuedAt: number; crossingAt: number | null; threshold: number; horizonH: number },
  obs: readonly { t: number; v: number }[],
  observedUntil: number,
): CrossingVerdict | null {
  const end = c.issuedAt + c.horizonH * HOUR;
  const atIssue = obs.find((o) => o.t === c.issuedAt);
  if (atIssue && atIssue.v >= c.threshold) return null;
  const seen = obs.find((o) => o.t > c.issuedAt && o.t <= end && o.v >= c.threshold);
  if (seen) {
    if (c.crossingAt === null) return { outcome: 'miss', observedAt: seen.t, timingErrorH: null, leadH: null };
    return { outcome: 'hit', observedAt: seen.t, timingErrorH: (c.crossingAt - seen.t) / HOUR, leadH: (seen.t - c.issuedAt) / HOUR };
  }
  if (observedUntil < end) return null;
  return { outcome: c.crossingAt === null ? 'correct_negative' : 'false_alarm', observedAt: null, timingErrorH: null, leadH: null };
}

/** Sums of errors per lead hour, as the ledger query returns them. */
export interface LeadSums {
  leadH: number;
  n: number;
  sumAbs: number;
  sumSq: number;
  sum: number;
}

/** Combines per-lead-hour sums into the lead buckets (in bucket order; empty buckets left out). */
export function bucketStats(rows: readonly LeadSums[]): (ErrorStats & { leadBucket: string })[] {
  const acc = new Map<string, { n: number; abs: number; sq: number; sum: number }>();
  for (const r of rows) {
    const k = leadBucket(r.leadH);
    const a = acc.get(k) ?? { n: 0, abs: 0, sq: 0, sum: 0 };
    a.n += r.n;
    a.abs += r.sumAbs;
    a.sq += r.sumSq;
    a.sum += r.sum;
    acc.set(k, a);
  }
  const order = [...LEAD_BUCKETS.map((b) => b.label), ...[...acc.keys()].filter((k) => k.startsWith('>'))];
  return order.flatMap((k) => {
    const a = acc.get(k);
    return a && a.n > 0 ? [{ leadBucket: k, n: a.n, mae: a.abs / a.n, rmse: Math.sqrt(a.sq / a.n), bias: a.sum / a.n }] : [];
  });
}
