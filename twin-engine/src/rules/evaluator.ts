import type { Db, Logger, Queryable } from '@basin/platform';
import type { StoredPlan, StoredRule } from '@basin/schemas';
import { RuleEngine } from './engine.js';
import type { TaskClock } from './tasks.js';
import { currentPlansStored, currentRules, holdsLease, latestForecastCrossings, loadRuleState, releaseLease, saveRuleState, takeLease, writeCheckpoint } from './store.js';
import type { Classifiers, ForecastCrossing, Observation, RuleEvent, RuleStation } from './types.js';

/** A committed reading with the time ingest received it (the evaluator's checkpoint runs on it). */
export interface CommittedReading extends Observation {
  receivedAt: number;
}

/** What the evaluation's events do, inside the evaluation transaction (alerts, tasks, webhooks, stream). */
export interface RuleEffects {
  apply(tx: Queryable, events: RuleEvent[], ctx: { rules: ReadonlyMap<string, StoredRule>; plans: StoredPlan[]; stations: ReadonlyMap<string, RuleStation>; now: number }): Promise<void>;
}

export interface EvaluatorDeps {
  db: Db;
  log: Logger;
  /** This process's name in the lease (host:pid:random). */
  holder: string;
  classifiers: Classifiers;
  stations: () => RuleStation[];
  effects: RuleEffects;
  /** Task deadlines and recurring plan duties (run by the leader with its timer). */
  tasks?: TaskClock;
  now?: () => number;
  /** Lease time-to-live; renewed every third of it. A crashed leader is replaced after this. */
  leaseMs?: number;
  /** Most readings re-read per catch-up query after taking the lease. */
  catchUpBatch?: number;
  /** Events also go here after commit (tests, metrics, the live stream). */
  onCommitted?: (events: RuleEvent[]) => void;
}

/**
 * The elected 预警 evaluator. Every twin-engine process runs one; only the holder of the lease (a
 * row any process may take once it has expired) evaluates, so each reading is evaluated once per
 * deployment. Each batch commits the alerts it produced, the changed rule state and the checkpoint
 * in one transaction that first re-checks the lease (fencing). A new leader restores the state and
 * re-evaluates readings received after the checkpoint: the engine ignores readings no newer than
 * what a subject already used, so a reading evaluated twice changes nothing.
 */
export class Evaluator {
  private engine: RuleEngine | null = null;
  private rules = new Map<string, StoredRule>();
  private plans: StoredPlan[] = [];
  private stations = new Map<string, RuleStation>();
  /** Becoming the leader is complete (see offer()). */
  private ready = false;
  /** Items offered while becoming the leader. */
  private held: Evaluator['queue'] = [];
  private queue: Array<{ kind: 'readings'; batch: CommittedReading[] } | { kind: 'forecast'; crossings: readonly ForecastCrossing[] } | { kind: 'tick' } | { kind: 'reload' } | { kind: 'tasks' }> = [];
  private running: Promise<void> | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly now: () => number;
  private readonly leaseMs: number;
  readonly stats = { batches: 0, readings: 0, events: 0, leaderships: 0, commitFailures: 0 };

  constructor(private readonly deps: EvaluatorDeps) {
    this.now = deps.now ?? Date.now;
    this.leaseMs = deps.leaseMs ?? 10_000;
  }

  /** Leads and is ready: its state restored, the newest forecasts and the readings since its checkpoint evaluated. */
  get isLeader(): boolean {
    return this.engine !== null && this.ready;
  }

  async start(): Promise<void> {
    await this.renew();
    this.leaseTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.leaseTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    await this.running?.catch(() => undefined);
    if (this.engine) await releaseLease(this.deps.db, this.deps.holder).catch(() => undefined);
    this.engine = null;
  }

  /** Committed readings (from the reading feed). Followers ignore them. */
  onReadings(batch: CommittedReading[]): void {
    if (!this.engine || batch.length === 0) return;
    this.offer({ kind: 'readings', batch });
  }

  /**
   * The predicted crossings of a stored forecast run (every process hears the run's announcement;
   * only the leader evaluates). `forecast_crossing` rules fire on them, before the observation,
   * with the forecast as evidence; a new leader re-reads the newest runs when elected.
   */
  onForecast(crossings: readonly ForecastCrossing[]): void {
    if (this.engine && crossings.length > 0) this.offer({ kind: 'forecast', crossings });
  }

