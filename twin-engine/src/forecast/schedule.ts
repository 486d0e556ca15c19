/**
 * When to re-run the flood forecast (pure, injected time): debounced on new upstream readings.
 * A run is due `quietMs` after the last input reading, but never later than `maxWaitMs` after the
 * first input the last run has not seen (a steady stream of readings cannot starve it).
 */
export interface ScheduleOptions {
  quietMs: number;
  maxWaitMs: number;
}

export interface ScheduleState {
  /** Arrival time of the first input not yet covered by a run, or null when none is pending. */
  pendingSince: number | null;
  /** Arrival time of the newest input. */
  lastInputAt: number | null;
}

export const IDLE: ScheduleState = { pendingSince: null, lastInputAt: null };

/** Metrics that change the flood forecast's inputs. */
export const FORECAST_INPUT_METRICS: ReadonlySet<string> = new Set(['discharge', 'water_level', 'outflow']);

export function onInput(s: ScheduleState, at: number): ScheduleState {
  return { pendingSince: s.pendingSince ?? at, lastInputAt: Math.max(at, s.lastInputAt ?? at) };
}

/**
 * A process that becomes the producer runs after one quiet period at the latest (a fresh start or
 * a takeover must not leave the forecast empty or stale for up to `maxWaitMs` while inputs keep
 * arriving every few seconds).
 */
export function onElected(s: ScheduleState, at: number, o: ScheduleOptions): ScheduleState {
  return { pendingSince: Math.min(s.pendingSince ?? at, at + o.quietMs - o.maxWaitMs), lastInputAt: Math.max(at, s.lastInputAt ?? at) };
}

/** When the next run is due, or null when nothing is pending. */
export function dueAt(s: ScheduleState, o: ScheduleOptions): number | null {
  if (s.pendingSince === null || s.lastInputAt === null) return null;
  return Math.min(s.lastInputAt + o.quietMs, s.pendingSince + o.maxWaitMs);
}

/** A run started at `at` covers every input that arrived up to then. */
export function onRunStarted(s: ScheduleState, at: number): ScheduleState {
  if (s.lastInputAt !== null && s.lastInputAt > at) return { pendingSince: s.lastInputAt, lastInputAt: s.lastInputAt };
  return { pendingSince: null, lastInputAt: s.lastInputAt };
}

/** A run that failed leaves its inputs pending, retried after `quietMs`. */
export function onRunFailed(s: ScheduleState, at: number): ScheduleState {
  return { pendingSince: s.pendingSince ?? at, lastInputAt: Math.max(at, s.lastInputAt ?? at) };
}

const HOUR = 3_600_000;

/** Issue time of a run: the hour of the newest input reading (the forecast's hourly grid). */
export const issueHour = (newestReadingTs: number): number => Math.floor(newestReadingTs / HOUR) * HOUR;
