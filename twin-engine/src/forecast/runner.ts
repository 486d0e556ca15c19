import type { ForecastRunInfo } from '@basin/schemas';
import type { TwinEvent, TwinState } from '../state/twin.js';
import { forecastFlood, forecastInputStations } from './flood.js';
import { floodRun, type FloodRun, type SkillLookup } from './run.js';
import { dueAt, FORECAST_INPUT_METRICS, IDLE, issueHour, onElected, onInput, onRunFailed, onRunStarted, type ScheduleOptions } from './schedule.js';
import { scoreCrossings, scorePoints, skillLookup } from './skill-store.js';
import { Election, leaseHolder, type ElectedDeps, type LeaseOptions } from '../state/lease.js';
import { holdsRunnerLease, inputsDigest, loadHourlyInputs, loadRunInfo, newestInput, saveRun } from './store.js';

export interface RunnerOptions extends ScheduleOptions, LeaseOptions {
  /** Hours of observed inputs each run reads (routing warm-up and error correction). */
  historyH: number;
  horizonH: number;
  /** Muskingum x (ESTIMATE, domain-facts x_typical 0.2). */
  x: number;
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = { quietMs: 60_000, maxWaitMs: 600_000, historyH: 72, horizonH: 72, x: 0.2, leaseMs: 15_000 };

export interface RunnerDeps extends ElectedDeps<Pick<TwinState, 'model' | 'clock' | 'subscribe'>, RunnerOptions> {
  /** Known RMSE per gauge and lead time for the bands (the skill ledger). */
  skill?: () => Promise<SkillLookup>;
}

/**
 * The 预报 runner. Every twin-engine process runs one; only the holder of the forecast lease
 * produces runs, debounced on new upstream readings (schedule.ts), and stores each in a
 * transaction that re-checks the lease (fencing). A stored run is announced over NOTIFY, so every
 * process — whichever holds the rule evaluator's lease — hears it and calls its `onForecast`
 * listeners with the run's predicted crossings.
 */
export class ForecastRunner {
  private sched = IDLE;
  private timer: unknown = null;
  private readonly election: Election;
  private running: Promise<unknown> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private readonly listeners = new Set<(run: ForecastRunInfo) => void>();
  private readonly opts: RunnerOptions;
  readonly stats = { runs: 0, failures: 0, announced: 0, scoredPoints: 0, scoredCrossings: 0 };

  constructor(private readonly deps: RunnerDeps) {
    this.opts = { ...DEFAULT_RUNNER_OPTIONS, ...deps.options };
    this.election = new Election({
      db: deps.db, table: 'forecast_runner', holder: deps.holder, ttlMs: this.opts.leaseMs, log: deps.log,
      onElected: () => {
        this.sched = onElected(this.sched, this.deps.twin.clock.now(), this.opts);
        this.arm();
      },
    });
  }

  get isLeader(): boolean {
    return this.election.leader;
  }

  private get leader(): boolean {
    return this.election.leader;
  }

