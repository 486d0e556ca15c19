import type { IClientOptions } from 'mqtt';
import { topics, validRange, type Station } from '@basin/schemas';
import { redactUrl, type Db, type Logger } from '@basin/platform';
import { LetterSet, classifyMqtt, type Classified } from './classify.js';
import { committedAcks } from './committed.js';
import type { IngestConfig } from './config.js';
import { startHj212Gateway, type Hj212Gateway } from './hj212/gateway.js';
import { IngestMetrics } from './metrics.js';
import type { HealthReport } from './health.js';
import type { InboundMessage } from './mqtt-client.js';
import { startMqttSource, type MqttSource } from './mqtt-source.js';
import { countBatch, startObservability, type IngestCounters } from './observability.js';
import { Pipeline, type BatchCommitted, type Envelope } from './pipeline.js';
import { JobRunner, applyPolicies, runPolicyJobs, type PolicyJob } from './policies.js';
import { QcEngine } from './qc.js';
import { StationRegistry } from './station-registry.js';
import { repairLatest } from './store.js';

export type { IngestCounters } from './observability.js';

export interface IngestDeps {
  config: IngestConfig;
  db: Db;
  log: Logger;
  /** Broker to subscribe to (embedded or MQTT_URL); credentials may be in the URL. */
  mqttUrl: string;
  /** Only `username`, `password` and `keepalive` are honoured (ingest has its own MQTT client). */
  mqttOptions?: Pick<IClientOptions, 'username' | 'password' | 'keepalive'>;
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
  /** Health and readiness now (broker connection, commit failures, lag), as /healthz reports them. */
  health(): HealthReport;
  stop(): Promise<void>;
}

/**
 * Start the ingest gateway: the station registry, the pipeline (batch, QC, commit, acknowledge),
 * its sources (MQTT, HJ 212), commit confirmations to devices, metrics and health. A message is
 * acknowledged only after the batch holding it is committed.
 */
