import type { Reading, Station } from '@basin/schemas';
import { LetterSet, safeStringify, type Classified } from '../classify.js';
import type { DeadLetterReason } from '../errors.js';
import { validateReading, type ValidationLimits } from '../validate.js';
import type { Hj212Decoded } from './decode.js';

/**
 * HJ 212 reply rule. A logger discards a frame once it gets the CN=9014 data response, and
 * resends frames it got no response for. So ingest answers only when every reading of the frame
 * is durably handled — stored, or dead-lettered for a reason that resending cannot fix — and
 * only after the commit. Reasons a later resend can fix get no answer (see ingest/README.md).
 */
export const HJ212_REPLY_RULE: Readonly<Partial<Record<DeadLetterReason, 'permanent' | 'resend'>>> = {
  hj212_unknown_mn: 'resend', // the MN may be registered later (hj212_devices, INGEST_HJ212_MN_MAP)
  unknown_station: 'resend', // the station may be provisioned later
  future_timestamp: 'resend', // a logger clock ahead: accepted once the time has come
  hj212_bad_password: 'resend', // never talk to an unauthenticated logger (no reply at all)
  hj212_unsupported: 'resend', // not a data upload we answer
  hj212_bad_frame: 'permanent', // kept in dead letters (no reply: no packet to answer)
  hj212_bad_crc: 'permanent',
  unknown_metric: 'permanent',
  non_finite_value: 'permanent',
  metric_not_at_station: 'permanent',
  out_of_range: 'permanent',
  stale_timestamp: 'permanent',
  db_rejected: 'permanent',
};

/** True when a frame with these dead-letter reasons may be answered (after the commit). */
export function mayReply(reasons: Iterable<DeadLetterReason>): boolean {
  for (const r of reasons) if (HJ212_REPLY_RULE[r] !== 'permanent') return false;
  return true;
}

/** A decoded HJ 212 frame -> readings and dead letters, and whether its reply is due. Pure. */
export function classifyHj212Frame(
  decoded: Hj212Decoded,
  raw: string,
  source: string,
  stations: ReadonlyMap<string, Station>,
  limits: ValidationLimits,
  now: number,
): Classified & { reply: boolean } {
  const letters = new LetterSet(source, raw);
  const reasons: DeadLetterReason[] = [];
  for (const i of decoded.issues) {
    letters.add(i.reason, i.detail);
    reasons.push(i.reason);
  }
  const readings: Reading[] = [];
  for (const r of decoded.readings) {
    const rej = validateReading(r, stations, limits, now);
    if (!rej) {
      readings.push(r);
      continue;
    }
    letters.add(rej.reason, rej.detail, () => safeStringify(r));
    reasons.push(rej.reason);
  }
  return { readings, letters: letters.list(), reply: decoded.reply !== null && mayReply(reasons) };
}
