import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new Standard Webhooks secret: whsec_ + base64 of 32 random bytes. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export const SECRET_RE = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

/**
 * Standard Webhooks headers for one attempt. Every valid secret signs (space-separated `v1,<sig>`
 * entries): during a rotation receivers holding either the old or the new secret verify.
 */
export function signedHeaders(secrets: readonly string[], messageId: string, at: Date, body: string): Record<string, string> {
  const ts = Math.floor(at.getTime() / 1000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(ts),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(messageId, new Date(ts * 1000), body)).join(' '),
  };
}
