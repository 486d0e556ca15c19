import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '@basin/platform';

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
  readonly jobRuns = new Counter({ name: 'basin_ingest_policy_job_runs_total', help: 'TimescaleDB policy jobs run by ingest (embedded mode)', labelNames: ['proc', 'relation', 'ok'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'basin_ingest_' });
  }
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serve GET /metrics (Prometheus text format) and GET /healthz. */
export async function serveMetrics(m: IngestMetrics, host: string, port: number, health: () => { ok: boolean; [k: string]: unknown }, log: Logger): Promise<MetricsServer> {
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
    if (req.method === 'GET' && path === '/healthz') {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
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
