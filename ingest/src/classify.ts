import { createHash } from 'node:crypto';
import {
  DeviceStatus,
  MAX_PAYLOAD_BYTES,
  decodeReadingPayload,
  parseTopic,
  type Reading,
  type Station,
} from '@basin/schemas';
import type { DeadLetterReason } from './errors.js';
import { RegistryDoc, decideRegistry, type ProvisionedStation } from './registry.js';
import { safePayloadText } from './sanitize.js';
import { DEAD_LETTER_PAYLOAD_CAP, type DeadLetter, type RegistryAudit, type RegistryChange } from './store.js';
import { validateReading, type ValidationLimits } from './validate.js';

/**
 * The classify step: one MQTT message -> what to store (readings, status, registry changes) and
 * what to dead-letter, with reasons. Pure (the clock and the registry state are passed in);
 * never throws on any input.
 */

export interface ClassifyContext {
  now: number;
  stations: ReadonlyMap<string, Station>;
  limits: ValidationLimits;
  /** Newest accepted registry version of a provisioned station. */
  provisioned(id: string): ProvisionedStation | undefined;
}

export interface Classified {
  readings: Reading[];
  letters: DeadLetter[];
  statuses?: { client: string; status: DeviceStatus }[];
  registry?: RegistryChange[];
  audits?: RegistryAudit[];
  /** Seqs of readings dead-lettered here (durably handled once the letters are committed). */
  handled?: { station: string; seq: number }[];
}

/** JSON nesting accepted before parsing (wire documents need 3 levels; deeper is hostile). */
export const MAX_JSON_DEPTH = 32;

/**
 * Dead letters of one message, one per reason with a count (a 5,000-record batch of bad records
 * is one row, not 5,000). Retained messages carry a digest: recorded once however often redelivered.
 */
export class LetterSet {
  private readonly by = new Map<DeadLetterReason, DeadLetter>();
  private readonly digest: string | undefined;
  constructor(
    private readonly topic: string,
    private readonly payload: Uint8Array | string | null,
    retained = false,
  ) {
    this.digest = retained && payload !== null ? createHash('sha256').update(topic).update('\u0000').update(payload).digest('hex') : undefined;
  }

  add(reason: DeadLetterReason, detail: string, raw?: () => string): void {
    const cur = this.by.get(reason);
    if (cur) {
      cur.count++;
      return;
    }
    const p = this.payload;
    this.by.set(reason, {
      topic: this.topic,
      reason,
      detail,
      payload: raw ? safePayloadText(raw(), DEAD_LETTER_PAYLOAD_CAP) : p === null ? null : safePayloadText(p, DEAD_LETTER_PAYLOAD_CAP),
      payloadBytes: p === null ? 0 : typeof p === 'string' ? Buffer.byteLength(p) : p.byteLength,
      count: 1,
      ...(this.digest ? { digest: `${this.digest}:${reason}` } : {}),
    });
  }

  get size(): number {
    return this.by.size;
  }

  list(): DeadLetter[] {
    const out: DeadLetter[] = [];
    for (const l of this.by.values()) out.push(l.count > 1 ? { ...l, detail: `${l.detail} (and ${l.count - 1} more records of this message)` } : l);
    return out;
  }
}

