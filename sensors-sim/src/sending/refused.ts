/**
 * A publish the broker refused (MQTT 5 PUBACK reason code >= 0x80, e.g. 0x87 not authorized,
 * 0x97 quota exceeded, 0x99 payload format invalid): sending it again cannot change the answer,
 * so it leaves the outbox as a local dead letter with its reason instead of being resent forever.
 * Pure.
 */
const REASONS: Record<number, string> = {
  0x80: 'unspecified error',
  0x83: 'implementation specific error',
  0x87: 'not authorized',
  0x90: 'topic name invalid',
  0x91: 'packet identifier in use',
  0x97: 'quota exceeded',
  0x99: 'payload format invalid',
};

export interface Refusal {
  code: number;
  reason: string;
}

/** The refusal carried by a publish callback's error (mqtt.js sets `code` to the PUBACK reason), or null. */
export function publishRefusal(err: unknown): Refusal | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 0x80 || code > 0xff) return null;
  return { code, reason: REASONS[code] ?? `reason code 0x${code.toString(16)}` };
}

/** One line of the local dead-letter file (outbox dir, dead-letters.jsonl). */
export function deadLetterLine(r: Refusal, topic: string, meta: string, payload: Buffer | string, now: number): string {
  return `${JSON.stringify({ ts: new Date(now).toISOString(), topic, code: r.code, reason: r.reason, readings: meta, payload: Buffer.from(payload).toString('utf8') })}\n`;
}
