import type { Db, Logger } from '@basin/platform';
import type { PolicyConfig } from './config.js';
import { IngestErrors } from './errors.js';

/**
 * TimescaleDB policies for the readings hypertable and its continuous aggregates, applied at
 * service start from the configuration (idempotently: unchanged policies are left alone, changed
 * ones are replaced, disabled ones removed). On embedded TimescaleDB (PGlite) there are no
 * background workers, so the service runs the jobs itself (see {@link JobRunner}).
 */

export const AGGREGATES = [
  // refresh window: [now - start, now - end], every `every`
  { view: 'readings_15m', resolution: '15m', start: '3 days', end: '15 minutes', every: '5 minutes' },
  { view: 'readings_1h', resolution: '1h', start: '7 days', end: '1 hour', every: '30 minutes' },
  { view: 'readings_1d', resolution: '1d', start: '35 days', end: '1 day', every: '6 hours' },
] as const;

const UNIT_S: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800, month: 2_592_000, year: 31_536_000 };

/** Seconds of a simple interval ("7 days"); months count 30 days, years 365. */
export function intervalSeconds(s: string): number {
  const m = /^(\d+)\s*(second|minute|hour|day|week|month|year)s?$/.exec(s.trim().toLowerCase());
  if (!m) throw IngestErrors.CONFIG(`not a simple interval: ${s}`);
  return Number(m[1]) * UNIT_S[m[2]!]!;
}

/** Reject retention settings that would let a refresh re-materialise, or wipe, aggregated data. */
export function checkPolicies(p: PolicyConfig): void {
  const problems: string[] = [];
  const widest = Math.max(...AGGREGATES.map((a) => intervalSeconds(a.start)));
  if (p.retain.raw && intervalSeconds(p.retain.raw) <= widest) {
    problems.push(`INGEST_RETAIN_RAW (${p.retain.raw}) must exceed the widest aggregate refresh window (${AGGREGATES[2].start})`);
  }
  for (const a of AGGREGATES) {
    const keep = p.retain[a.resolution];
    if (keep && intervalSeconds(keep) <= intervalSeconds(a.start)) {
      problems.push(`INGEST_RETAIN_${a.resolution.toUpperCase()} (${keep}) must exceed its refresh window (${a.start})`);
    }
  }
  if (problems.length) throw IngestErrors.CONFIG(problems.join('; '));
}

interface DesiredJob {
  proc: 'policy_refresh_continuous_aggregate' | 'policy_compression' | 'policy_retention';
  relation: string;
  /** config keys compared as intervals */
  config: Record<string, string> | null;
  add: string;
  remove: string;
}

function desiredJobs(p: PolicyConfig): DesiredJob[] {
  const jobs: DesiredJob[] = [];
  for (const a of AGGREGATES) {
    jobs.push({
      proc: 'policy_refresh_continuous_aggregate',
      relation: a.view,
      config: { start_offset: a.start, end_offset: a.end },
      add: `SELECT add_continuous_aggregate_policy('${a.view}', start_offset => INTERVAL '${a.start}', end_offset => INTERVAL '${a.end}', schedule_interval => INTERVAL '${a.every}')`,
      remove: `SELECT remove_continuous_aggregate_policy('${a.view}', if_exists => true)`,
    });
  }
  jobs.push({
    proc: 'policy_compression',
    relation: 'readings',
    config: p.compressAfter ? { compress_after: p.compressAfter } : null,
    add: `SELECT add_compression_policy('readings', compress_after => INTERVAL '${p.compressAfter}')`,
    remove: `SELECT remove_compression_policy('readings', if_exists => true)`,
  });
  const retention: [string, string | null][] = [
    ['readings', p.retain.raw],
    ['readings_15m', p.retain['15m']],
    ['readings_1h', p.retain['1h']],
    ['readings_1d', p.retain['1d']],
  ];
  for (const [rel, keep] of retention) {
    jobs.push({
      proc: 'policy_retention',
      relation: rel,
      config: keep ? { drop_after: keep } : null,
      add: `SELECT add_retention_policy('${rel}', drop_after => INTERVAL '${keep}')`,
      remove: `SELECT remove_retention_policy('${rel}', if_exists => true)`,
    });
  }
  return jobs;
}

export interface PolicyJob {
  job_id: number;
  proc_name: DesiredJob['proc'];
  relation: string;
  schedule_s: number;
}

