import { z } from 'zod';
import { LatestReading, MetricCode, QualityFlag, Severity, Station, StationForecast, StoredPlan, WaterClass } from '@basin/schemas';
import type { RehearsalModifier } from '@basin/schemas';
import { Rehearsal } from './rehearsal';

// No code generation from strings: the API's Content-Security-Policy has no 'unsafe-eval'.
z.config({ jitless: true });

/**
 * The viewer's API client. Every answer is checked with the shared zod schemas, so a server of
 * another version shows as "not available" on the wall instead of breaking it. Endpoints the
 * server does not have yet (404 ROUTE_NOT_FOUND) are reported as `missing`, never thrown.
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Optional<T> = { ok: true; data: T } | { ok: false; missing: boolean; message: string };

const KEY_STORAGE = 'basin.apiKey';
export const auth = {
  get key(): string | null {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  set(key: string | null): void {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  },
};

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  if (json) h['content-type'] = 'application/json';
  const key = auth.key;
  if (key) h.authorization = `Bearer ${key}`;
  return h;
}

async function call<S extends z.ZodType>(schema: S, path: string, init?: { method: string; body?: unknown }): Promise<z.infer<S>> {
  const r = await fetch(path, {
    method: init?.method ?? 'GET',
    headers: headers(init?.body !== undefined),
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await r.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiFailure(r.status, 'NOT_JSON', `${r.status}: not a JSON answer from ${path}`);
  }
  if (!r.ok) {
    const e = body as { code?: string; message?: string } | null;
    throw new ApiFailure(r.status, e?.code ?? 'HTTP', `${r.status} ${e?.message ?? r.statusText}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiFailure(r.status, 'UNEXPECTED_SHAPE', `${path}: ${z.prettifyError(parsed.error).split('\n')[0]}`);
  return parsed.data;
}

/** For endpoints that may not exist yet on this server: never throws. */
async function optional<T>(p: Promise<T>): Promise<Optional<T>> {
  try {
    return { ok: true, data: await p };
  } catch (e) {
    const f = e instanceof ApiFailure ? e : null;
    const missing = f !== null && (f.status === 404 || f.status === 501 || f.code === 'NOT_JSON' || f.code === 'UNEXPECTED_SHAPE');
    return { ok: false, missing, message: (e as Error).message };
  }
}

export const SeriesPoint = z.object({ time: z.string(), value: z.number(), quality: QualityFlag.optional() });
export type SeriesPoint = z.infer<typeof SeriesPoint>;
/** Raw readings of a window (`points`, oldest first; a page with `nextCursor` on newer servers). */
export const Series = z.object({ station: z.string(), metric: MetricCode, points: z.array(SeriesPoint), nextCursor: z.string().nullable().optional() });
export type Series = z.infer<typeof Series>;
/** Readings of many stations over one window (`GET /api/readings/window`): the newest per step. */
export const ReadingsWindow = z.object({
  stepS: z.number(),
  truncated: z.boolean(),
  series: z.array(z.object({ station: z.string(), metric: MetricCode, points: z.array(SeriesPoint) })),
});
export type ReadingsWindow = z.infer<typeof ReadingsWindow>;
/** Resampled series from the continuous aggregates (15 min / 1 h / 1 d buckets). */
export const Buckets = z.object({
  station: z.string(),
  metric: MetricCode,
  resolution: z.string(),
  buckets: z.array(z.object({ time: z.string(), min: z.number(), max: z.number(), avg: z.number() })),
});
export type Buckets = z.infer<typeof Buckets>;

/**
 * The newest flood forecast of a gauge (`GET /api/forecasts?station=`): hourly values per metric
 * (water_level, discharge) with their ≈90 % band, and the predicted reference-level crossings.
 */

/** An alert as the API serves it (only the fields the wall uses are required). */
export const ApiAlert = z.looseObject({
  id: z.union([z.number(), z.string()]).transform(String),
  severity: Severity,
  state: z.enum(['firing', 'acknowledged', 'dispatched', 'resolved']),
  title: z.string().default(''),
  message: z.string().nullable().default(null),
  station: z.string().nullable().default(null),
  metric: z.string().nullable().default(null),
  /** The rule that fired and its alert type (`kind`: flood, pollution, …): what plans match on. */
  ruleId: z.string().default(''),
  kind: z.string().default('other'),
  reach: z.string().nullable().default(null),
  river: z.string().nullable().default(null),
  adminUnit: z.string().nullable().default(null),
  riverChief: z.string().nullable().default(null),
  openedAt: z.string(),
  resolvedAt: z.string().nullable().default(null),
});
export type ApiAlert = z.infer<typeof ApiAlert>;

/** An audited change of an alert (`GET /api/alerts/timeline`): who did what, when, state before and after. */
export const AlertEvent = z.looseObject({
  alertId: z.union([z.number(), z.string()]).transform(String),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  detail: z.unknown(),
});
export type AlertEvent = z.infer<typeof AlertEvent>;
/** The alerts open in a window with their changes up to its end, for the replay. */
export const AlertTimeline = z.object({ alerts: z.array(ApiAlert), events: z.array(AlertEvent), truncated: z.boolean() });
export type AlertTimeline = z.infer<typeof AlertTimeline>;

