import { z } from 'zod';
import { CursorError, IsoTime, Limit, decodeCursor, encodeCursor, errorResponses, iso } from './common.js';
import { TwinErrors } from '../errors.js';
import type { ApiPlugin } from './types.js';

const DeadLetter = z.object({ id: z.number().int(), time: z.string(), topic: z.string(), reason: z.string(), detail: z.string(), payload: z.string().nullable(), payloadBytes: z.number().int() });
const Query = z.object({
  reason: z.string().max(64).optional(),
  topic: z.string().max(256).optional().describe('exact MQTT topic (or HJ 212 source)'),
  from: IsoTime.optional(),
  to: IsoTime.optional(),
  limit: Limit(100, 1000),
  cursor: z.string().max(100).optional(),
});

/** Dead letters (records ingest refused, with the reason) for field engineers: newest first. */
export const deadLettersPlugin: ApiPlugin = async (app, { db }) => {
  app.get('/dead-letters', { schema: { tags: ['dead letters'], summary: 'Dead letters, newest first, filtered by reason / topic / time', querystring: Query, response: { 200: z.object({ items: z.array(DeadLetter), nextCursor: z.string().nullable() }), ...errorResponses } } }, async (req) => {
    const q = req.query;
    let before: number | undefined;
    try {
      before = decodeCursor(q.cursor, z.tuple([z.number().int()]))?.[0];
    } catch (e) {
      if (e instanceof CursorError) throw TwinErrors.VALIDATION_FAILED('query.cursor: invalid cursor', [{ field: 'query.cursor', location: 'querystring', message: 'invalid cursor' }]);
      throw e;
    }
    const r = await db.query<{ id: number; time: Date | string; topic: string; reason: string; detail: string; payload: string | null; payload_bytes: number }>(
      `SELECT id, time, topic, reason, detail, payload, payload_bytes FROM dead_letters
       WHERE ($1::text IS NULL OR reason = $1) AND ($2::text IS NULL OR topic = $2) AND ($3::timestamptz IS NULL OR time >= $3)
         AND ($4::timestamptz IS NULL OR time <= $4) AND ($5::bigint IS NULL OR id < $5)
       ORDER BY id DESC LIMIT $6`,
      [q.reason ?? null, q.topic ?? null, q.from ?? null, q.to ?? null, before ?? null, q.limit + 1],
    );
    const items = r.rows.slice(0, q.limit).map((d) => ({ id: Number(d.id), time: iso(d.time)!, topic: d.topic, reason: d.reason, detail: d.detail, payload: d.payload, payloadBytes: d.payload_bytes }));
    return { items, nextCursor: r.rows.length > q.limit ? encodeCursor([items.at(-1)!.id]) : null };
  });

  app.get('/dead-letters/reasons', { schema: { tags: ['dead letters'], summary: 'Dead-lettered records by reason (a row may stand for several records of one message)', querystring: z.object({ from: IsoTime.optional() }), response: { 200: z.array(z.object({ reason: z.string(), count: z.number().int(), last: z.string() })) } } }, async (req) => {
    const r = await db.query<{ reason: string; count: number; last: Date | string }>(
      `SELECT reason, sum(count)::int AS count, max(time) AS last FROM dead_letters WHERE ($1::timestamptz IS NULL OR time >= $1) GROUP BY reason ORDER BY count DESC, reason`,
      [req.query.from ?? null],
    );
    return r.rows.map((x) => ({ reason: x.reason, count: x.count, last: iso(x.last)! }));
  });
};
