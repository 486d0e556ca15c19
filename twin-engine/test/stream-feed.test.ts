import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSettings, Db } from '@basin/platform';
import type { TestTimescale } from '@basin/platform/testing';
import { systemClock } from '../src/state/clock.js';
import { TwinState } from '../src/state/twin.js';
import { TwinStreamFeed } from '../src/stream/twin-feed.js';
import { silent, startTimescale, testDb } from './helpers.js';

const S = 60_000;
const T0 = Math.floor((Date.now() - 3_600_000) / S) * S;

async function commit(db: Db, rows: { station: string; metric: string; value: number; ts: number }[]): Promise<void> {
  await db.transaction(async (tx) => {
    const args = [rows.map((r) => new Date(r.ts).toISOString()), rows.map((r) => r.station), rows.map((r) => r.metric), rows.map((r) => r.value)];
    await tx.query(`INSERT INTO readings (time, station, metric, value, quality) SELECT t, s, m, v, 1 FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[]) AS u(t, s, m, v) ON CONFLICT DO NOTHING`, args);
  });
}

async function until(cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Two twin-engine processes (two TwinStates on their own LISTEN connections, two feeds) write the
 * live stream's reading and station events: each appears once, sampled per station and metric.
 */
describe.each(['embedded', 'server'] as const)('live-stream feed from the twin state on %s TimescaleDB', (kind) => {
  let ts: TestTimescale | undefined;
  let db: Db;
  const procs: { twin: TwinState; feed: TwinStreamFeed }[] = [];

  beforeAll(async () => {
    if (kind === 'server') ts = await startTimescale();
    db = await testDb(kind, ts);
    const name = (await db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
    const settings: DatabaseSettings = kind === 'server' ? { mode: 'server', connectionString: ts!.url.replace(/\/[^/]*$/, `/${name}`), poolMax: 2 } : { mode: 'embedded', dataDir: null };
    for (let i = 0; i < 2; i++) {
      const twin = new TwinState(db, settings, systemClock, { staleMs: 24 * 3_600_000, historyMs: 3 * 3_600_000 }, silent);
      await twin.start();
      const feed = new TwinStreamFeed(db, twin, silent, { sampleMs: S, flushMs: 20 });
      feed.start();
      procs.push({ twin, feed });
    }
  }, 180_000);
  afterAll(async () => {
    for (const p of procs) {
      await p.feed.stop();
      await p.twin.stop();
    }
    await db?.close();
    await ts?.dispose();
  });

  it('writes one reading event per station, metric and sample period, whichever process hears it', async () => {
    // hankou: 3 readings in bucket 0, 2 in bucket 1; shashi: 1 in bucket 0
    await commit(db, [
      { station: 'hankou', metric: 'water_level', value: 25.0, ts: T0 },
      { station: 'hankou', metric: 'water_level', value: 25.1, ts: T0 + 10_000 },
      { station: 'shashi', metric: 'water_level', value: 40.2, ts: T0 + 5_000 },
    ]);
    await commit(db, [
      { station: 'hankou', metric: 'water_level', value: 25.2, ts: T0 + 20_000 },
      { station: 'hankou', metric: 'water_level', value: 25.3, ts: T0 + S },
      { station: 'hankou', metric: 'water_level', value: 25.4, ts: T0 + S + 1 },
    ]);
    await until(() => procs.every((p) => p.twin.live.stations.get('hankou')?.metrics.get('water_level')?.value === 25.4));
    await Promise.all(procs.map((p) => p.feed.flush()));
    const r = await db.query<{ station: string; data: { value: number; time: string } }>(`SELECT station, data FROM stream_events WHERE topic = 'reading' ORDER BY id`);
    expect(r.rows.map((x) => [x.station, x.data.value, x.data.time])).toEqual([
      ['hankou', 25.0, new Date(T0).toISOString()],
      ['shashi', 40.2, new Date(T0 + 5_000).toISOString()],
      ['hankou', 25.3, new Date(T0 + S).toISOString()],
    ]);
    const written = procs.reduce((n, p) => n + p.feed.stats.appended, 0);
    const deduplicated = procs.reduce((n, p) => n + p.feed.stats.deduplicated, 0);
    // every event (3 readings, 2 stations coming online) written by one process, refused by the other
    const total = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stream_events');
    expect(written).toBe(total.rows[0]!.n);
    expect(deduplicated).toBe(written);
  });

  it('writes a station going offline (device last will) once', async () => {
    await db.query(`INSERT INTO device_status (client, state, kind, since, detail) VALUES ('shashi', 'offline', 'station', now(), '{}')`);
    await until(() => procs.every((p) => p.twin.live.stations.get('shashi')!.online === false));
    await Promise.all(procs.map((p) => p.feed.flush()));
    const r = await db.query<{ type: string; station: string; data: { online: boolean } }>(`SELECT type, station, data FROM stream_events WHERE topic = 'station' ORDER BY id`);
    expect(r.rows.filter((x) => x.type === 'station.offline').map((x) => x.station)).toEqual(['shashi']);
  });

  it('keeps events while the database refuses them and appends them once it accepts again', async () => {
    const { feed } = procs[0]!;
    // a broken transaction stands in for an unreachable database
    const realTx = db.transaction.bind(db);
    let refuse = true;
    (db as { transaction: Db['transaction'] }).transaction = (fn) => (refuse ? Promise.reject(new Error('connection refused')) : realTx(fn));
    try {
      await db.query(`INSERT INTO readings (time, station, metric, value, quality) VALUES ($1, 'hankou', 'water_level', 26, 1)`, [new Date(T0 + 5 * S).toISOString()]);
      await until(() => procs[0]!.twin.live.stations.get('hankou')!.metrics.get('water_level')!.value === 26);
      await feed.flush();
      expect(feed.stats.failedFlushes).toBeGreaterThan(0);
      refuse = false;
      await feed.flush();
    } finally {
      (db as { transaction: Db['transaction'] }).transaction = realTx;
    }
    await Promise.all(procs.map((p) => p.feed.flush()));
    const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stream_events WHERE topic = 'reading' AND (data->>'value')::float8 = 26`);
    expect(n.rows[0]!.n).toBe(1);
  });
});