  /** Rules, plans or stations changed (API, registry): rebuild the indexes, keep the state. */
  reload(): void {
    if (this.engine) this.offer({ kind: 'reload' });
  }

  /** Runs due deadlines now (the timer does this by itself; tests with an injected clock call it). */
  poke(): void {
    if (this.engine) this.offer({ kind: 'tick' });
  }

  /** Resolves when everything queued so far is committed. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  // --- leadership ---------------------------------------------------------------------------

  private async renew(): Promise<void> {
    if (this.stopped) return;
    try {
      const lease = await takeLease(this.deps.db, this.deps.holder, this.leaseMs);
      if (!lease) {
        if (this.engine) this.deps.log.warn('rule evaluator lease lost to another process');
        this.engine = null;
        this.ready = false;
        this.held = [];
        return;
      }
      if (!this.engine) await this.becomeLeader(lease.checkpoint);
      else if ((await this.definitionsStamp()) !== this.stamp) this.reload();
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'rule evaluator lease renewal failed');
    }
  }

  private async becomeLeader(checkpoint: Date | null): Promise<void> {
    this.ready = false;
    const now = this.now();
    await this.loadDefinitions(now);
    const engine = this.engine!;
    engine.restore(await loadRuleState(this.deps.db), now);
    await this.warmMemory(engine);
    // The newest run of each forecast kind, before the catch-up (composites read forecasts and
    // readings together); an announcement missed while no process led is evaluated now.
    const crossings = await latestForecastCrossings(this.deps.db);
    if (crossings.length) {
      this.enqueue({ kind: 'forecast', crossings });
      await this.drain();
    }
    this.stats.leaderships++;
    this.deps.log.info({ holder: this.deps.holder, rules: this.rules.size, checkpoint }, 'rule evaluator elected');
    await this.catchUp(checkpoint);
    this.enqueue({ kind: 'tasks' });
    this.ready = true;
    for (const item of this.held.splice(0)) this.enqueue(item);
  }

  /**
   * An item from outside (feed, announcement, API, clock): evaluated now, or, while this process
   * is becoming the leader, after its state is restored and it has caught up (evaluated first,
   * they would fire against an empty state that the restore then overwrites).
   */
  private offer(item: Evaluator['queue'][number]): void {
    if (this.ready) this.enqueue(item);
    else this.held.push(item);
  }

  /** Changes to rules or plans (from any process's API) show as a new newest version. */
  private async definitionsStamp(): Promise<string> {
    const r = await this.deps.db.query<{ s: string }>(
      `SELECT concat_ws('|', (SELECT count(*) FROM rules), (SELECT max(created_at) FROM rules), (SELECT count(*) FROM plans), (SELECT max(created_at) FROM plans)) AS s`,
    );
    return r.rows[0]?.s ?? '';
  }
  private stamp = '';

