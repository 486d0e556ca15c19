import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openEmbeddedDb, type Db, type EmbeddedDb } from '@basin/platform';
import type { Reading } from '@basin/schemas';
import { Pipeline, type Envelope } from '../src/pipeline.js';
import { QcEngine } from '../src/qc.js';
import { count, silentLog, waitFor } from './helpers.js';

/**
 * Failure isolation in the commit stage: a data error (by SQLSTATE class) is bisected down to the
 * offending message, which is dead-lettered while the rest is committed and acknowledged; an
 * availability error is retried (and reported) without acknowledging anything.
 */
describe('pipeline failure isolation (embedded TimescaleDB)', () => {
  let db: EmbeddedDb;
  beforeAll(async () => {
    db = await openEmbeddedDb(null);
    await migrate(db);
    // A value the database refuses (SQLSTATE 23514, check violation) stands for any data error.
    await db.exec('ALTER TABLE readings ADD CONSTRAINT test_no_1313 CHECK (value <> 13.13)');
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.exec('DELETE FROM readings; DELETE FROM dead_letters;');
  });

  const t0 = Date.now() - 3_600_000;
  const env = (i: number, value: number, acks: Set<number>): Envelope => ({
    source: `basin/v1/readings/hydro/hankou#${i}`,
    readings: [{ station: 'hankou', metric: 'water_level', value, ts: t0 + i * 1000, quality: 'not_evaluated', seq: i } satisfies Reading],
    letters: [],
    payload: Buffer.from(`{"i":${i}}`),
    payloadBytes: 8,
    ack: () => acks.add(i),
    receivedAt: Date.now(),
  });
  const pipeline = (d: Db, batchSize = 1000) =>
    new Pipeline({ db: d, qc: new QcEngine(24, {}), log: silentLog, worker: 'w', batchSize, batchMs: 20, maxPendingReadings: 10_000, maxPendingMessages: 10_000, retryMaxMs: 200, latestMs: 0, commitConcurrency: 2 });
  /** The test database with its transactions run by `transaction`. */
  const withTransaction = (transaction: Db['transaction']): Db => ({
    ...db,
    kind: 'embedded',
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    close: async () => undefined,
    transaction,
  });

  it('bisects a batch to the messages the database refuses and commits the rest', async () => {
    const p = pipeline(db);
    const acks = new Set<number>();
    const bad = new Set([7, 40, 41]);
    for (let i = 0; i < 64; i++) p.submit(env(i, bad.has(i) ? 13.13 : 20 + i / 100, acks));
    await waitFor(async () => acks.size === 64, 20_000);
    await p.stop();
    expect(await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'hankou'`)).toBe(61);
    const dl = await db.query<{ topic: string; reason: string; detail: string; payload: string }>(`SELECT topic, reason, detail, payload FROM dead_letters ORDER BY id`);
    expect(dl.rows.map((r) => r.topic).sort()).toEqual(['#40', '#41', '#7'].map((s) => `basin/v1/readings/hydro/hankou${s}`).sort());
    for (const r of dl.rows) {
      expect(r.reason).toBe('db_rejected');
      expect(r.detail).toMatch(/^SQLSTATE 23514: /);
    }
    expect(p.failure).toBeNull();
  });

  it('retries availability errors without acknowledging, and reports the failure', async () => {
    let fail = 3;
    const flaky = withTransaction(async (fn) => {
      if (fail > 0) {
        fail--;
        throw Object.assign(new Error('the database system is shutting down'), { code: '57P03' });
      }
      return db.transaction(fn);
    });
    const p = pipeline(flaky);
    const retries: number[] = [];
    let sawFailure = false;
    p.on('retry', (_e, n) => {
      retries.push(n);
      if (p.failure?.code === '57P03') sawFailure = true;
    });
    const acks = new Set<number>();
    for (let i = 0; i < 5; i++) p.submit(env(100 + i, 20, acks));
    await waitFor(async () => acks.size === 5, 20_000);
    await p.stop();
    expect(retries).toEqual([1, 2, 3]);
    expect(sawFailure).toBe(true);
    expect(p.failure).toBeNull();
    expect(await count(db, 'SELECT count(*) AS n FROM dead_letters')).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'hankou'`)).toBe(5);
  });

  it('commits two batches at once and acknowledges them in arrival order', async () => {
    // the first batch's transaction is held back, so the second commits first
    let first = true;
    const committed: number[] = [];
    const acksAtCommit: number[][] = [];
    const acks: number[] = [];
    const slowFirst = withTransaction(async (fn) => {
      const hold = first;
      first = false;
      if (hold) await new Promise((r) => setTimeout(r, 400));
      const out = await db.transaction(fn);
      committed.push(hold ? 0 : 1);
      acksAtCommit.push([...acks]);
      return out;
    });
    const p = pipeline(slowFirst, 1);
    const order: number[] = [];
    const seen = new Set<number>();
    for (const i of [200, 201]) p.submit({ ...env(i, 20, seen), ack: () => acks.push(i) });
    p.on('committed', (b) => order.push(b.readings[0]!.seq!));
    await waitFor(async () => acks.length === 2, 20_000);
    await p.stop();
    expect(committed).toEqual([1, 0]); // the second batch committed first ...
    expect(acksAtCommit[0]).toEqual([]); // ... and was not acknowledged before the first
    expect(acks).toEqual([200, 201]); // PUBACKs in arrival order
    expect(order).toEqual([200, 201]);
    expect(await count(db, `SELECT count(*) AS n FROM readings WHERE station = 'hankou'`)).toBe(2);
  });
});
