import type { ForecastCrossing } from '@basin/schemas';

/**
 * Which crossings of a new run are news (pure): a level newly predicted to be crossed, one whose
 * predicted time moved by at least `toleranceMs`, or one no longer predicted (crossingAt null now,
 * a time before). Unchanged predictions are not repeated — runs come every few minutes.
 */
export function crossingChanges(previous: readonly ForecastCrossing[], next: readonly ForecastCrossing[], toleranceMs: number): ForecastCrossing[] {
  const key = (c: ForecastCrossing) => `${c.station}\u0000${c.level}`;
  const before = new Map(previous.map((c) => [key(c), c.crossingAt]));
  return next.filter((c) => {
    const was = before.get(key(c)) ?? null;
    if (c.crossingAt === null) return was !== null;
    return was === null || Math.abs(c.crossingAt - was) >= toleranceMs;
  });
}