  private async loadDefinitions(now: number): Promise<void> {
    this.stamp = await this.definitionsStamp();
    const rules = await currentRules(this.deps.db);
    this.plans = await currentPlansStored(this.deps.db);
    this.rules = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));
    const stations = this.deps.stations();
    this.stations = new Map(stations.map((s) => [s.id, s]));
    const engine = this.engine ?? new RuleEngine(this.deps.classifiers);
    engine.setRules(rules, now);
    engine.setStations(stations, now);
    this.engine = engine;
  }

  /** Latest values (and the last hours for rate-of-change windows) without evaluating them. */
  private async warmMemory(engine: RuleEngine): Promise<void> {
    const r = await this.deps.db.query<{ station: string; metric: string; value: number; time: Date | string; quality: number }>(
      `SELECT station, metric, value, time, quality FROM latest_readings`,
    );
    engine.warm(r.rows.map((x) => ({ station: x.station, metric: x.metric as Observation['metric'], value: Number(x.value), ts: new Date(x.time).getTime(), quality: qualityName(x.quality) })));
  }

  /** Re-reads readings received after the checkpoint and evaluates them (in receipt order). */
  private async catchUp(checkpoint: Date | null): Promise<void> {
    if (!checkpoint) return;
    const limit = this.deps.catchUpBatch ?? 20_000;
    let from = checkpoint;
    for (;;) {
      const r = await this.deps.db.query<{ station: string; metric: string; value: number; time: Date | string; quality: number; received_at: Date | string }>(
        `SELECT station, metric, value, time, quality, received_at FROM readings
         WHERE received_at > $1 AND time > $1::timestamptz - interval '30 days' ORDER BY received_at LIMIT $2`,
        [from.toISOString(), limit],
      );
      if (r.rows.length === 0) return;
      const batch = r.rows.map((x) => ({ station: x.station, metric: x.metric as Observation['metric'], value: Number(x.value), ts: new Date(x.time).getTime(), quality: qualityName(x.quality), receivedAt: new Date(x.received_at).getTime() }));
      this.enqueue({ kind: 'readings', batch });
      await this.drain();
      if (r.rows.length < limit) return;
      from = new Date(batch[batch.length - 1]!.receivedAt);
    }
  }

  // --- evaluation ---------------------------------------------------------------------------

  private enqueue(item: Evaluator['queue'][number]): void {
    this.queue.push(item);
    if (!this.running) {
      this.running = this.loop().finally(() => {
        this.running = null;
      });
    }
  }

  private async loop(): Promise<void> {
    while (this.queue.length && this.engine && !this.stopped) {
      const items = this.queue.splice(0, this.queue.length);
      const engine = this.engine;
      const now = this.now();
      const events: RuleEvent[] = [];
      let maxReceived = -Infinity;
      let runTasks = false;
      for (const it of items) {
        if (it.kind === 'readings') {
          for (const o of it.batch) {
            events.push(...engine.observe(o, now));
            if (o.receivedAt > maxReceived) maxReceived = o.receivedAt;
          }
          this.stats.readings += it.batch.length;
        } else if (it.kind === 'forecast') events.push(...engine.observeForecasts(it.crossings, now));
        else if (it.kind === 'tick') {
          events.push(...engine.tick(now));
          runTasks = true;
        } else if (it.kind === 'tasks') runTasks = true;
        else await this.loadDefinitions(now);
      }
      await this.commit(engine, events, maxReceived, now, runTasks);
      await this.armDeadline();
    }
  }

  /** One transaction: fencing check, effects, rule state, checkpoint. Retried while the database is down. */
  private async commit(engine: RuleEngine, events: RuleEvent[], maxReceived: number, now: number, runTasks: boolean): Promise<void> {
    const states = engine.drainDirty();
    for (let attempt = 0; ; attempt++) {
      try {
        const ok = await this.deps.db.transaction(async (tx) => {
          if (!(await holdsLease(tx, this.deps.holder))) return false;
          await this.deps.effects.apply(tx, events, { rules: this.rules, plans: this.plans, stations: this.stations, now });
          await saveRuleState(tx, states);
          if (runTasks && this.deps.tasks) await this.deps.tasks.run(tx, this.plans, this.stations, now);
          if (Number.isFinite(maxReceived)) await writeCheckpoint(tx, new Date(maxReceived));
          return true;
        });
        if (!ok) {
          this.deps.log.warn('rule evaluator no longer holds the lease: its evaluation is discarded');
          this.engine = null;
          return;
        }
        this.stats.batches++;
        this.stats.events += events.length;
        if (events.length) this.deps.onCommitted?.(events);
        return;
      } catch (err) {
        this.stats.commitFailures++;
        if (this.stopped || attempt >= 30) {
          // Give up this engine: the next leader re-derives these events from the checkpoint.
          this.deps.log.error({ err: (err as Error).message }, 'rule evaluation could not be committed; leadership dropped');
          this.engine = null;
          await releaseLease(this.deps.db, this.deps.holder).catch(() => undefined);
          return;
        }
        this.deps.log.warn({ err: (err as Error).message, attempt }, 'rule evaluation commit failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2)));
      }
    }
  }

  /** One timer for the earliest staleness deadline, task deadline or recurring duty (exact, no sweep). */
  private async armDeadline(): Promise<void> {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    if (!this.engine || this.stopped) return;
    let next = this.engine.nextDeadline();
    if (this.deps.tasks) {
      const t = await this.deps.tasks.nextDue(this.deps.db, this.plans, this.stations, this.now()).catch(() => null);
      if (t !== null && (next === null || t < next)) next = t;
    }
    if (next === null || this.stopped) return;
    const delay = Math.max(0, Math.min(next - this.now(), 2 ** 31 - 1));
    this.deadlineTimer = setTimeout(() => this.enqueue({ kind: 'tick' }), delay);
    this.deadlineTimer.unref();
  }
}

const QUALITY: Record<number, Observation['quality']> = { 1: 'pass', 2: 'not_evaluated', 3: 'suspect', 4: 'fail' };
export const qualityName = (q: number): Observation['quality'] => QUALITY[q] ?? 'not_evaluated';
