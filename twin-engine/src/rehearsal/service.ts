import type { Db, Logger, Queryable } from '@basin/platform';
import type { RehearsalModifier, RehearsalRequest, Severity } from '@basin/schemas';
import type { Principal } from '../auth/roles.js';
import { TwinErrors } from '../errors.js';
import { forecastFlood, forecastInputStations } from '../forecast/flood.js';
import { spillForecast } from '../forecast/spill-request.js';
import { loadHourlyInputs } from '../forecast/store.js';
import { audit } from '../ops/audit.js';
import { ruleStations } from '../rules/alerting.js';
import { standardsClassifiers } from '../rules/classifiers.js';
import { qualityName } from '../rules/evaluator.js';
import { currentPlansStored, currentRules, loadRuleState } from '../rules/store.js';
import type { Observation } from '../rules/types.js';
import type { TwinState } from '../state/twin.js';
import { compare, rehearse, type Comparison, type RehearsalResult, type RehearsedAlert } from './run.js';
import { scenario } from './scenario.js';

const HOUR = 3_600_000;
/** Muskingum x of the forecast (ESTIMATE, domain-facts x_typical, as the forecast runner). */
const X = 0.2;
/** Hours of observed inputs the rehearsal's forecast starts from (as the forecast runner). */
const HISTORY_H = 72;
/** A run still 'running' after this long belongs to a process that ended. */
const ABANDONED_MS = 15 * 60_000;

export interface StoredRehearsal {
  id: number;
  name: string;
  state: 'running' | 'done' | 'failed';
  modifiers: RehearsalModifier[];
  baseTime: string;
  hours: number;
  createdAt: string;
  createdBy: string;
  finishedAt: string | null;
  error: string | null;
  result: (RehearsalResult & { baseline: Pick<RehearsalResult, 'alerts' | 'tasks' | 'peaks'>; series: unknown; crossings: number; elapsedMs: number }) | null;
}

/**
 * 预演 runs: `submit()` stores the request as a running rehearsal and runs it in the background of
 * this process against a snapshot of the live state — the newest rule and plan versions, the rule
 * state, the latest readings and a flood forecast issued now — with the modifiers applied
 * (`scenario()`), through the pure `rehearse()` on a private engine, and once more without the
 * modifiers (the baseline). It writes only its own row: no alert, task, stream event or webhook.
 */
export class RehearsalService {
  private readonly running = new Set<Promise<void>>();
  readonly stats = { runs: 0, failures: 0 };

  constructor(private readonly deps: { db: Db; log: Logger; twin: TwinState; now?: () => number }) {}

  async submit(body: RehearsalRequest, actor: Principal): Promise<StoredRehearsal> {
    for (const [i, m] of body.modifiers.entries()) {
      if (m.type === 'rainfall') throw TwinErrors.VALIDATION_FAILED('rainfall modifiers are not modelled yet (the basin model has no sub-basin areas or runoff coefficients)', [{ field: `body.modifiers.${i}.type`, location: 'body', message: 'rainfall is not supported' }]);
      if ('station' in m && !this.deps.twin.model.stationInfo.has(m.station)) throw TwinErrors.STATION_NOT_FOUND(m.station);
    }
    const baseTime = Math.floor((this.deps.now ?? Date.now)() / HOUR) * HOUR;
    const id = await this.deps.db.transaction(async (tx) => {
      const r = await tx.query<{ id: number }>(
        `INSERT INTO rehearsals (name, state, modifiers, base_time, hours, created_by) VALUES ($1, 'running', $2::jsonb, $3, $4, $5) RETURNING id`,
        [body.name, JSON.stringify(body.modifiers), new Date(baseTime).toISOString(), body.hours, actor.actor],
      );
      const rid = Number(r.rows[0]!.id);
      await audit(tx, { actor, action: 'rehearsal.start', subjectType: 'rehearsal', subjectId: rid, after: body });
      return rid;
    });
    const p = this.execute(id, body, baseTime).finally(() => this.running.delete(p));
    this.running.add(p);
    return getRehearsal(this.deps.db, id);
  }

  /** Resolves when every run started by this process has finished (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private async execute(id: number, body: RehearsalRequest, baseTime: number): Promise<void> {
    try {
      await new Promise((r) => setImmediate(r));
      const result = await this.compute(body, baseTime);
      await this.deps.db.query(`UPDATE rehearsals SET state = 'done', result = $2::jsonb, finished_at = now() WHERE id = $1`, [id, JSON.stringify(result)]);
      this.stats.runs++;
    } catch (err) {
      this.stats.failures++;
      this.deps.log.warn({ err: (err as Error).message, id }, 'rehearsal failed');
      await this.deps.db.query(`UPDATE rehearsals SET state = 'failed', error = $2, finished_at = now() WHERE id = $1`, [id, (err as Error).message]).catch(() => undefined);
    }
  }

  /** The snapshot, the forecast with and without the modifiers, and both rehearsals. */
  async compute(body: RehearsalRequest, baseTime: number): Promise<NonNullable<StoredRehearsal['result']>> {
    const t0 = performance.now();
    const { db, twin } = this.deps;
    const model = twin.model;
    const [rules, plans, state, latest, inputs] = await Promise.all([
      currentRules(db),
      currentPlansStored(db),
      loadRuleState(db),
      latestReadings(db),
      loadHourlyInputs(db, forecastInputStations(model), baseTime, HISTORY_H),
    ]);
    const base = forecastFlood(model, { issuedAt: baseTime, horizonH: body.hours, x: X, series: inputs });
    const latestByKey = new Map(latest.map((o) => [`${o.station}\u0000${o.metric}`, o.value]));
    const spill = (m: Extract<RehearsalModifier, { type: 'spill' }>, releaseAt: number) =>
      spillForecast(model, twin.live, { station: m.station, at: new Date(releaseAt).toISOString(), durationH: m.hours, massKg: m.massKg, metric: m.metric, bank: null });
    const common = { start: baseTime, hours: body.hours, rules, plans, stations: ruleStations(twin), classifiers: standardsClassifiers(() => model.stationInfo), state, latest };
    const run = (modifiers: RehearsalModifier[]) => {
      const s = scenario({ model, base, inputs, modifiers, x: X, spill, latest: latestByKey });
      return { s, r: rehearse({ ...common, series: s.series, crossings: s.crossings, modifiers }) };
    };
    // The event loop gets a turn between the CPU-bound steps (each tens of ms on the whole network):
    // the API and the live state's notifications are not held up for the whole run.
    await turn();
    const mod = run(body.modifiers);
    await turn();
    const baseline = body.modifiers.length ? run([]).r : mod.r;
    return {
      ...mod.r,
      baseline: { alerts: baseline.alerts, tasks: baseline.tasks, peaks: baseline.peaks },
      series: mod.s.series.filter((x) => x.metric !== 'discharge' || !mod.s.series.some((y) => y.station === x.station && y.metric === 'water_level')),
      crossings: mod.s.crossings.filter((c) => c.crossingAt !== null).length,
      elapsedMs: Math.round(performance.now() - t0),
    };
  }

