import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '@basin/platform';
import type { HealthReport } from './health.js';
import type { BatchCommitted } from './pipeline.js';

/** Prometheus metrics of one ingest service (own registry: several services may share a process in tests). */
export class IngestMetrics {
  readonly registry = new Registry();
  readonly messages = new Counter({ name: 'basin_ingest_messages_total', help: 'Messages received, by transport', labelNames: ['transport'] as const, registers: [this.registry] });
  readonly received = new Counter({ name: 'basin_ingest_received_total', help: 'Reading records received (valid or not)', registers: [this.registry] });
  readonly stored = new Counter({ name: 'basin_ingest_stored_total', help: 'Readings inserted into the readings hypertable', registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'basin_ingest_duplicates_total', help: 'Readings already stored (redeliveries), absorbed by the unique key', registers: [this.registry] });
  readonly deadLetters = new Counter({ name: 'basin_ingest_dead_letters_total', help: 'Dead-lettered records, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly qcFlags = new Counter({ name: 'basin_ingest_qc_flags_total', help: 'Stored readings by QC flag', labelNames: ['flag'] as const, registers: [this.registry] });
  readonly qcTests = new Counter({ name: 'basin_ingest_qc_tests_failed_total', help: 'QC test outcomes other than pass, by test and flag', labelNames: ['test', 'flag'] as const, registers: [this.registry] });
  readonly batchSize = new Histogram({
    name: 'basin_ingest_batch_size',
    help: 'Records per committed batch',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10000],
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'basin_ingest_commit_seconds',
    help: 'Time to QC and commit one batch',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly commitFailures = new Counter({ name: 'basin_ingest_commit_failures_total', help: 'Failed commit attempts (retried)', registers: [this.registry] });
  readonly readingAge = new Histogram({
    name: 'basin_ingest_reading_age_seconds',
    help: 'Commit time minus reading timestamp (end-to-end lag for live data)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });
  readonly lag = new Gauge({ name: 'basin_ingest_lag_seconds', help: 'Age of the oldest received, not yet committed message', registers: [this.registry] });
  readonly pendingMessages = new Gauge({ name: 'basin_ingest_pending_messages', help: 'Messages held unacknowledged', registers: [this.registry] });
  readonly pendingReadings = new Gauge({ name: 'basin_ingest_pending_readings', help: 'Records held unacknowledged', registers: [this.registry] });
  readonly paused = new Gauge({ name: 'basin_ingest_backpressure', help: '1 while ingest has stopped reading because too much is unacknowledged', registers: [this.registry] });
  readonly mqttConnected = new Gauge({ name: 'basin_ingest_mqtt_connected', help: '1 while connected to the broker', registers: [this.registry] });
  readonly hj212Connections = new Gauge({ name: 'basin_ingest_hj212_connections', help: 'Open HJ 212 logger connections', registers: [this.registry] });
  readonly conflicts = new Counter({ name: 'basin_ingest_conflicts_total', help: 'Readings with an already stored (or repeated) key and a different value; both values are kept in reading_conflicts', registers: [this.registry] });
  readonly committedAcks = new Counter({ name: 'basin_ingest_committed_acks_total', help: 'Commit confirmations published to devices (basin/v1/committed/<station>)', registers: [this.registry] });
  readonly jobRuns = new Counter({ name: 'basin_ingest_policy_job_runs_total', help: 'TimescaleDB policy jobs run by ingest (embedded mode)', labelNames: ['proc', 'relation', 'ok'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'basin_ingest_' });
  }

  /** Count one committed batch (per batch, then once per label set: a labelled inc per reading cost more than decoding it). */
  observeBatch(b: BatchCommitted): Map<string, number> {
    this.stored.inc(b.inserted);
    this.duplicates.inc(b.duplicates);
    if (b.conflicts) this.conflicts.inc(b.conflicts);
    this.batchSize.observe(b.readings.length + b.letters.length);
    this.commitSeconds.observe(b.commitMs / 1000);
    const letters = new Map<string, number>();
    for (const l of b.letters) letters.set(l.reason, (letters.get(l.reason) ?? 0) + l.count);
    for (const [reason, n] of letters) this.deadLetters.inc({ reason }, n);
    let pass = 0;
    let suspect = 0;
    let fail = 0;
    const tests = new Map<string, { test: string; flag: string; n: number }>();
    for (let i = 0; i < b.readings.length; i++) {
      this.readingAge.observe(Math.max(0, (b.committedAt - b.readings[i]!.ts) / 1000));
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
    if (pass) this.qcFlags.inc({ flag: 'pass' }, pass);
    if (suspect) this.qcFlags.inc({ flag: 'suspect' }, suspect);
    if (fail) this.qcFlags.inc({ flag: 'fail' }, fail);
    for (const t of tests.values()) this.qcTests.inc({ test: t.test, flag: t.flag }, t.n);
    return letters;
  }
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serve GET /metrics (Prometheus text format), GET /healthz (liveness) and GET /readyz (readiness). */
export async function serveMetrics(m: IngestMetrics, host: string, port: number, health: () => HealthReport, log: Logger): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      m.registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': m.registry.contentType });
          res.end(body);
        },
        (e: unknown) => {
          res.writeHead(500).end((e as Error).message);
        },
      );
      return;
    }
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
      const h = health();
      const good = path === '/healthz' ? h.ok : h.ready;
      res.writeHead(good ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${a.port}`;
  log.info({ url: `${url}/metrics` }, 'ingest metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
