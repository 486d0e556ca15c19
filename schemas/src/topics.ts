import { z } from 'zod';
import { Medium } from './metrics.js';
import { STATION_ID_RE } from './station.js';

/**
 * MQTT topic layout (version 1). All topics start with the root `basin/v1`.
 *
 *   basin/v1/readings/<medium>/<station>   one station's batch (JSON batch or SenML pack), QoS 1
 *   basin/v1/gateways/<gateway>/readings   a gateway's batch for many stations (each reading names its station)
 *   basin/v1/status/<client>               birth / death (last will) of a device or gateway, retained
 *   basin/v1/registry/<station>            station provisioning (a Station document), retained
 *   basin/v1/committed/<station>           ingest -> device: the sequence numbers of that station that are
 *                                          now durably handled (stored or permanently dead-lettered), QoS 1
 *
 * End-to-end delivery: a device keeps a reading in its outbox until a `committed` message covers its
 * `seq`; after a reconnect (or when no confirmation arrives in time) it sends the unconfirmed readings
 * again, and the idempotent key (station, metric, ts) absorbs the repeats. A broker crash can then lose
 * only messages that are still in the device's outbox.
 */
export const TOPIC_ROOT = 'basin/v1';

const SEGMENT_RE = /^[A-Za-z0-9._-]{1,128}$/;

export type ParsedTopic =
  | { kind: 'station_readings'; medium: Medium; station: string }
  | { kind: 'gateway_readings'; gateway: string }
  | { kind: 'status'; client: string }
  | { kind: 'registry'; station: string }
  | { kind: 'committed'; station: string };

function seg(name: string, s: string, re: RegExp = SEGMENT_RE): string {
  if (!re.test(s)) throw new Error(`invalid ${name} topic segment: ${JSON.stringify(s)}`);
  return s;
}

export const topics = {
  stationReadings: (medium: Medium, station: string) => `${TOPIC_ROOT}/readings/${Medium.parse(medium)}/${seg('station', station, STATION_ID_RE)}`,
  gatewayReadings: (gateway: string) => `${TOPIC_ROOT}/gateways/${seg('gateway', gateway)}/readings`,
  status: (client: string) => `${TOPIC_ROOT}/status/${seg('client', client)}`,
  registry: (station: string) => `${TOPIC_ROOT}/registry/${seg('station', station, STATION_ID_RE)}`,
  committed: (station: string) => `${TOPIC_ROOT}/committed/${seg('station', station, STATION_ID_RE)}`,
  /** Subscription filters. */
  filters: {
    readings: [`${TOPIC_ROOT}/readings/+/+`, `${TOPIC_ROOT}/gateways/+/readings`],
    status: `${TOPIC_ROOT}/status/+`,
    registry: `${TOPIC_ROOT}/registry/+`,
    committed: `${TOPIC_ROOT}/committed/+`,
  },
} as const;

/** Parse a topic of the layout; returns null for topics outside it (wrong topic). */
export function parseTopic(topic: string): ParsedTopic | null {
  if (!topic.startsWith(`${TOPIC_ROOT}/`)) return null;
  const parts = topic.slice(TOPIC_ROOT.length + 1).split('/');
  const [a, b, c] = parts;
  if (parts.length === 3 && a === 'readings' && b !== undefined && c !== undefined) {
    const medium = Medium.safeParse(b);
    if (!medium.success || !STATION_ID_RE.test(c)) return null;
    return { kind: 'station_readings', medium: medium.data, station: c };
  }
  if (parts.length === 3 && a === 'gateways' && b !== undefined && c === 'readings') {
    return SEGMENT_RE.test(b) ? { kind: 'gateway_readings', gateway: b } : null;
  }
  if (parts.length === 2 && a === 'status' && b !== undefined) {
    return SEGMENT_RE.test(b) ? { kind: 'status', client: b } : null;
  }
  if (parts.length === 2 && a === 'registry' && b !== undefined) {
    return STATION_ID_RE.test(b) ? { kind: 'registry', station: b } : null;
  }
  if (parts.length === 2 && a === 'committed' && b !== undefined) {
    return STATION_ID_RE.test(b) ? { kind: 'committed', station: b } : null;
  }
  return null;
}

/** Shared-subscription form of a filter (MQTT 5 / Mosquitto `$share`). */
export function sharedFilter(group: string, filter: string): string {
  return `$share/${seg('group', group)}/${filter}`;
}

/** Device status message (birth on connect, death as last will), published retained. */
export const DeviceStatus = z.object({
  v: z.literal(1),
  client: z.string().regex(SEGMENT_RE),
  state: z.enum(['online', 'offline']),
  /** Epoch ms when the state was declared (the birth time for the will). */
  ts: z.number().int().min(0),
  kind: z.enum(['station', 'gateway', 'simulator', 'ingest']).default('station'),
  stations: z.array(z.string().regex(STATION_ID_RE)).max(100000).optional(),
  /** Battery voltage, firmware, etc. */
  battery: z.number().min(0).max(100).optional(),
  firmware: z.string().max(64).optional(),
  reason: z.string().max(200).optional(),
});
export type DeviceStatus = z.infer<typeof DeviceStatus>;

/**
 * Commit confirmation (ingest -> device) on `basin/v1/committed/<station>`: inclusive ranges of the
 * station's `seq` numbers that are durably handled — stored, or dead-lettered for a permanent reason.
 * Ranges are sorted and disjoint; one message covers one committed batch.
 */
export const CommittedAck = z.object({
  v: z.literal(1),
  station: z.string().regex(STATION_ID_RE),
  seqs: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])).min(1).max(10000),
  /** Epoch ms of the commit. */
  ts: z.number().int().min(0),
});
export type CommittedAck = z.infer<typeof CommittedAck>;
