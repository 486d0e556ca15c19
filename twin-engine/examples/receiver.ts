/**
 * A webhook receiver (the README's example): verifies Standard Webhooks signatures with the
 * `standardwebhooks` package, rejects stale timestamps (± 5 min, done by the package) and
 * processes each `webhook-id` once (retries and redeliveries reuse it).
 *
 *   WEBHOOK_SECRET=whsec_... PORT=9000 node --import tsx twin-engine/examples/receiver.ts
 */
import http from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export type Verified = { ok: true; id: string; event: { type: string; timestamp: string; data: unknown } } | { ok: false; reason: string };

/** Verify one delivery: the raw body exactly as received, and its headers. */
export function verifyDelivery(secret: string, rawBody: string, headers: http.IncomingHttpHeaders): Verified {
  const h = {
    'webhook-id': String(headers['webhook-id'] ?? ''),
    'webhook-timestamp': String(headers['webhook-timestamp'] ?? ''),
    'webhook-signature': String(headers['webhook-signature'] ?? ''),
  };
  try {
    const event = new Webhook(secret).verify(rawBody, h) as { type: string; timestamp: string; data: unknown };
    return { ok: true, id: h['webhook-id'], event };
  } catch (e) {
    if (e instanceof WebhookVerificationError) return { ok: false, reason: e.message };
    throw e;
  }
}

/** An HTTP receiver: 204 when verified (also for a duplicate id), 400 when not. */
export function createReceiver(secret: string, onEvent: (id: string, event: { type: string; data: unknown }) => void): http.Server {
  const seen = new Set<string>();
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const v = verifyDelivery(secret, Buffer.concat(chunks).toString('utf8'), req.headers);
      if (!v.ok) {
        res.writeHead(400).end(v.reason);
        return;
      }
      if (!seen.has(v.id)) {
        seen.add(v.id);
        onEvent(v.id, v.event);
      }
      res.writeHead(204).end();
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) throw new Error('set WEBHOOK_SECRET to the whsec_ secret shown when the subscription was created');
  const port = Number(process.env.PORT ?? 9000);
  createReceiver(secret, (id, e) => process.stdout.write(`${id} ${e.type} ${JSON.stringify(e.data)}\n`)).listen(port, () => process.stdout.write(`receiving on :${port}\n`));
}
