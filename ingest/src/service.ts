import type { IClientOptions } from 'mqtt';
import {
  BASIN_STATIONS,
  DeviceStatus,
  MAX_PAYLOAD_BYTES,
  STATION_ID_RE,
  Station,
  decodeReadingPayload,
  parseTopic,
  sharedFilter,
  topics,
  type Reading,
} from '@basin/schemas';
import { loadStations, upsertStations, type Db, type Logger } from '@basin/platform';
import type { IngestConfig } from './config.js';
import { IngestErrors, type DeadLetterReason } from './errors.js';
import { startHj212Listener, type Hj212Listener } from './hj212/listener.js';
import { IngestMetrics, serveMetrics, type MetricsServer } from './metrics.js';
import { AckingMqttClient, type ConnectInfo, type InboundMessage } from './mqtt-client.js';
import { Pipeline, type BatchCommitted, type Envelope } from './pipeline.js';
import { JobRunner, applyPolicies, runPolicyJobs, type PolicyJob } from './policies.js';
import { QcEngine } from './qc.js';
import { capPayload, repairLatest, type DeadLetter } from './store.js';
import { validateReading } from './validate.js';

export interface IngestDeps {
  config: IngestConfig;
  db: Db;
  log: Logger;
  /** Broker to subscribe to (embedded or MQTT_URL). */
  mqttUrl: string;
  /** Only `username`, `password` and `keepalive` are honoured (ingest has its own MQTT client). */
  mqttOptions?: Pick<IClientOptions, 'username' | 'password' | 'keepalive'>;
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
  readonly metrics: IngestMetrics;
  /** http://host:port of /metrics and /healthz, or null when disabled. */
  readonly metricsUrl: string | null;
  /** Port of the HJ 212 listener, or null when disabled. */
  readonly hj212Port: number | null;
  /** MQTT protocol in use and whether the readings are consumed through a shared subscription. */
  readonly mqtt: { protocolVersion: 4 | 5; shared: boolean };
  /** Called after each committed batch (after its messages were acknowledged). */
  onCommitted(fn: (b: BatchCommitted) => void): () => void;
  /** Run every TimescaleDB policy job now (refresh, compression, retention). */
  runJobs(): Promise<PolicyJob[]>;
  /** Held, not yet acknowledged messages. */
  pending(): { messages: number; readings: number };
  stop(): Promise<void>;
}

/**
 * Start the ingest gateway: subscribe to the reading, status and registry topics (and listen for
 * HJ 212 loggers), validate, QC-flag and commit to TimescaleDB. A message is acknowledged to the
 * broker only after the batch holding it is committed.
 */