/** Our policy jobs, in the order they should run (refresh, compress, retain). */
export async function listPolicyJobs(db: Pick<Db, 'query'>): Promise<PolicyJob[]> {
  const r = await db.query<PolicyJob>(
    `SELECT j.job_id, j.proc_name, COALESCE(ca.view_name, j.hypertable_name) AS relation,
            extract(epoch FROM j.schedule_interval)::float8 AS schedule_s
       FROM timescaledb_information.jobs j
       LEFT JOIN timescaledb_information.continuous_aggregates ca
         ON ca.materialization_hypertable_schema = j.hypertable_schema AND ca.materialization_hypertable_name = j.hypertable_name
      WHERE j.proc_name IN ('policy_refresh_continuous_aggregate', 'policy_compression', 'policy_retention')
      ORDER BY CASE j.proc_name WHEN 'policy_refresh_continuous_aggregate' THEN 0 WHEN 'policy_compression' THEN 1 ELSE 2 END, j.job_id`,
  );
  return r.rows;
}

/** Apply the configured policies; returns what changed. Serialised across workers by an advisory lock. */
export async function applyPolicies(db: Db, p: PolicyConfig, log?: Logger): Promise<string[]> {
  checkPolicies(p);
  const changed: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [7_311_2004]);
    const existing = await listPolicyJobs(tx);
    const configs = await tx.query<{ job_id: number; config: Record<string, unknown> }>(
      `SELECT job_id, config FROM timescaledb_information.jobs WHERE job_id = ANY($1::int[])`,
      [existing.map((j) => j.job_id)],
    );
    const configById = new Map(configs.rows.map((r) => [r.job_id, r.config]));
    for (const d of desiredJobs(p)) {
      const cur = existing.find((j) => j.proc_name === d.proc && j.relation === d.relation);
      if (cur && d.config) {
        const cfg = configById.get(cur.job_id) ?? {};
        let same = true;
        for (const [k, v] of Object.entries(d.config)) {
          const have = cfg[k];
          if (typeof have !== 'string') {
            same = false;
            break;
          }
          const eq = await tx.query<{ eq: boolean }>('SELECT $1::interval = $2::interval AS eq', [have, v]);
          if (!eq.rows[0]?.eq) same = false;
        }
        if (same) continue;
      }
      if (!cur && !d.config) continue;
      if (cur) await tx.exec(d.remove);
      if (d.config) await tx.exec(d.add);
      changed.push(`${d.proc}(${d.relation}) ${d.config ? JSON.stringify(d.config) : 'removed'}`);
    }
  });
  if (changed.length) log?.info({ changed }, 'timescaledb policies applied');
  return changed;
}

/** Run each policy job once now (CALL run_job), in order; returns the jobs run. */
export async function runPolicyJobs(db: Db, log?: Logger, filter?: (j: PolicyJob) => boolean): Promise<PolicyJob[]> {
  const jobs = (await listPolicyJobs(db)).filter((j) => !filter || filter(j));
  for (const j of jobs) {
    const t0 = Date.now();
    await db.exec(`CALL run_job(${Number(j.job_id)})`);
    log?.debug({ job: j.job_id, proc: j.proc_name, relation: j.relation, ms: Date.now() - t0 }, 'policy job run');
  }
  return jobs;
}

/**
 * Runs the policy jobs on their schedule from the service (embedded TimescaleDB has no
 * background workers). One job at a time; a failing job is logged and retried next tick.
 */
export class JobRunner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly lastRun = new Map<number, number>();

  constructor(
    private readonly db: Db,
    private readonly tickMs: number,
    private readonly log: Logger,
    private readonly onRun?: (j: PolicyJob, ms: number, ok: boolean) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  /** Run due jobs now (all jobs when force). */
  tick(force = false): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const now = Date.now();
        for (const j of await listPolicyJobs(this.db)) {
          const last = this.lastRun.get(j.job_id);
          if (!force && last !== undefined && now - last < j.schedule_s * 1000) continue;
          const t0 = Date.now();
          try {
            await this.db.exec(`CALL run_job(${Number(j.job_id)})`);
            this.lastRun.set(j.job_id, Date.now());
            this.onRun?.(j, Date.now() - t0, true);
          } catch (e) {
            this.onRun?.(j, Date.now() - t0, false);
            this.log.warn({ err: (e as Error).message, job: j.job_id, proc: j.proc_name, relation: j.relation }, 'policy job failed');
          }
        }
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'cannot list policy jobs');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