  /** Called with every stored run (from any process), after its commit. */
  onForecast(fn: (run: ForecastRunInfo) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async start(): Promise<void> {
    this.unsubscribe = this.deps.twin.subscribe((e) => this.onEvent(e));
    await this.election.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.election.halt();
    if (this.timer !== null) this.deps.twin.clock.clearTimer(this.timer);
    this.timer = null;
    await this.running.catch(() => undefined);
    await this.election.release();
  }

  /** Resolves when the run in progress (if any) is stored and announced locally. */
  async settled(): Promise<void> {
    await this.running.catch(() => undefined);
  }

  /** Produce a run now (the timer does this; tests and the API may too). Null when not the leader or no inputs. */
  runNow(): Promise<FloodRun | null> {
    const next = this.running.then(() => this.produce(), () => this.produce());
    this.running = next.catch(() => undefined);
    return next;
  }

  private onEvent(e: TwinEvent): void {
    if (e.type === 'forecast') void this.announce(e.id);
    else if (e.type === 'reading' && e.readings.some((r) => FORECAST_INPUT_METRICS.has(r.metric)) && this.isInputStation(e.station)) {
      this.sched = onInput(this.sched, this.deps.twin.clock.now());
      this.arm();
    }
  }

  /** Input stations of the current model (recomputed only when the model is replaced). */
  private inputs: { model: unknown; ids: ReadonlySet<string> } = { model: null, ids: new Set() };
  private isInputStation(id: string): boolean {
    const model = this.deps.twin.model;
    if (this.inputs.model !== model) this.inputs = { model, ids: new Set(forecastInputStations(model)) };
    return this.inputs.ids.has(id);
  }

  private arm(): void {
    const clock = this.deps.twin.clock;
    if (this.timer !== null) clock.clearTimer(this.timer);
    this.timer = null;
    const due = dueAt(this.sched, this.opts);
    if (due !== null) this.timer = clock.setTimer(() => this.fire(), due - clock.now());
  }

  /** A timer-started run is in progress; `deferred`: it became due again meanwhile. */
  private busy = false;
  private deferred = false;
  private stopped = false;

  private fire(): void {
    this.timer = null;
    if (this.stopped) return;
    // One timed run at a time: inputs arriving while a run takes longer than the quiet period
    // make one more run when it ends (queued runs would pile up behind a slow one and lag).
    if (this.busy) {
      this.deferred = true;
      return;
    }
    const now = this.deps.twin.clock.now();
    this.sched = onRunStarted(this.sched, now);
    if (!this.leader) return;
    this.busy = true;
    void this.runNow()
      .catch((err: unknown) => {
        this.stats.failures++;
        this.deps.log.warn({ err: (err as Error).message }, 'forecast run failed; retrying after the quiet period');
        this.sched = onRunFailed(this.sched, this.deps.twin.clock.now());
        this.arm();
      })
      .finally(() => {
        this.busy = false;
        if (this.deferred) {
          this.deferred = false;
          this.fire();
        }
      });
    this.arm();
  }

  private async produce(): Promise<FloodRun | null> {
    if (!this.leader) return null;
    const { db, twin } = this.deps;
    const model = twin.model;
    const ids = forecastInputStations(model);
    const newest = await newestInput(db, ids, [...FORECAST_INPUT_METRICS]);
    if (newest === null) return null;
    await this.score(newest, ids);
    const issuedAt = issueHour(newest);
    const series = await loadHourlyInputs(db, ids, issuedAt, this.opts.historyH);
    const forecast = forecastFlood(model, { issuedAt, horizonH: this.opts.horizonH, x: this.opts.x, series });
    const run = floodRun(forecast, model.references, inputsDigest(series), await (this.deps.skill?.() ?? Promise.resolve(undefined)));
    const inputs = { stations: [...series.keys()].sort(), historyH: this.opts.historyH, x: this.opts.x, newestReading: new Date(newest).toISOString() };
    const stored = await db.transaction(async (tx) => (await holdsRunnerLease(tx, this.deps.holder)) && (await saveRun(tx, run, inputs)));
    if (!stored) return null;
    this.stats.runs++;
    this.deps.log.info({ id: run.id, crossings: run.crossings.filter((c) => c.crossingAt !== null).length }, 'flood forecast stored');
    return run;
  }

  /** Verifies past runs against the observations that have arrived (idempotent: each score once). */
  private async score(until: number, stations: string[]): Promise<void> {
    const points = await scorePoints(this.deps.db, until, stations);
    const crossings = await scoreCrossings(this.deps.db, until);
    if (points || crossings) this.deps.log.debug({ points, crossings }, 'forecasts scored');
    this.stats.scoredPoints += points;
    this.stats.scoredCrossings += crossings;
  }

  private async announce(id: string): Promise<void> {
    try {
      const info = await loadRunInfo(this.deps.db, id);
      if (!info) return;
      this.stats.announced++;
      for (const fn of this.listeners) fn(info);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message, id }, 'forecast announcement could not be read');
    }
  }

}

/** 预报 in a twin-engine process: the runner (elected), its crossings handed to `consume` (the rule evaluator). */
export async function startForecasting(deps: Omit<RunnerDeps, 'holder'> & { consume: (run: ForecastRunInfo) => void }): Promise<ForecastRunner> {
  const runner = new ForecastRunner({ skill: () => skillLookup(deps.db), ...deps, log: deps.log.child({ component: 'forecast' }), holder: leaseHolder() });
  runner.onForecast(deps.consume);
  await runner.start();
  return runner;
}