export function classifyMqtt(topic: string, payload: Buffer, retained: boolean, ctx: ClassifyContext): Classified {
  const parsed = parseTopic(topic);
  // Status and registry documents are retained by design: a refused one is recorded once, whether
  // it arrives live or again on every resubscription.
  const letters = new LetterSet(topic, payload, retained || parsed?.kind === 'status' || parsed?.kind === 'registry');
  const reject = (reason: DeadLetterReason, detail: string): Classified => {
    letters.add(reason, detail);
    return { readings: [], letters: letters.list() };
  };
  if (!parsed) return reject('wrong_topic', 'topic outside the basin/v1 layout');
  const bytes = payload.byteLength;
  if (bytes > MAX_PAYLOAD_BYTES) return reject('oversized', `payload of ${bytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  if (bytes === 0 && (parsed.kind === 'status' || parsed.kind === 'registry')) return { readings: [], letters: [] }; // retained message cleared
  const depth = jsonDepth(payload);
  if (depth > MAX_JSON_DEPTH) return reject('invalid_payload', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);

  switch (parsed.kind) {
    case 'committed':
      return { readings: [], letters: [] }; // our own confirmations (not subscribed; ignored)
    case 'status': {
      const st = parseJson(payload, DeviceStatus);
      if (!st.ok) return reject(st.reason, `invalid device status: ${st.detail}`);
      const tsProblem = timeProblem(st.value.ts, ctx);
      if (tsProblem) return reject(tsProblem.reason, `device status ${tsProblem.detail}`);
      return { readings: [], letters: [], statuses: [{ client: parsed.client, status: st.value }] };
    }
    case 'registry':
      return classifyRegistry(topic, parsed.station, payload, letters, ctx);
    default: {
      const decoded = decodeReadingPayload(payload, parsed.kind === 'station_readings' ? parsed.station : null);
      // Seqs of refused readings are handled too (confirmed once the dead letter is committed):
      // a device keeps a reading until it is confirmed, so an unconfirmed refusal is resent forever.
      const handled: { station: string; seq: number }[] = [];
      for (const i of decoded.issues) {
        letters.add(i.reason, i.index === undefined ? i.message : `record ${i.index}: ${i.message}`, i.raw === undefined ? undefined : () => safeStringify(i.raw));
        if (i.handled) handled.push(i.handled);
      }
      const readings: Reading[] = [];
      for (const r of decoded.readings) {
        const rej = validateReading(r, ctx.stations, ctx.limits, ctx.now);
        if (!rej) {
          readings.push(r);
          continue;
        }
        letters.add(rej.reason, rej.detail, () => safeStringify(r));
        if (r.seq !== null) handled.push({ station: r.station, seq: r.seq });
      }
      return { readings, letters: letters.size ? letters.list() : [], ...(handled.length ? { handled } : {}) };
    }
  }
}

function classifyRegistry(topic: string, station: string, payload: Buffer, letters: LetterSet, ctx: ClassifyContext): Classified {
  const doc = parseJson(payload, RegistryDoc);
  if (!doc.ok) {
    letters.add(doc.reason, `invalid station document: ${doc.detail}`);
    return { readings: [], letters: letters.list() };
  }
  const d = decideRegistry(doc.value, station, ctx.provisioned(station));
  switch (d.action) {
    case 'unchanged':
      return { readings: [], letters: [] };
    case 'rejected': {
      letters.add(d.reason, d.detail);
      const out = letters.list();
      return { readings: [], letters: out, audits: [{ station, action: 'rejected', version: d.version, source: topic, detail: `${d.reason}: ${d.detail}`, ...(out[0]?.digest ? { digest: out[0].digest } : {}) }] };
    }
    default:
      return {
        readings: [],
        letters: [],
        registry: [{ station: d.station, version: d.version, action: d.action, source: topic }],
        audits: [{ station, action: d.action, version: d.version, source: topic, detail: d.action === 'created' ? 'provisioned from the registry topic' : 'changed document with a higher version' }],
      };
  }
}

/** Status and readings share the accepted time window. */
function timeProblem(ts: number, ctx: ClassifyContext): { reason: DeadLetterReason; detail: string } | null {
  if (ts > ctx.now + ctx.limits.maxFutureMs) return { reason: 'future_timestamp', detail: `timestamp ${ts} is ${Math.round((ts - ctx.now) / 1000)} s in the future` };
  if (ts < ctx.now - ctx.limits.maxPastMs) return { reason: 'stale_timestamp', detail: `timestamp ${ts} is older than the accepted window` };
  return null;
}

/**
 * Deepest nesting of [ and { in a JSON text (strings skipped), stopping early past the limit;
 * JSON.parse and the validators recurse, so hostile depth is refused before parsing.
 */
export function jsonDepth(b: Uint8Array): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > MAX_JSON_DEPTH) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: DeadLetterReason; detail: string };
const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson<T>(payload: Buffer, schema: { safeParse(x: unknown): { success: true; data: T } | { success: false; error: { message: string } } }): Parsed<T> {
  let doc: unknown;
  try {
    doc = JSON.parse(utf8.decode(payload));
  } catch (e) {
    return { ok: false, reason: 'undecodable', detail: `not UTF-8 JSON: ${(e as Error).message.slice(0, 200)}` };
  }
  const r = schema.safeParse(doc);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: 'invalid_payload', detail: r.error.message.slice(0, 500) };
}

export function safeStringify(x: unknown): string {
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
