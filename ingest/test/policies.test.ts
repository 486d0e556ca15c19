import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Db } from '@basin/platform';
import { BACKENDS, openTestDb, type TestDb } from '@basin/platform/testing';
import { applyPolicies, checkPolicies, JobRunner, listPolicyJobs } from '../src/policies.js';
import type { PolicyConfig } from '../src/config.js';
import { count, silentLog, testConfig } from './helpers.js';

const policies: PolicyConfig = {
  compressAfter: '7 days',
  retain: { raw: '60 days', '15m': '90 days', '1h': '1 year', '1d': null },
  runJobs: 'auto',
  jobsTickMs: 60_000,
};

it('reads policy ages from the configuration and validates them', () => {
  const c = testConfig({ INGEST_COMPRESS_AFTER: '3 days', INGEST_RETAIN_RAW: '90 days', INGEST_RETAIN_1D: 'off' });
  expect(c.policies.compressAfter).toBe('3 days');
  expect(c.policies.retain.raw).toBe('90 days');
  expect(c.policies.retain['1d']).toBeNull();
  expect(() => testConfig({ INGEST_COMPRESS_AFTER: 'soon' })).toThrow(/INGEST_COMPRESS_AFTER/);
  // raw retention shorter than the daily aggregate's refresh window would wipe aggregates
  expect(() => checkPolicies({ ...policies, retain: { ...policies.retain, raw: '10 days' } })).toThrow(/INGEST_RETAIN_RAW/);
});

/**
 * Embedded TimescaleDB has no background workers: ingest runs the jobs itself (JobRunner, CALL
 * run_job). On the TimescaleDB server the policies are registered as server jobs; they are run
 * here the same way (CALL run_job executes the job inside the server), because TimescaleDB
 * 2.28.3's own scheduler fails every job on PostgreSQL 15.20 ("cannot drop portal "" while it is
 * being set up": tsl/src/bgw_policy/job.c drops a portal it never started, which 15.20 refuses).
 * Deployments on such a server set INGEST_RUN_JOBS=true (see the README).
 */
async function matTable(db: Db, view: string): Promise<string> {
  const r = await db.query<{ s: string; t: string }>(
    `SELECT materialization_hypertable_schema AS s, materialization_hypertable_name AS t FROM timescaledb_information.continuous_aggregates WHERE view_name = $1`,
    [view],
  );
  return `"${r.rows[0]!.s}"."${r.rows[0]!.t}"`;
}

