import http from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@basin/platform';
import type { TestTimescale } from '@basin/platform/testing';
import { appendStream } from '../src/ops/events.js';
import { StreamHub } from '../src/stream/hub.js';
import { bearer, roleKeys, silent, startTimescale, testApp, testDb } from './helpers.js';

interface Frame {
  id: number;
  event: string;
}

/** Reads SSE frames until `stopAfter` frames or the server ends the stream; returns frames and the end reason. */
function read(url: string, headers: Record<string, string>, stopAfter: number): Promise<{ frames: Frame[]; dropped: string | null; status: number }> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    let dropped: string | null = null;
    const req = http.get(url, { headers }, (res) => {
      let buf = '';
      const finish = () => resolve({ frames, dropped, status: res.statusCode ?? 0 });
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const ev = /^event: (.+)$/m.exec(block)?.[1];
          if (ev === 'dropped') dropped = JSON.parse(/^data: (.+)$/m.exec(block)![1]!).reason;
          else if (id) frames.push({ id: Number(id), event: ev ?? 'message' });
          if (frames.length >= stopAfter) {
            req.destroy();
            return finish();
          }
        }
      });
      res.on('end', finish);
      res.on('close', finish);
    });
    req.on('error', (e) => (frames.length ? resolve({ frames, dropped, status: 200 }) : reject(e)));
  });
}

let ts: TestTimescale | undefined;
afterAll(async () => ts?.dispose());

describe.each(['embedded', 'server'] as const)('live stream on %s TimescaleDB', (kind) => {
  let db: Db;
  let app: FastifyInstance;
  let base = '';
  let auth: Record<string, string>;
  beforeAll(async () => {
    if (kind === 'server') ts ??= await startTimescale();
    db = await testDb(kind, ts);
    app = await testApp(db, { STREAM_POLL_MS: '20', STREAM_MAX_BUFFER: '65536', STREAM_RETENTION_S: '3600' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    auth = bearer((await roleKeys(db)).viewer);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('a client reconnecting from its last cursor under load loses and duplicates nothing', async () => {
    const start = Number((await db.query<{ id: number | null }>('SELECT max(id) AS id FROM stream_events')).rows[0]!.id ?? 0);
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        // Several writers' worth of events per transaction, some filtered out by topic.
        await db.transaction((tx) =>
          appendStream(tx, [
            { topic: 'alert', type: 'alert.opened', station: 'hankou', data: { n: written } },
            { topic: 'reading', type: 'reading', station: 'hankou', data: { n: written } },
            { topic: 'task', type: 'task.created', station: null, data: { n: written } },
          ]),
        );
        written++;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const seen: number[] = [];
    let cursor = start;
    for (let round = 0; round < 8; round++) {
      const { frames } = await read(`${base}/api/stream?topics=alert,task`, { ...auth, 'last-event-id': String(cursor) }, 25);
      seen.push(...frames.map((f) => f.id));
      cursor = frames.at(-1)?.id ?? cursor;
    }
    writing = false;
    await writer;
    // Drain whatever is left after the writer stopped.
    const end = Number((await db.query<{ id: number }>('SELECT max(id) AS id FROM stream_events')).rows[0]!.id);
    const wanted = (await db.query<{ id: number }>("SELECT id FROM stream_events WHERE id > $1 AND id <= $2 AND topic IN ('alert', 'task') ORDER BY id", [start, end])).rows.map((r) => Number(r.id));
    const rest = wanted.filter((id) => id > cursor).length;
    if (rest) seen.push(...(await read(`${base}/api/stream?topics=alert,task&cursor=${cursor}`, auth, rest)).frames.map((f) => f.id));
    expect(written).toBeGreaterThan(10);
    expect(seen).toEqual(wanted); // in order, no gaps, no duplicates
  });

  it('drops a client that does not read, with the reason, and refuses a cursor older than the retained events', async () => {
    // A client that never reads: its unsent bytes grow past the bound and it is dropped.
    const big = 'x'.repeat(8000);
    const cursor = Number((await db.query<{ id: number | null }>('SELECT max(id) AS id FROM stream_events')).rows[0]!.id ?? 0);
    await db.transaction((tx) => appendStream(tx, Array.from({ length: 40 }, () => ({ topic: 'state' as const, type: 'state.changed', data: { big } }))));
    const stuck = new Writable({ highWaterMark: 1024, write: () => undefined }); // never completes a write
    const hub = new StreamHub(db, silent, { pollMs: 1000, retentionS: 3600, maxBuffer: 65536 });
    const reason = await new Promise<string>((resolve) => void hub.attach(stuck, { topics: null, stations: null }, cursor, resolve));
    expect(reason).toBe('slow_consumer');
    expect(stuck.writableLength).toBeLessThan(65536 + 20_000); // bounded: one event past the limit at most
    expect(hub.size).toBe(0);
    await db.query('UPDATE stream_pruned SET through = $1', [cursor + 10]);
    const r = await app.inject({ url: `/api/stream?cursor=${cursor}`, headers: auth });
    expect(r.statusCode).toBe(410);
    expect(r.json()).toMatchObject({ code: 'CURSOR_EXPIRED' });
  });
});
