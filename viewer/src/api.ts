import { z } from 'zod';
import { Alert, DispatchTask, LatestReading, MetricCode, QualityFlag, Station } from '@basin/schemas';

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
export const Series = z.object({ station: z.string(), metric: MetricCode, points: z.array(SeriesPoint) });
export type Series = z.infer<typeof Series>;

const ListOf = <S extends z.ZodType>(s: S) => z.union([z.array(s), z.object({ items: z.array(s) }).transform((x) => x.items)]);
export const AlertList = ListOf(Alert.passthrough());
export const TaskList = ListOf(DispatchTask.passthrough());
export const Health = z.object({ status: z.string(), db: z.string().optional() });

const enc = encodeURIComponent;

export const api = {
  health: () => call(Health, 'api/health'),
  stations: () => call(z.array(Station), 'api/stations'),
  latest: () => call(z.array(LatestReading), 'api/readings/latest'),
  series: (station: string, metric: MetricCode, fromMs: number, toMs: number, limit = 20_000) =>
    call(Series, `api/stations/${enc(station)}/readings?metric=${metric}&from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}&limit=${limit}`),
  alerts: () => optional(call(AlertList, 'api/alerts?state=firing&state=acknowledged')),
  tasks: () => optional(call(TaskList, 'api/tasks')),
  acknowledge: (id: string, comment?: string) => call(z.unknown(), `api/alerts/${enc(id)}/acknowledge`, { method: 'POST', body: { comment } }),
  dispatch: (id: string) => call(z.unknown(), `api/alerts/${enc(id)}/dispatch`, { method: 'POST', body: {} }),
  resolve: (id: string, comment: string) => call(z.unknown(), `api/alerts/${enc(id)}/resolve`, { method: 'POST', body: { comment } }),
};
