import type { IClientOptions } from 'mqtt';
import { BASIN_STATIONS, STATION_BY_ID, topics, type Station } from '@basin/schemas';
import { loadStations, redactUrl, upsertStations, type Db, type Logger } from '@basin/platform';
import { LetterSet, classifyMqtt, type Classified } from './classify.js';
import { committedAcks } from './committed.js';
import type { IngestConfig } from './config.js';
import { evaluateHealth } from './health.js';
import { Hj212Devices } from './hj212/devices.js';
import { startHj212Listener, type Hj212Listener } from './hj212/listener.js';
import { classifyHj212Frame } from './hj212/replies.js';
import { IngestMetrics, serveMetrics, type MetricsServer } from './metrics.js';
import type { InboundMessage } from './mqtt-client.js';
import { startMqttSource, type MqttSource } from './mqtt-source.js';
import { Pipeline, type BatchCommitted, type Envelope } from './pipeline.js';
import { JobRunner, applyPolicies, runPolicyJobs, type PolicyJob } from './policies.js';
import { QcEngine } from './qc.js';
import { canonicalJson, type ProvisionedStation } from './registry.js';
import { loadStationVersions, repairLatest } from './store.js';

export interface IngestDeps {
  config: IngestConfig;
  db: Db;
  log: Logger;
  /** Broker to subscribe to (embedded or MQTT_URL); credentials may be in the URL. */
  mqttUrl: string;
  /** Only `username`, `password` and `keepalive` are honoured (ingest has its own MQTT client). */
  mqttOptions?: Pick<IClientOptions, 'username' | 'password' | 'keepalive'>;
}

export interface IngestCounters {
  received: number;
  stored: number;
  duplicates: number;
  conflicts: number;
  deadLettered: Record<string, number>;
  batches: number;
}