/** A dispatch task as the API serves it. */
export const ApiTask = z.looseObject({
  id: z.union([z.number(), z.string()]).transform(String),
  alertId: z.union([z.number(), z.string()]).nullable().default(null),
  team: z.string(),
  action: z.string(),
  station: z.string().nullable().default(null),
  location: z.string().nullable().default(null),
  deadline: z.string().nullable().default(null),
  state: z.enum(['open', 'accepted', 'done', 'overdue', 'cancelled']),
  planId: z.string().nullable().default(null),
  createdAt: z.string(),
  createdBy: z.string().default(''),
});
export type ApiTask = z.infer<typeof ApiTask>;

/** A task an operator dispatches for an alert (`POST /api/alerts/:id/tasks`). */
export interface NewTask {
  team: string;
  action: string;
  station?: string | null;
  location?: string | null;
  deadline?: string | null;
}

/** A reach of the twin's river network (`GET /api/model/reaches`): river and catalogue river-km. */
export const ApiReach = z.looseObject({ id: z.string(), river: z.string(), fromKm: z.number(), toKm: z.number() });
/** Per-reach live state (`GET /api/state/summary`): worst water class, flood colour, stations online. */
export const ReachSummary = z.looseObject({ stations: z.number(), online: z.number(), worstWaterClass: WaterClass.nullable(), floodColour: Severity.nullable() });
export const StateSummary = z.looseObject({ reaches: z.record(z.string(), ReachSummary) });

/** A station's live state (`GET /api/state/stations`): the twin engine's online verdict. */
export const LiveStation = z.looseObject({ station: z.string(), online: z.boolean(), ageS: z.number().nullable() });

export const Health = z.object({ status: z.string() });

const enc = encodeURIComponent;

export const api = {
  health: () => call(Health, 'api/health'),
  /** A short-lived ticket that opens the live stream for this API key (EventSource sends no headers). */
  streamTicket: () => call(z.object({ ticket: z.string(), expiresAt: z.string() }), 'api/stream/tickets', { method: 'POST', body: {} }),
  stations: () => call(z.array(Station), 'api/stations'),
  latest: (station?: string) => call(z.array(LatestReading), station ? `api/readings/latest?station=${enc(station)}` : 'api/readings/latest'),
  /** Raw readings of a window, newest `limit` (older servers) or the first page (newer). */
  series: (station: string, metric: MetricCode, fromMs: number, toMs: number, limit = 10_000) =>
    call(Series, `api/stations/${enc(station)}/readings?metric=${metric}&from=${iso(fromMs)}&to=${iso(toMs)}&limit=${limit}`),
  /** Every station's readings of these metrics in a window, at most one per step, in one request. */
  window: (metrics: readonly MetricCode[], fromMs: number, toMs: number, stepS: number) =>
    call(ReadingsWindow, `api/readings/window?${metrics.map((m) => `metric=${m}`).join('&')}&from=${iso(fromMs)}&to=${iso(toMs)}&stepS=${stepS}`),
  /** Resampled from the continuous aggregates; `missing` on servers without it. */
  buckets: (station: string, metric: MetricCode, fromMs: number, toMs: number) =>
    optional(call(Buckets, `api/stations/${enc(station)}/series?metric=${metric}&from=${iso(fromMs)}&to=${iso(toMs)}&resolution=auto`)),
  reaches: () => optional(call(z.array(ApiReach), 'api/model/reaches')),
  summary: () => optional(call(StateSummary, 'api/state/summary')),
  /** Online / offline per station as the twin engine judges it; `missing` on servers without it. */
  liveState: () => optional(call(z.array(LiveStation), 'api/state/stations')),
  /** Newest flood forecast of one gauge; `missing` on servers without forecasts, `[]` when none was run. */
  forecast: (station: string) => optional(call(z.array(StationForecast), `api/forecasts?station=${enc(station)}`)),
  /** Newest flood forecast of every gauge; `missing` on servers without forecasts. */
  forecasts: () => optional(call(z.array(StationForecast), 'api/forecasts')),
  alerts: () => optional(call(z.array(ApiAlert), 'api/alerts?state=firing,acknowledged,dispatched&limit=500')),
  /** The alerts open in a window and their audited changes; `missing` on servers without it. */
  alertTimeline: (fromMs: number, toMs: number) => optional(call(AlertTimeline, `api/alerts/timeline?from=${iso(fromMs)}&to=${iso(toMs)}&limit=2000`)),
  tasks: () => optional(call(z.array(ApiTask), 'api/tasks?limit=500')),
  /** Current version of every 预案 contingency plan. */
  plans: () => optional(call(z.array(StoredPlan), 'api/plans')),
  createTask: (alertId: string, task: NewTask) => call(ApiTask, `api/alerts/${enc(alertId)}/tasks`, { method: 'POST', body: task }),
  acknowledge: (id: string, comment?: string) => call(z.unknown(), `api/alerts/${enc(id)}/acknowledge`, { method: 'POST', body: comment ? { comment } : {} }),
  dispatch: (id: string, comment?: string) => call(z.unknown(), `api/alerts/${enc(id)}/dispatch`, { method: 'POST', body: comment ? { comment } : {} }),
  /** Starts a 预演 rehearsal (operators); poll `rehearsal(id)` until it is no longer running. */
  startRehearsal: (body: { name: string; hours: number; modifiers: RehearsalModifier[] }) => call(Rehearsal, 'api/rehearsals', { method: 'POST', body }),
  rehearsal: (id: number) => call(Rehearsal, `api/rehearsals/${id}`),
  resolve: (id: string, comment: string) => call(z.unknown(), `api/alerts/${enc(id)}/resolve`, { method: 'POST', body: { comment } }),
};

const iso = (ms: number) => new Date(ms).toISOString();