  /** Marks runs of processes that ended mid-run as failed (call at start). */
  async reapAbandoned(): Promise<number> {
    const r = await this.deps.db.query(`UPDATE rehearsals SET state = 'failed', error = 'the process running it ended', finished_at = now() WHERE state = 'running' AND created_at < now() - ($1::double precision * interval '1 millisecond')`, [ABANDONED_MS]);
    return r.rowCount ?? 0;
  }
}

const turn = () => new Promise<void>((r) => setImmediate(r));

async function latestReadings(q: Queryable): Promise<Observation[]> {
  const r = await q.query<{ station: string; metric: string; value: number; time: Date | string; quality: number }>(`SELECT station, metric, value, time, quality FROM latest_readings`);
  return r.rows.map((x) => ({ station: x.station, metric: x.metric as Observation['metric'], value: Number(x.value), ts: new Date(x.time).getTime(), quality: qualityName(x.quality) }));
}

const COLS = 'id, name, state, modifiers, base_time, hours, created_at, created_by, finished_at, error, result';
type Row = { id: number; name: string; state: StoredRehearsal['state']; modifiers: RehearsalModifier[]; base_time: Date | string; hours: number; created_at: Date | string; created_by: string; finished_at: Date | string | null; error: string | null; result: StoredRehearsal['result'] };
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const view = (r: Row): StoredRehearsal => ({
  id: Number(r.id), name: r.name, state: r.state, modifiers: r.modifiers, baseTime: iso(r.base_time)!, hours: Number(r.hours),
  createdAt: iso(r.created_at)!, createdBy: r.created_by, finishedAt: iso(r.finished_at), error: r.error, result: r.result ?? null,
});

export async function getRehearsal(q: Queryable, id: number): Promise<StoredRehearsal> {
  const r = await q.query<Row>(`SELECT ${COLS} FROM rehearsals WHERE id = $1`, [id]);
  if (!r.rows[0]) throw TwinErrors.NOT_FOUND(`rehearsal ${id}`);
  return view(r.rows[0]);
}

export async function listRehearsals(q: Queryable, opts: { beforeId?: number; limit: number }): Promise<Array<Omit<StoredRehearsal, 'result'>>> {
  const r = await q.query<Row>(`SELECT ${COLS.replace(', result', ', NULL AS result')} FROM rehearsals WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`, [opts.beforeId ?? null, opts.limit]);
  return r.rows.map((x) => {
    const { result: _r, ...rest } = view(x);
    return rest;
  });
}

/**
 * A finished rehearsal side by side with another (`with` = its id), with its own baseline (the same
 * snapshot without modifiers: `baseline`) or with what happened (`actual`: alerts opened in its window).
 */
export async function compareRehearsal(q: Queryable, id: number, withWhat: string): Promise<Comparison & { a: number; b: string }> {
  const a = await getRehearsal(q, id);
  if (!a.result) throw TwinErrors.INVALID_TRANSITION(`rehearsal ${id}`, a.state, 'compare');
  if (withWhat === 'baseline') return { a: id, b: 'baseline', ...compare(a.result.baseline, a.result) };
  if (withWhat === 'actual') {
    const end = new Date(new Date(a.baseTime).getTime() + a.hours * HOUR).toISOString();
    const r = await q.query<{ rule_id: string; subject: string; severity: Severity; opened_at: Date | string; message: string | null }>(
      `SELECT rule_id, subject, severity, opened_at, message FROM alerts WHERE opened_at > $1 AND opened_at <= $2 ORDER BY opened_at`,
      [a.baseTime, end],
    );
    const alerts: RehearsedAlert[] = r.rows.map((x) => ({ kind: 'open', ruleId: x.rule_id, subject: x.subject, severity: x.severity, at: new Date(x.opened_at).getTime(), reason: x.message ?? '' }));
    return { a: id, b: 'actual', ...compare(a.result, { alerts, peaks: [] }) };
  }
  const otherId = Number(withWhat);
  if (!Number.isInteger(otherId)) throw TwinErrors.VALIDATION_FAILED('with: a rehearsal id, baseline or actual', [{ field: 'query.with', location: 'query', message: 'a rehearsal id, baseline or actual' }]);
  const b = await getRehearsal(q, otherId);
  if (!b.result) throw TwinErrors.INVALID_TRANSITION(`rehearsal ${otherId}`, b.state, 'compare');
  return { a: id, b: String(otherId), ...compare(a.result, b.result) };
}

