import type { Logger } from '@basin/platform';
import type { IngestConfig } from './config.js';
import { evaluateHealth, type HealthInput, type HealthReport } from './health.js';
import { serveMetrics, type IngestMetrics, type MetricsServer } from './metrics.js';
import type { BatchCommitted, Pipeline } from './pipeline.js';

/** Counters of one ingest service (also in Prometheus, see metrics.ts). */
export interface IngestCounters {
  received: number;
  stored: number;
  duplicates: number;
  conflicts: number;
  deadLettered: Record<string, number>;
  batches: number;
}

export function countBatch(counters: IngestCounters, metrics: IngestMetrics, b: BatchCommitted): void {
  counters.stored += b.inserted;
  counters.duplicates += b.duplicates;
  counters.conflicts += b.conflicts;
  counters.batches++;
  for (const [reason, n] of metrics.observeBatch(b)) counters.deadLettered[reason] = (counters.deadLettered[reason] ?? 0) + n;
}

export interface Observability {
  readonly url: string | null;
  /** The worker's health now (what /healthz and /readyz answer). */
  health(): HealthReport;
  close(): Promise<void>;
}

/** Gauges sampled every second, and /metrics, /healthz, /readyz when enabled. */
export async function startObservability(
  config: IngestConfig,
  metrics: IngestMetrics,
  pipeline: Pipeline,
  state: () => Pick<HealthInput, 'mqttConnected' | 'paused' | 'stopping'>,
  log: Logger,
): Promise<Observability> {
  const gaugeTimer = setInterval(() => {
    const oldest = pipeline.oldestPendingAt;
    metrics.lag.set(oldest === null ? 0 : (Date.now() - oldest) / 1000);
    metrics.pendingMessages.set(pipeline.pendingMessages);
    metrics.pendingReadings.set(pipeline.pendingReadings);
    metrics.mqttConnected.set(state().mqttConnected ? 1 : 0);
  }, 1000);
  gaugeTimer.unref();
  const health = () =>
    evaluateHealth({
      ...state(),
      now: Date.now(),
      failure: pipeline.failure,
      oldestPendingAt: pipeline.oldestPendingAt,
      maxLagMs: config.maxLagMs,
      pendingMessages: pipeline.pendingMessages,
      pendingReadings: pipeline.pendingReadings,
    });
  let server: MetricsServer | null = null;
  if (config.metrics.enabled) {
    try {
      server = await serveMetrics(metrics, config.metrics.host, config.metrics.port, health, log);
    } catch (e) {
      log.warn({ err: (e as Error).message, port: config.metrics.port }, 'cannot serve /metrics; continuing without it');
    }
  }
  return {
    url: server?.url ?? null,
    health,
    async close() {
      clearInterval(gaugeTimer);
      await server?.close();
    },
  };
}