/** Unschedule the jobs on the server and wait until none of them is running. */
async function pauseServerJobs(db: Db, ids: number[]): Promise<void> {
  for (const id of ids) await db.query('SELECT alter_job($1, scheduled => false)', [id]);
  for (let i = 0; i < 300; i++) {
    const running = await count(db, `SELECT count(*) AS n FROM timescaledb_information.job_stats WHERE job_id = ANY($1::int[]) AND job_status = 'Running'`, [ids]);
    if (running === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('a policy job kept running on the server for 30 s');
}

describe.each(BACKENDS)('aggregates, compression and retention policies (%s)', (backend) => {
  let tdb: TestDb;
  let db: Db;

  beforeAll(async () => {
    tdb = await openTestDb(backend);
    db = tdb.db;
    await migrate(db);
    // 100 days of 6-hourly readings, plus the last two days every 5 minutes
    await db.exec(`
      INSERT INTO readings (time, station, metric, value, quality)
      SELECT date_trunc('hour', now()) - i * INTERVAL '6 hours', 'hankou', 'water_level', 20 + (i % 10) * 0.1, 1 FROM generate_series(1, 400) i;
      INSERT INTO readings (time, station, metric, value, quality)
      SELECT date_trunc('hour', now()) - i * INTERVAL '5 minutes' + INTERVAL '1 minute', 'hankou', 'water_level', 21 + (i % 7) * 0.1, CASE WHEN i % 50 = 0 THEN 3 ELSE 1 END
        FROM generate_series(1, 576) i;`);
    // Before any policy exists: nothing materialized, chunks older than the raw retention present.
    // Checked here, not after applyPolicies: once registered, a server's own scheduler may run a job
    // at any moment (on some PostgreSQL builds it works), so later checks must not race it.
    for (const v of ['readings_15m', 'readings_1h', 'readings_1d']) expect(await count(db, `SELECT count(*) AS n FROM ${await matTable(db, v)}`)).toBe(0);
    const oldChunks = await count(db, `SELECT count(*) AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'readings' AND range_end < now() - INTERVAL '61 days'`);
    expect(oldChunks).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it('applies policies idempotently and replaces changed ones', async () => {
    const first = await applyPolicies(db, policies, silentLog);
    expect(first.length).toBe(3 + 1 + 3); // 3 refresh, 1 compression, 3 retention (1d off)
    expect(await applyPolicies(db, policies, silentLog)).toEqual([]);
    const changed = await applyPolicies(db, { ...policies, compressAfter: '8 days' }, silentLog);
    expect(changed).toEqual(['policy_compression(readings) {"compress_after":"8 days"}']);
    await applyPolicies(db, policies, silentLog);
    const jobs = await listPolicyJobs(db);
    expect(jobs.map((j) => `${j.proc_name}:${j.relation}`).sort()).toEqual(
      [
        'policy_compression:readings',
        'policy_refresh_continuous_aggregate:readings_15m',
        'policy_refresh_continuous_aggregate:readings_1d',
        'policy_refresh_continuous_aggregate:readings_1h',
        'policy_retention:readings',
        'policy_retention:readings_15m',
        'policy_retention:readings_1h',
      ].sort(),
    );
  });

  it('each job does its work when run by the service scheduler', { timeout: 180_000 }, async () => {
    // (the state before any policy existed was checked in beforeAll: nothing materialized, old chunks present)
    // On a server whose own scheduler works, it may be running one of these jobs right now; the
    // same job run twice at once can fail on a lock. Pause the server's scheduling of them, wait
    // for a running one to end, run them here, then hand them back to the server.
    const ids = (await listPolicyJobs(db)).map((j) => j.job_id);
    if (backend === 'server') await pauseServerJobs(db, ids);
    const runs: string[] = [];
    const runner = new JobRunner(db, 60_000, silentLog, (j, _ms, ok) => runs.push(`${j.proc_name}:${j.relation}:${ok}`));
    await runner.tick(true);
    await runner.stop();
    if (backend === 'server') for (const id of ids) await db.query('SELECT alter_job($1, scheduled => true)', [id]);
    expect(runs.every((r) => r.endsWith(':true')), runs.join(', ')).toBe(true);
    expect(runs).toHaveLength(7);
    // the policies are the database's own jobs, scheduled in it (the server's scheduler owns them)
    expect(await count(db, `SELECT count(*) AS n FROM timescaledb_information.jobs WHERE scheduled AND job_id = ANY($1::int[])`, [(await listPolicyJobs(db)).map((j) => j.job_id)])).toBe(7);

    // refresh: materialized rows appear in each aggregate
    for (const v of ['readings_15m', 'readings_1h', 'readings_1d']) expect(await count(db, `SELECT count(*) AS n FROM ${await matTable(db, v)}`)).toBeGreaterThan(0);
    const agg = await db.query<{ min: number; max: number; avg: number; count: number; last: number; flagged: number }>(
      `SELECT min, max, avg, count, last, flagged FROM readings_1h WHERE station = 'hankou' AND bucket = date_trunc('hour', now()) - INTERVAL '3 hours'`,
    );
    const raw = await db.query<{ min: number; max: number; count: number; flagged: number }>(
      `SELECT min(value) AS min, max(value) AS max, count(*) AS count, count(*) FILTER (WHERE quality >= 3) AS flagged FROM readings
        WHERE time >= date_trunc('hour', now()) - INTERVAL '3 hours' AND time < date_trunc('hour', now()) - INTERVAL '2 hours'`,
    );
    expect(agg.rows[0]).toMatchObject({ min: raw.rows[0]!.min, max: raw.rows[0]!.max, count: raw.rows[0]!.count, flagged: raw.rows[0]!.flagged });
    // compression: chunks older than 7 days are compressed, recent ones are not
    const chunks = await db.query<{ old: boolean; compressed: boolean; n: number }>(
      `SELECT range_end < now() - INTERVAL '7 days' AS old, is_compressed AS compressed, count(*)::int AS n
         FROM timescaledb_information.chunks WHERE hypertable_name = 'readings' GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(chunks.rows.filter((r) => r.old && !r.compressed)).toEqual([]);
    expect(chunks.rows.find((r) => r.old && r.compressed)?.n).toBeGreaterThan(0);
    expect(chunks.rows.filter((r) => !r.old && r.compressed)).toEqual([]);
    // retention: chunks entirely older than 60 days are dropped
    expect(await count(db, `SELECT count(*) AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'readings' AND range_end < now() - INTERVAL '61 days'`)).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM readings WHERE time < now() - INTERVAL '62 days'`)).toBe(0);
    // a late, redelivered reading into a compressed chunk is still absorbed by the unique key
    const old = await db.query<{ t: string }>(`SELECT time::text AS t FROM readings WHERE time < now() - INTERVAL '20 days' LIMIT 1`);
    const ins = await db.query(`INSERT INTO readings (time, station, metric, value) VALUES ($1, 'hankou', 'water_level', 1) ON CONFLICT DO NOTHING`, [old.rows[0]!.t]);
    expect(ins.rowCount).toBe(0);
  });
});
