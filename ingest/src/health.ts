import type { CommitFailure } from './pipeline.js';

/**
 * Health of one ingest worker, from what it knows (pure; the clock is passed in).
 * - live (`/healthz`): degraded while commits fail, the oldest unacknowledged message is older
 *   than the lag limit, or the broker connection is down — with the reasons.
 * - ready (`/readyz`): as live, and also not ready while reading is paused for backpressure or the
 *   worker is stopping.
 */
export interface HealthInput {
  now: number;
  mqttConnected: boolean;
  failure: CommitFailure | null;
  oldestPendingAt: number | null;
  maxLagMs: number;
  paused: boolean;
  stopping: boolean;
  pendingMessages: number;
  pendingReadings: number;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  /** For /healthz compatibility: status === 'ok'. */
  ok: boolean;
  ready: boolean;
  reasons: string[];
  mqtt: boolean;
  lagSeconds: number;
  pendingMessages: number;
  pendingReadings: number;
  commitFailure: { since: string; attempts: number; code: string | null; message: string } | null;
}

export function evaluateHealth(h: HealthInput): HealthReport {
  const reasons: string[] = [];
  if (!h.mqttConnected) reasons.push('mqtt: not connected to the broker');
  if (h.failure) reasons.push(`commits failing for ${Math.round((h.now - h.failure.since) / 1000)} s (${h.failure.code ?? 'no code'}: ${h.failure.message})`);
  const lagMs = h.oldestPendingAt === null ? 0 : Math.max(0, h.now - h.oldestPendingAt);
  if (lagMs > h.maxLagMs) reasons.push(`lag: oldest unacknowledged message is ${Math.round(lagMs / 1000)} s old (limit ${Math.round(h.maxLagMs / 1000)} s)`);
  const ok = reasons.length === 0;
  const notReady = [...reasons];
  if (h.paused) notReady.push('backpressure: reading paused until held messages are committed');
  if (h.stopping) notReady.push('stopping');
  return {
    status: ok ? 'ok' : 'degraded',
    ok,
    ready: notReady.length === 0,
    reasons: notReady,
    mqtt: h.mqttConnected,
    lagSeconds: lagMs / 1000,
    pendingMessages: h.pendingMessages,
    pendingReadings: h.pendingReadings,
    commitFailure: h.failure ? { since: new Date(h.failure.since).toISOString(), attempts: h.failure.attempts, code: h.failure.code, message: h.failure.message } : null,
  };
}
