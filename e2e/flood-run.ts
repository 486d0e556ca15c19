/**
 * A 2020 flood scenario run through the server system (e2e/system.ts) at high speed, for the flood
 * e2e tests: the history as fast as it goes, then the rest paced so the forecast (re-run 1 s after
 * new readings, one run at a time) issues a run every few simulated hours; and the alerts and plan
 * tasks the system opened.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import type { Db } from '@basin/platform';
import * as sim from '@basin/sensors-sim';
import { startServerSystem, type ServerSystem } from './system.js';

export const HOUR = 3_600_000;
export const ms = (x: number | string | Date) => new Date(x).getTime();
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
const simStations = BASIN_STATIONS.filter((s) => s.kind === 'hydrology_gauge' || s.kind === 'reservoir');
/** Wall seconds per simulated hour in the paced part: 0.8, slower when a forecast run takes longer here (a run every ~4 simulated hours at most). */
const pace = (runS: number) => Math.min(2, Math.max(0.8, (runS + 1) / 4));

/**
 * The scenario as a run starting `h` hours in: scenario hours count from the start of a run, so
 * the later part of the flood is the same scenario with its hours moved back by `h` (the season is
 * pinned and the noise depends on the absolute time: the readings are the same).
 */
function scenarioFrom(scenario: string, h: number): string {
  const s = sim.resolveScenario(scenario);
  expect([s.pulses, s.spills, s.airEpisodes, s.faults, s.gatewayOutages].every((l) => l.length === 0), 'only reservoirs and rain carry times').toBe(true);
  const name = `${scenario}-from-${h}h`;
  const doc = {
    ...s,
    name,
    reservoirs: s.reservoirs.map((r) => ({ ...r, atH: r.atH - h, ...(r.releaseAtH === undefined ? {} : { releaseAtH: r.releaseAtH - h }) })),
    rain: s.rain.map((e) => ({ ...e, fromH: e.fromH - h, toH: e.toH - h })),
  };
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'basin-scenario-')), `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

export interface FloodRun {
  scenario: string;
  /** Epoch ms of the scenario's hour 0. */
  t0: number;
  /** Scenario hours: published from `fromH` to `fastUntilH` as fast as it goes, then paced to `endH`. */
  fromH: number;
  fastUntilH: number;
  endH: number;
  /** Gauges whose warning crossings the last forecast run must have scored before the run is over. */
  scored: readonly string[];
}

/** The server system; `name`: client id prefix of ingest and the simulator runs. */
export type FloodSystem = ServerSystem & { name: string };

/**
 * Mosquitto, a TimescaleDB server, ingest keeping the 2020 readings as they are (accepted: max
 * past; kept: no raw retention; left uncompressed) and twin-engine (forecast re-run 1 s after new
 * readings).
 */
export async function startFloodSystem(name: string): Promise<FloodSystem> {
  const system = await startServerSystem({
    ingestEnv: { INGEST_CLIENT_ID: `${name}-ingest`, INGEST_BATCH_MS: '50', INGEST_MAX_PAST_DAYS: '3650', INGEST_RETAIN_RAW: 'off', INGEST_COMPRESS_AFTER: 'off', INGEST_RUN_JOBS: 'false' },
    twinEnv: { WEBHOOKS_ENABLED: 'false', FORECAST_QUIET_S: '1', FORECAST_MAX_WAIT_S: '1' },
  });
  return { ...system, name };
}

/** The flood published through the system, then the forecast runs settled and the evaluator's alerts committed. */
export async function runFlood(system: FloodSystem, run: FloodRun): Promise<void> {
  const tw = system.twin;
  const publish = (fromH: number, toH: number, speed: number, part: string) =>
    system.publish({ scenario: scenarioFrom(run.scenario, fromH), seed: 3, intervalS: 3600, speed, clientId: `${system.name}-${part}`, stations: simStations, start: run.t0 + fromH * HOUR, end: run.t0 + toH * HOUR });

  await publish(run.fromH, run.fastUntilH, 1e7, 'history');
  await tw.forecasts!.settled();
  const t = performance.now();
  await tw.forecasts!.runNow();
  await publish(run.fastUntilH, run.endH, Math.round(3600 / pace((performance.now() - t) / 1000)), 'paced');

  // The last run (after the quiet period) scores the crossings; the evaluator commits its alerts.
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    const r = await system.db.query<{ n: number }>(`SELECT count(DISTINCT station)::int AS n FROM crossing_skill WHERE level = 'warning' AND outcome = 'hit' AND station = ANY($1::text[])`, [[...run.scored]]);
    if (r.rows[0]!.n >= run.scored.length) break;
  }
  await tw.forecasts?.settled();
  await tw.evaluator.drain();
}

export interface OpenedAlert {
  id: string;
  rule_id: string;
  station: string;
  /** Severity the alert opened with (the audit record of its opening; overdue plan tasks escalate it later). */
  severity: string;
  /** Event time: the reading's time, or the forecast run's issue time. */
  opened_at: Date;
  /** Wall-clock time the system opened it. */
  logged_at: Date;
  evidence: { readings: { ts: number; value: number; metric: string }[]; forecast?: { issuedAt: number; crossingAt: number | null } };
}

/** The forecast and observed flood warnings opened (at `station`, or anywhere), in the order the system opened them. */
export async function floodAlerts(db: Db, station?: string): Promise<OpenedAlert[]> {
  const r = await db.query<OpenedAlert>(
    `SELECT a.id::text, a.rule_id, a.station, l.after ->> 'severity' AS severity, a.opened_at, l.at AS logged_at, l.after -> 'evidence' AS evidence
     FROM alerts a JOIN audit_log l ON l.subject_type = 'alert' AND l.subject_id = a.id::text AND l.action = 'alert.open'
     WHERE a.rule_id IN ('flood-forecast-warning', 'flood-level-gauges')${station === undefined ? '' : ' AND a.station = $1'} ORDER BY l.at, a.id`,
    station === undefined ? [] : [station],
  );
  return r.rows;
}

export interface CreatedTask {
  alert_id: string;
  plan_id: string;
  station: string;
}

/** The tasks created (at `station`, or anywhere). */
export async function createdTasks(db: Db, station?: string): Promise<CreatedTask[]> {
  const where = station === undefined ? '' : ' WHERE station = $1';
  return (await db.query<CreatedTask>(`SELECT alert_id::text, plan_id, station FROM tasks${where}`, station === undefined ? [] : [station])).rows;
}
