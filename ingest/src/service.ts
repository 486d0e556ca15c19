import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  BASIN_STATIONS,
  DeviceStatus,
  Station,
  decodeReadingPayload,
  parseTopic,
  sharedFilter,
  topics,
  type Reading,
} from '@basin/schemas';
import { loadStations, upsertStations, type Db, type Logger } from '@basin/platform';
import type { IngestConfig } from './config.js';
import { commitBatch, type DeadLetter } from './store.js';
import { validateReading } from './validate.js';

export interface IngestDeps {
  config: IngestConfig;
  db: Db;
  log: Logger;
  /** Broker to subscribe to (embedded or MQTT_URL). */
  mqttUrl: string;
  mqttOptions?: IClientOptions;
}

export interface IngestCounters {
  received: number;
  stored: number;
  duplicates: number;
  deadLettered: Record<string, number>;
  batches: number;
}

export interface IngestService {
  readonly counters: IngestCounters;
  stop(): Promise<void>;
}

interface Pending {
  readings: Reading[];
  letters: DeadLetter[];
  done: () => void;
}

/**
 * Start the ingest gateway: subscribe to the reading, status and registry topics, validate, and
 * commit to TimescaleDB. A message is acknowledged to the broker only after its commit.
 */
export async function start(deps: IngestDeps): Promise<IngestService> {
  const { config, db } = deps;
  const log = deps.log.child({ component: 'ingest' });
  await upsertStations(db, BASIN_STATIONS);
  const stations = new Map((await loadStations(db)).map((s) => [s.id, s]));
  const counters: IngestCounters = { received: 0, stored: 0, duplicates: 0, deadLettered: {}, batches: 0 };

  let queue: Pending[] = [];
  let flushing = false;
  let stopped = false;

  const letter = (topic: string, reason: DeadLetter['reason'], detail: string, payload: Buffer): DeadLetter => {
    counters.deadLettered[reason] = (counters.deadLettered[reason] ?? 0) + 1;
    return { topic, reason, detail, payload: payload.toString('utf8'), payloadBytes: payload.byteLength };
  };

  async function handle(topic: string, payload: Buffer): Promise<{ readings: Reading[]; letters: DeadLetter[] }> {
    const parsed = parseTopic(topic);
    if (!parsed) return { readings: [], letters: [letter(topic, 'wrong_topic', 'topic outside basin/v1 layout', payload)] };
    if (parsed.kind === 'status') {
      const st = safeJson(payload, DeviceStatus);
      if (!st) return { readings: [], letters: [letter(topic, 'invalid_payload', 'invalid device status', payload)] };
      await db.query(
        `INSERT INTO device_status (client, state, kind, since, detail) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), $5)
         ON CONFLICT (client) DO UPDATE SET state = EXCLUDED.state, kind = EXCLUDED.kind, since = EXCLUDED.since, detail = EXCLUDED.detail, updated_at = now()`,
        [parsed.client, st.state, st.kind, st.ts, JSON.stringify({ battery: st.battery, firmware: st.firmware, reason: st.reason })],
      );
      return { readings: [], letters: [] };
    }
    if (parsed.kind === 'registry') {
      if (payload.byteLength === 0) return { readings: [], letters: [] }; // retained message cleared
      const st = safeJson(payload, Station);
      if (!st || st.id !== parsed.station) return { readings: [], letters: [letter(topic, 'invalid_payload', 'invalid station document', payload)] };
      await upsertStations(db, [st]);
      stations.set(st.id, st);
      return { readings: [], letters: [] };
    }
    const topicStation = parsed.kind === 'station_readings' ? parsed.station : null;
    const decoded = decodeReadingPayload(payload, topicStation);
    const letters = decoded.issues.map((i) => letter(topic, i.reason, i.message, payload));
    const readings: Reading[] = [];
    const now = Date.now();
    for (const r of decoded.readings) {
      const rej = validateReading(r, stations, { maxFutureMs: config.maxFutureMs, maxPastMs: config.maxPastMs }, now);
      if (rej) letters.push(letter(topic, rej.reason, rej.detail, payload));
      else readings.push(r);
    }
    counters.received += decoded.readings.length + decoded.issues.length;
    return { readings, letters };
  }

  async function flush(): Promise<void> {
    if (flushing || queue.length === 0) return;
    flushing = true;
    const batch = queue;
    queue = [];
    try {
      for (;;) {
        try {
          const r = await commitBatch(db, batch.flatMap((p) => p.readings), batch.flatMap((p) => p.letters));
          counters.stored += r.inserted;
          counters.duplicates += r.duplicates;
          counters.batches++;
          break;
        } catch (e) {
          if (stopped) return; // not acknowledged: the broker redelivers
          log.warn({ err: (e as Error).message }, 'commit failed; retrying (messages stay unacknowledged)');
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      for (const p of batch) p.done();
    } finally {
      flushing = false;
    }
    if (queue.length) setImmediate(() => void flush());
  }

  const clientId = config.clientId;
  const client: MqttClient = await mqtt.connectAsync(deps.mqttUrl, {
    clientId,
    clean: false,
    protocolVersion: config.shareGroup ? 5 : 4,
    reconnectPeriod: 1000,
    username: config.env.MQTT_USERNAME,
    password: config.env.MQTT_PASSWORD,
    ...(config.shareGroup ? { properties: { sessionExpiryInterval: 3600 } } : {}),
    ...deps.mqttOptions,
  });
  client.handleMessage = (packet, done) => {
    const topic = packet.topic;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    handle(topic, payload).then(
      ({ readings, letters }) => {
        queue.push({ readings, letters, done: () => done() });
        void flush();
      },
      (e: unknown) => {
        log.error({ err: (e as Error).message, topic }, 'message handling failed; will be redelivered');
      },
    );
  };
  client.on('error', (e) => log.warn({ err: e.message }, 'mqtt error'));
  const filters = [...topics.filters.readings, topics.filters.status, topics.filters.registry];
  await client.subscribeAsync(
    filters.map((f) => (config.shareGroup && f !== topics.filters.registry ? sharedFilter(config.shareGroup, f) : f)),
    { qos: 1 },
  );
  log.info({ broker: deps.mqttUrl, filters, shareGroup: config.shareGroup ?? null, stations: stations.size }, 'ingest subscribed');

  return {
    counters,
    async stop() {
      stopped = true;
      await client.endAsync();
      log.info(counters, 'ingest stopped');
    },
  };
}

function safeJson<T>(payload: Buffer, schema: { safeParse(x: unknown): { success: true; data: T } | { success: false } }): T | null {
  try {
    const r = schema.safeParse(JSON.parse(payload.toString('utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