export async function start(deps: IngestDeps): Promise<IngestService> {
  const { config, db } = deps;
  const log = deps.log.child({ component: 'ingest' });
  await upsertStations(db, BASIN_STATIONS);
  const stations = new Map((await loadStations(db)).map((s) => [s.id, s]));
  await applyPolicies(db, config.policies, log);
  if (config.latestRepair) {
    const n = await repairLatest(db, config.latestRepair);
    if (n) log.info({ repaired: n }, 'latest values repaired from recent readings');
  }

  const metrics = new IngestMetrics();
  const counters: IngestCounters = { received: 0, stored: 0, duplicates: 0, deadLettered: {}, batches: 0 };
  const qc = new QcEngine(config.qc.window, config.qc.overrides);
  const pipeline = new Pipeline({
    db,
    qc,
    log,
    worker: config.clientId,
    batchSize: config.batchSize,
    batchMs: config.batchMs,
    maxPendingReadings: config.maxPending,
    maxPendingMessages: config.maxInflight,
    retryMaxMs: config.retryMaxMs,
    latestMs: config.latestMs,
  });
  const listeners = new Set<(b: BatchCommitted) => void>();
  pipeline.on('committed', (b) => {
    counters.stored += b.inserted;
    counters.duplicates += b.duplicates;
    counters.batches++;
    metrics.stored.inc(b.inserted);
    metrics.duplicates.inc(b.duplicates);
    metrics.batchSize.observe(b.readings.length + b.letters.length);
    metrics.commitSeconds.observe(b.commitMs / 1000);
    // Counted per batch, then added once per label set (a labelled inc per reading cost more
    // than decoding the reading).
    const letters = new Map<string, number>();
    for (const l of b.letters) letters.set(l.reason, (letters.get(l.reason) ?? 0) + 1);
    for (const [reason, n] of letters) {
      counters.deadLettered[reason] = (counters.deadLettered[reason] ?? 0) + n;
      metrics.deadLetters.inc({ reason }, n);
    }
    let pass = 0;
    let suspect = 0;
    let fail = 0;
    const tests = new Map<string, { test: string; flag: string; n: number }>();
    for (let i = 0; i < b.readings.length; i++) {
      metrics.readingAge.observe(Math.max(0, (b.committedAt - b.readings[i]!.ts) / 1000));
      const f = b.flags[i]!;
      if (f.flag === 'pass') pass++;
      else if (f.flag === 'suspect') suspect++;
      else fail++;
      for (const t of f.failed) {
        const k = `${t.test}/${t.flag}`;
        const c = tests.get(k);
        if (c) c.n++;
        else tests.set(k, { test: t.test, flag: t.flag, n: 1 });
      }
    }
    if (pass) metrics.qcFlags.inc({ flag: 'pass' }, pass);
    if (suspect) metrics.qcFlags.inc({ flag: 'suspect' }, suspect);
    if (fail) metrics.qcFlags.inc({ flag: 'fail' }, fail);
    for (const t of tests.values()) metrics.qcTests.inc({ test: t.test, flag: t.flag }, t.n);
    for (const fn of listeners) fn(b);
  });
  pipeline.on('retry', () => metrics.commitFailures.inc());

  // ---- sources and backpressure -------------------------------------------------------------
  let mqttClient: AckingMqttClient | null = null;
  let hj212: Hj212Listener | null = null;
  const pauseSources = () => {
    metrics.paused.set(1);
    mqttClient?.pause();
    hj212?.pause();
  };
  pipeline.on('drain', () => {
    metrics.paused.set(0);
    mqttClient?.resume();
    hj212?.resume();
  });
  const submit = (env: Envelope) => {
    counters.received += env.readings.length + env.letters.length;
    metrics.received.inc(env.readings.length + env.letters.length);
    pipeline.submit(env);
    if (pipeline.full) pauseSources();
  };

  const limits = { maxFutureMs: config.maxFutureMs, maxPastMs: config.maxPastMs };
  const letter = (topic: string, reason: DeadLetterReason, detail: string, payload: Buffer | string | null, bytes: number): DeadLetter => ({
    topic,
    reason,
    detail,
    payload: payload === null ? null : capPayload(typeof payload === 'string' ? payload : payload.subarray(0, 8192).toString('utf8')),
    payloadBytes: bytes,
  });

  /** Decode and validate one MQTT message into an envelope. Synchronous; throws only on bugs. */
  function classify(topic: string, payload: Buffer): Omit<Envelope, 'ack' | 'receivedAt'> {
    const bytes = payload.byteLength;
    const none = { source: topic, readings: [] as Reading[], letters: [] as DeadLetter[] };
    const parsed = parseTopic(topic);
    if (!parsed) return { ...none, letters: [letter(topic, 'wrong_topic', 'topic outside the basin/v1 layout', payload, bytes)] };
    if (bytes > MAX_PAYLOAD_BYTES) {
      return { ...none, letters: [letter(topic, 'oversized', `payload of ${bytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`, payload, bytes)] };
    }
    if (parsed.kind === 'status') {
      if (bytes === 0) return none; // retained status cleared
      const st = safeJson(payload, DeviceStatus);
      if (!st.ok) return { ...none, letters: [letter(topic, st.reason, `invalid device status: ${st.detail}`, payload, bytes)] };
      return { ...none, statuses: [{ client: parsed.client, status: st.value }] };
    }
    if (parsed.kind === 'registry') {
      if (bytes === 0) return none; // retained registration cleared
      const st = safeJson(payload, Station);
      if (!st.ok) return { ...none, letters: [letter(topic, st.reason, `invalid station document: ${st.detail}`, payload, bytes)] };
      if (st.value.id !== parsed.station) {
        return { ...none, letters: [letter(topic, 'station_mismatch', `station document ${st.value.id} on topic of ${parsed.station}`, payload, bytes)] };
      }
      stations.set(st.value.id, st.value);
      return { ...none, stations: [st.value] };
    }
    const topicStation = parsed.kind === 'station_readings' ? parsed.station : null;
    const decoded = decodeReadingPayload(payload, topicStation);
    const letters = decoded.issues.length === 0 ? [] : decoded.issues.map((i) =>
      letter(topic, i.reason, i.index === undefined ? i.message : `record ${i.index}: ${i.message}`, i.raw === undefined ? payload : safeStringify(i.raw), bytes),
    );
    const readings: Reading[] = [];
    const now = Date.now();
    for (const r of decoded.readings) {
      const rej = validateReading(r, stations, limits, now);
      if (rej) letters.push(letter(topic, rej.reason, rej.detail, safeStringify(r), bytes));
      else readings.push(r);
    }
    return { ...none, readings, letters };
  }

  function onMqttMessage(msg: InboundMessage): void {
    metrics.messages.inc({ transport: 'mqtt' });
    const receivedAt = Date.now();
    let env: Omit<Envelope, 'ack' | 'receivedAt'>;
    try {
      env = classify(msg.topic, msg.payload);
    } catch (e) {
      // A bug must not stall the client: dead-letter the message (and so acknowledge it).
      log.error({ err: (e as Error).message, topic: msg.topic }, 'message handling failed; dead-lettered');
      env = { source: msg.topic, readings: [], letters: [letter(msg.topic, 'invalid_payload', `internal error: ${(e as Error).message}`, msg.payload, msg.payload.byteLength)] };
    }
    submit({ ...env, ack: msg.ack, receivedAt });
  }

  // ---- metrics endpoint ---------------------------------------------------------------------
  let metricsServer: MetricsServer | null = null;
  const health = () => ({
    ok: mqttClient?.isConnected ?? false,
    mqtt: mqttClient?.isConnected ?? false,
    pendingMessages: pipeline.pendingMessages,
    pendingReadings: pipeline.pendingReadings,
  });
  const gaugeTimer = setInterval(() => {
    const oldest = pipeline.oldestPendingAt;
    metrics.lag.set(oldest === null ? 0 : (Date.now() - oldest) / 1000);
    metrics.pendingMessages.set(pipeline.pendingMessages);
    metrics.pendingReadings.set(pipeline.pendingReadings);
    metrics.mqttConnected.set(mqttClient?.isConnected ? 1 : 0);
  }, 1000);
  gaugeTimer.unref();
  if (config.metrics.enabled) {
    try {
      metricsServer = await serveMetrics(metrics, config.metrics.host, config.metrics.port, health, log);
    } catch (e) {
      log.warn({ err: (e as Error).message, port: config.metrics.port }, 'cannot serve /metrics; continuing without it');
    }
  }

  // ---- policy jobs (embedded TimescaleDB has no background workers) --------------------------
  const runJobsHere = config.policies.runJobs === 'true' || (config.policies.runJobs === 'auto' && db.kind === 'embedded');
  const jobRunner = runJobsHere
    ? new JobRunner(db, config.policies.jobsTickMs, log, (j, _ms, ok) => metrics.jobRuns.inc({ proc: j.proc_name, relation: j.relation, ok: String(ok) }))
    : null;
  jobRunner?.start();

  // ---- HJ 212 -------------------------------------------------------------------------------
  if (config.hj212) {
    const h = config.hj212;
    const devices = new Map<string, { station: string; password: string | null }>();
    const loadDevices = async () => {
      const r = await db.query<{ mn: string; station: string; password: string | null }>('SELECT mn, station, password FROM hj212_devices');
      devices.clear();
      for (const d of r.rows) devices.set(d.mn, { station: d.station, password: d.password });
    };
    await loadDevices();
    const devTimer = setInterval(() => void loadDevices().catch(() => undefined), 60_000);
    devTimer.unref();
    hj212 = await startHj212Listener({
      host: h.host,
      port: h.port,
      idleMs: h.idleMs,
      log,
      resolver: {
        tzOffsetMin: h.tzOffsetMin,
        station: (mn) => devices.get(mn)?.station ?? h.mnMap.get(mn) ?? (STATION_ID_RE.test(mn.toLowerCase()) && stations.has(mn.toLowerCase()) ? mn.toLowerCase() : null),
        password: (mn) => devices.get(mn)?.password ?? null,
      },
      onConnections: (n) => metrics.hj212Connections.set(n),
      onJunk: (raw, remote) => {
        metrics.messages.inc({ transport: 'hj212' });
        submit({ source: `hj212://${remote}`, readings: [], letters: [letter(`hj212://${remote}`, 'hj212_bad_frame', 'bytes outside any ## frame', raw, Buffer.byteLength(raw, 'latin1'))], ack: () => undefined, receivedAt: Date.now() });
      },
      onFrame: (ev) => {
        metrics.messages.inc({ transport: 'hj212' });
        const src = `hj212://${ev.decoded.packet?.mn ?? ev.remote}`;
        const bytes = Buffer.byteLength(ev.raw);
        const letters = ev.decoded.issues.map((i) => letter(src, i.reason, i.detail, ev.raw, bytes));
        const readings: Reading[] = [];
        const now = Date.now();
        for (const r of ev.decoded.readings) {
          const rej = validateReading(r, stations, { maxFutureMs: config.maxFutureMs, maxPastMs: config.maxPastMs }, now);
          if (rej) letters.push(letter(src, rej.reason, rej.detail, ev.raw, bytes));
          else readings.push(r);
        }
        submit({ source: src, readings, letters, ack: ev.reply, receivedAt: now });
      },
    });
  }

  // ---- MQTT ---------------------------------------------------------------------------------
  const makeClient = (shareGroup: string | undefined) =>
    new AckingMqttClient({
      url: deps.mqttUrl,
      clientId: config.clientId,
      protocolVersion: shareGroup ? 5 : 4,
      username: deps.mqttOptions?.username ?? config.env.MQTT_USERNAME,
      password: (deps.mqttOptions?.password as string | undefined) ?? config.env.MQTT_PASSWORD,
      keepaliveS: deps.mqttOptions?.keepalive ?? config.keepaliveS,
      receiveMaximum: config.maxInflight,
      sessionExpiryS: config.sessionExpiryS,
      subscriptions: [
        ...topics.filters.readings.map((f) => ({ topic: shareGroup ? sharedFilter(shareGroup, f) : f, qos: 1 as const })),
        // status and registry are retained, and retained messages are not sent to shared
        // subscriptions: every worker subscribes to them directly (their handling is idempotent)
        { topic: topics.filters.status, qos: 1 as const },
        { topic: topics.filters.registry, qos: 1 as const },
      ],
      log,
    });
  const connectClient = async (shareGroup: string | undefined): Promise<{ client: AckingMqttClient; info: ConnectInfo }> => {
    const client = makeClient(shareGroup);
    client.on('message', onMqttMessage);
    client.on('connect', (i) => {
      metrics.mqttConnected.set(1);
      log.info({ sessionPresent: i.sessionPresent }, 'mqtt connected');
    });
    client.on('close', () => metrics.mqttConnected.set(0));
    mqttClient = client;
    const info = await client.start();
    return { client, info };
  };
  let shared = false;
  let protocolVersion: 4 | 5 = 4;
  try {
    if (config.shareGroup) {
      try {
        const { client, info } = await connectClient(config.shareGroup);
        if (info.sharedSubscriptionAvailable === false) {
          await client.stop();
          throw IngestErrors.MQTT_SUBSCRIBE(['$share (broker reports shared subscriptions unavailable)']);
        }
        shared = true;
        protocolVersion = 5;
      } catch (e) {
        if (!(e instanceof Error && e.name === 'BasinError')) throw e;
        log.warn({ err: e.message }, 'shared subscriptions unavailable: consuming all readings as a single MQTT 3.1.1 worker');
        await connectClient(undefined);
      }
    } else {
      await connectClient(undefined);
    }
  } catch (e) {
    await hj212?.close();
    await metricsServer?.close();
    await jobRunner?.stop();
    clearInterval(gaugeTimer);
    throw e;
  }
  log.info({ broker: deps.mqttUrl, shared, protocolVersion, stations: stations.size, hj212Port: hj212?.port ?? null }, 'ingest subscribed');

  let stopped = false;
  return {
    counters,
    metrics,
    metricsUrl: metricsServer?.url ?? null,
    hj212Port: hj212?.port ?? null,
    mqtt: { protocolVersion, shared },
    onCommitted(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    runJobs: () => runPolicyJobs(db, log),
    pending: () => ({ messages: pipeline.pendingMessages, readings: pipeline.pendingReadings }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await hj212?.close();
      // Commit what is held while the connection is still up, so the acks go out; the rest is
      // redelivered by the broker after a restart.
      await pipeline.stop(5000);
      await mqttClient?.stop();
      await jobRunner?.stop();
      await metricsServer?.close();
      clearInterval(gaugeTimer);
      log.info(counters, 'ingest stopped');
    },
  };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: DeadLetterReason; detail: string };

function safeJson<T>(payload: Buffer, schema: { safeParse(x: unknown): { success: true; data: T } | { success: false; error: { message: string } } }): Parsed<T> {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (e) {
    return { ok: false, reason: 'undecodable', detail: (e as Error).message.slice(0, 200) };
  }
  const r = schema.safeParse(doc);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: 'invalid_payload', detail: r.error.message.slice(0, 500) };
}

function safeStringify(x: unknown): string {
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
