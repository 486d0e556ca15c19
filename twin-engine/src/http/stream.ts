import { z } from 'zod';
import { STREAM_TOPICS } from '../ops/events.js';
import type { StreamHub } from '../stream/hub.js';
import { issueTicket } from '../auth/tickets.js';
import { TwinErrors } from '../errors.js';
import { errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const Query = z.object({
  topics: z
    .preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(z.enum(STREAM_TOPICS)).min(1))
    .optional()
    .describe(`comma-separated: ${STREAM_TOPICS.join(', ')}; default all`),
  stations: z.preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(z.string().max(64)).min(1).max(1000)).optional(),
  cursor: z.coerce.number().int().min(0).optional().describe('resume after this event id (or send Last-Event-ID); default: from now'),
  ticket: z.string().max(200).optional().describe('a stream ticket from POST /api/stream/tickets, for clients that cannot send headers (EventSource)'),
});

const Ticket = z.object({ ticket: z.string(), expiresAt: z.string().describe('the ticket must be used (the stream opened) before this time') });

/**
 * GET /api/stream: server-sent events. Each event's `id` is its cursor; reconnect with
 * `Last-Event-ID` (EventSource does) or `?cursor=` to resume without gaps or duplicates while the
 * events are retained (STREAM_RETENTION_S). A client that falls too far behind gets a final
 * `dropped` event with the reason and is disconnected.
 */
export const streamPlugin: ApiPlugin<{ hub: StreamHub }> = async (app, { hub, db, config }) => {
  app.post('/stream/tickets', { config: { access: 'viewer' }, schema: { tags: ['stream'], summary: 'A short-lived ticket to open the stream without headers (EventSource)', response: { 201: Ticket, ...errorResponses } } }, async (req, reply) => {
    const p = req.principal;
    if (p.via !== 'key') throw TwinErrors.BAD_REQUEST('stream tickets are issued for API keys; a bearer JWT can be sent as the Authorization header by a fetch-based stream client');
    reply.code(201);
    return issueTicket(db, p.actor.slice('key:'.length), Date.now(), config.stream.ticketTtlS * 1000);
  });
  app.get('/stream', { config: { access: 'viewer', rateLimit: false, ticket: true }, schema: { tags: ['stream'], summary: 'Live events (SSE) with resumable cursors', querystring: Query, response: { ...errorResponses, 410: errorResponses[404] } } }, async (req, reply) => {
    const last = req.headers['last-event-id'];
    const cursor = req.query.cursor ?? (typeof last === 'string' && /^\d+$/.test(last) ? Number(last) : null);
    if (cursor !== null) await hub.checkCursor(cursor);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\n: cursor ${cursor ?? 'now'}\n\n`);
    const filter = { topics: req.query.topics ? new Set<string>(req.query.topics) : null, stations: req.query.stations ? new Set(req.query.stations) : null };
    await hub.attach(res, filter, cursor, (reason) => {
      if (reason !== 'client_closed' && !res.destroyed) {
        res.end(`event: dropped\ndata: ${JSON.stringify({ reason })}\n\n`);
        if (reason === 'slow_consumer') res.destroy();
      }
    });
  });
};