export interface IngestService {
  readonly counters: IngestCounters;
  readonly metrics: IngestMetrics;
  /** http://host:port of /metrics, /healthz and /readyz, or null when disabled. */
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
 * Start the ingest gateway: the station registry, the pipeline (batch, QC, commit, acknowledge),
 * its sources (MQTT, HJ 212), commit confirmations to devices, metrics and health. A message is
 * acknowledged only after the batch holding it is committed.
 */
export async function start(deps: IngestDeps): Promise<IngestService> {
  const { config, db } = deps;
  const log = deps.log.child({ component: 'ingest' });
  const registry = await loadRegistry(db);
  await applyPolicies(db, config.policies, log);
  if (config.latestRepair) {
    const n = await repairLatest(db, config.latestRepair);
    if (n) log.info({ repaired: n }, 'latest values repaired from recent readings');
  }

  const metrics = new IngestMetrics();
  const counters: IngestCounters = { received: 0, stored: 0, duplicates: 0, conflicts: 0, deadLettered: {}, batches: 0 };
  const pipeline = new Pipeline({
    db,
    qc: new QcEngine(config.qc.window, config.qc.overrides),
    log,
    worker: config.clientId,
    batchSize: config.batchSize,
    batchMs: config.batchMs,
    maxPendingReadings: config.maxPending,
    maxPendingMessages: config.maxInflight,
    retryMaxMs: config.retryMaxMs,
    latestMs: config.latestMs,
  });
  let mqtt: MqttSource | null = null;
  let hj212: Hj212Listener | null = null;
  let stopping = false;

  const listeners = new Set<(b: BatchCommitted) => void>();
  pipeline.on('committed', (b) => {
    counters.stored += b.inserted;
    counters.duplicates += b.duplicates;
    counters.conflicts += b.conflicts;
    counters.batches++;
    for (const [reason, n] of metrics.observeBatch(b)) counters.deadLettered[reason] = (counters.deadLettered[reason] ?? 0) + n;
    publishCommitted(b);
    for (const fn of listeners) fn(b);
  });
  pipeline.on('retry', () => metrics.commitFailures.inc());

  /** Tell devices which of their seqs are durably handled (QoS 1, per station). */
  function publishCommitted(b: BatchCommitted): void {
    if (!mqtt) return;
    for (const ack of committedAcks(b.envelopes, b.committedAt)) {
      if (mqtt.publish(topics.committed(ack.station), JSON.stringify(ack), 1)) metrics.committedAcks.inc();
    }
  }

  // ---- backpressure -------------------------------------------------------------------------
  let paused = false;
  pipeline.on('drain', () => {
    paused = false;
    metrics.paused.set(0);
    mqtt?.resume();
    hj212?.resume();
  });
  const submit = (env: Envelope) => {
    const n = env.readings.length + env.letters.reduce((s, l) => s + l.count, 0);
    counters.received += n;
    metrics.received.inc(n);
    pipeline.submit(env);
    if (pipeline.full) {
      paused = true;
      metrics.paused.set(1);
      mqtt?.pause();
      hj212?.pause();
    }
  };

  // ---- MQTT messages ------------------------------------------------------------------------
  const limits = { maxFutureMs: config.maxFutureMs, maxPastMs: config.maxPastMs };
  function onMqttMessage(msg: InboundMessage): void {
    metrics.messages.inc({ transport: 'mqtt' });
    const receivedAt = Date.now();
    let c: Classified;
    try {
      c = classifyMqtt(msg.topic, msg.payload, msg.retain, { now: receivedAt, stations: registry.stations, limits, provisioned: (id) => registry.provisioned.get(id) });
    } catch (e) {
      // A bug must not stall the client: dead-letter the message (and so acknowledge it).
      log.error({ err: (e as Error).message, topic: msg.topic }, 'message handling failed; dead-lettered');
      const letters = new LetterSet(msg.topic, msg.payload);
      letters.add('invalid_payload', 'internal error while classifying the message');
      c = { readings: [], letters: letters.list() };
    }
    for (const r of c.registry ?? []) {
      registry.stations.set(r.station.id, r.station);
      registry.provisioned.set(r.station.id, { version: r.version, canonical: canonicalJson(r.station) });
    }
    submit({ source: msg.topic, ...c, payload: msg.payload, payloadBytes: msg.payload.byteLength, ack: msg.ack, receivedAt });
  }

  // ---- metrics and health -------------------------------------------------------------------
  const health = () =>
    evaluateHealth({
      now: Date.now(),
      mqttConnected: mqtt?.isConnected ?? false,
      failure: pipeline.failure,
      oldestPendingAt: pipeline.oldestPendingAt,
      maxLagMs: config.maxLagMs,
      paused,
      stopping,
      pendingMessages: pipeline.pendingMessages,
      pendingReadings: pipeline.pendingReadings,
    });
  const gaugeTimer = setInterval(() => {
    const oldest = pipeline.oldestPendingAt;
    metrics.lag.set(oldest === null ? 0 : (Date.now() - oldest) / 1000);
    metrics.pendingMessages.set(pipeline.pendingMessages);
    metrics.pendingReadings.set(pipeline.pendingReadings);
    metrics.mqttConnected.set(mqtt?.isConnected ? 1 : 0);
  }, 1000);
  gaugeTimer.unref();
  let metricsServer: MetricsServer | null = null;
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
  let devices: Hj212Devices | null = null;
  const closeAll = async () => {
    await hj212?.close();
    devices?.stop();
    await metricsServer?.close();
    await jobRunner?.stop();
    clearInterval(gaugeTimer);
  };
  try {
    if (config.hj212) {
      const h = config.hj212;
      devices = new Hj212Devices(db, h.mnMap, registry.stations);
      await devices.load();
      devices.startReloading(60_000);
      hj212 = await startHj212Listener({
        host: h.host,
        port: h.port,
        idleMs: h.idleMs,
        log,
        resolver: devices.resolver(h.tzOffsetMin),
        onConnections: (n) => metrics.hj212Connections.set(n),
        onJunk: (raw, remote) => {
          metrics.messages.inc({ transport: 'hj212' });
          const letters = new LetterSet(`hj212://${remote}`, raw);
          letters.add('hj212_bad_frame', 'bytes outside any complete ## frame');
          submit({ source: `hj212://${remote}`, readings: [], letters: letters.list(), ack: () => undefined, receivedAt: Date.now() });
        },
        onFrame: (ev) => {
          metrics.messages.inc({ transport: 'hj212' });
          const now = Date.now();
          const source = `hj212://${ev.decoded.packet?.mn ?? ev.remote}`;
          const c = classifyHj212Frame(ev.decoded, ev.raw, source, registry.stations, limits, now);
          submit({ source, readings: c.readings, letters: c.letters, payload: ev.raw, ack: c.reply ? ev.reply : () => undefined, receivedAt: now });
        },
      });
    }
    mqtt = await startMqttSource({
      url: deps.mqttUrl,
      config,
      username: deps.mqttOptions?.username,
      password: deps.mqttOptions?.password as string | undefined,
      keepaliveS: deps.mqttOptions?.keepalive,
      log,
      onMessage: onMqttMessage,
      onConnected: (up) => metrics.mqttConnected.set(up ? 1 : 0),
    });
  } catch (e) {
    await closeAll();
    throw e;
  }
  log.info({ broker: redactUrl(deps.mqttUrl), shared: mqtt.shared, protocolVersion: mqtt.protocolVersion, stations: registry.stations.size, hj212Port: hj212?.port ?? null }, 'ingest subscribed');

  return {
    counters,
    metrics,
    metricsUrl: metricsServer?.url ?? null,
    hj212Port: hj212?.port ?? null,
    mqtt: { protocolVersion: mqtt.protocolVersion, shared: mqtt.shared },
    onCommitted(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    runJobs: () => runPolicyJobs(db, log),
    pending: () => ({ messages: pipeline.pendingMessages, readings: pipeline.pendingReadings }),
    async stop() {
      if (stopping) return;
      stopping = true;
      await hj212?.close();
      // Commit what is held while the connection is still up, so the acks go out; the rest is
      // redelivered by the broker after a restart.
      await pipeline.stop(5000);
      await mqtt?.stop();
      hj212 = null;
      await closeAll();
      log.info(counters, 'ingest stopped');
    },
  };
}

/**
 * The station registry ingest validates against: the sourced catalogue (restored at every start),
 * the provisioned stations in the database, and the newest accepted version of each provisioned one.
 */
async function loadRegistry(db: Db): Promise<{ stations: Map<string, Station>; provisioned: Map<string, ProvisionedStation> }> {
  await upsertStations(db, BASIN_STATIONS);
  const stations = new Map((await loadStations(db)).map((s) => [s.id, s]));
  const versions = await loadStationVersions(db);
  const provisioned = new Map<string, ProvisionedStation>();
  for (const [id, s] of stations) {
    if (STATION_BY_ID.has(id)) continue;
    provisioned.set(id, { version: versions.get(id)?.version ?? 0, canonical: canonicalJson(s) });
  }
  return { stations, provisioned };
}