export async function start(deps: IngestDeps): Promise<IngestService> {
  const { config, db } = deps;
  const log = deps.log.child({ service: 'ingest' });
  const registry = await StationRegistry.load(db);
  await applyPolicies(db, config.policies, log);
  if (config.latestRepair) {
    const n = await repairLatest(db, config.latestRepair);
    if (n) log.info({ repaired: n }, 'latest values repaired from recent readings');
  }
  const metrics = new IngestMetrics();
  const counters: IngestCounters = { received: 0, stored: 0, duplicates: 0, conflicts: 0, deadLettered: {}, batches: 0 };
  const pipeline = newPipeline(config, db, log, registry.stations);
  const limits = { maxFutureMs: config.maxFutureMs, maxPastMs: config.maxPastMs };
  let mqtt: MqttSource | null = null;
  let hj212: Hj212Gateway | null = null;
  let paused = false;
  let stopping = false;

  const listeners = new Set<(b: BatchCommitted) => void>();
  pipeline.on('committed', (b) => {
    countBatch(counters, metrics, b);
    if (mqtt) publishCommitted(mqtt, metrics, b);
    for (const fn of listeners) fn(b);
  });
  pipeline.on('retry', () => metrics.commitFailures.inc());
  // Backpressure: stop reading the sources while too much is unacknowledged.
  const setPaused = (p: boolean) => {
    paused = p;
    metrics.paused.set(p ? 1 : 0);
    for (const s of [mqtt, hj212]) {
      if (p) s?.pause();
      else s?.resume();
    }
  };
  pipeline.on('drain', () => setPaused(false));
  const submit = (env: Envelope) => {
    const n = env.readings.length + env.letters.reduce((s, l) => s + l.count, 0);
    counters.received += n;
    metrics.received.inc(n);
    pipeline.submit(env);
    if (pipeline.full) setPaused(true);
  };
  const onMqttMessage = (msg: InboundMessage) => {
    metrics.messages.inc({ transport: 'mqtt' });
    const receivedAt = Date.now();
    const c = classifySafely(msg, { now: receivedAt, stations: registry.stations, limits, provisioned: (id) => registry.provisioned(id) }, log);
    registry.apply(c.registry ?? []);
    submit({ source: msg.topic, ...c, payload: msg.payload, payloadBytes: msg.payload.byteLength, ack: msg.ack, receivedAt });
  };

  const obs = await startObservability(config, metrics, pipeline, () => ({ mqttConnected: mqtt?.isConnected ?? false, paused, stopping }), log);
  // Embedded TimescaleDB has no background workers: ingest runs the policy jobs itself.
  const runJobsHere = config.policies.runJobs === 'true' || (config.policies.runJobs === 'auto' && db.kind === 'embedded');
  const jobRunner = runJobsHere
    ? new JobRunner(db, config.policies.jobsTickMs, log, (j, _ms, ok) => metrics.jobRuns.inc({ proc: j.proc_name, relation: j.relation, ok: String(ok) }))
    : null;
  jobRunner?.start();
  const closeAll = async () => {
    await hj212?.close();
    await obs.close();
    await jobRunner?.stop();
  };
  try {
    if (config.hj212) hj212 = await startHj212Gateway({ config: config.hj212, db, stations: registry.stations, limits, metrics, log, submit });
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
    metricsUrl: obs.url,
    hj212Port: hj212?.port ?? null,
    mqtt: { protocolVersion: mqtt.protocolVersion, shared: mqtt.shared },
    onCommitted(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    runJobs: () => runPolicyJobs(db, log),
    pending: () => ({ messages: pipeline.pendingMessages, readings: pipeline.pendingReadings }),
    health: () => obs.health(),
    async stop() {
      if (stopping) return;
      stopping = true;
      await hj212?.close();
      hj212 = null;
      // Commit what is held while the connection is still up, so the acks go out; the rest is
      // redelivered by the broker after a restart.
      await pipeline.stop(5000);
      await mqtt?.stop();
      await closeAll();
      log.info(counters, 'ingest stopped');
    },
  };
}

function newPipeline(config: IngestConfig, db: Db, log: Logger, stations: ReadonlyMap<string, Station>): Pipeline {
  return new Pipeline({
    db,
    // water level QC-ranged per station (schemas validRange, from the station's reference levels)
    qc: new QcEngine(config.qc.window, config.qc.overrides, undefined, (id, metric) => {
      const r = validRange(stations.get(id), metric);
      return r.basis === 'station' ? { fail: [r.min, r.max], suspect: r.suspect ?? [r.min, r.max] } : null;
    }),
    log,
    worker: config.clientId,
    batchSize: config.batchSize,
    batchMs: config.batchMs,
    maxPendingReadings: config.maxPending,
    maxPendingMessages: config.maxInflight,
    retryMaxMs: config.retryMaxMs,
    // PGlite has one connection: a second commit would only queue behind the first
    commitConcurrency: db.kind === 'embedded' ? 1 : config.commitConcurrency,
    latestMs: config.latestMs,
  });
}

/** Classify an MQTT message; a bug must not stall the client: the message is then dead-lettered. */
function classifySafely(msg: InboundMessage, ctx: Parameters<typeof classifyMqtt>[3], log: Logger): Classified {
  try {
    return classifyMqtt(msg.topic, msg.payload, msg.retain, ctx);
  } catch (e) {
    log.error({ err: (e as Error).message, topic: msg.topic }, 'message handling failed; dead-lettered');
    const letters = new LetterSet(msg.topic, msg.payload);
    letters.add('invalid_payload', 'internal error while classifying the message');
    return { readings: [], letters: letters.list() };
  }
}

/** Tell devices which of their seqs are durably handled (QoS 1, per station). */
function publishCommitted(mqtt: MqttSource, metrics: IngestMetrics, b: BatchCommitted): void {
  for (const ack of committedAcks(b.envelopes, b.committedAt)) {
    if (mqtt.publish(topics.committed(ack.station), JSON.stringify(ack), 1)) metrics.committedAcks.inc();
  }
}
