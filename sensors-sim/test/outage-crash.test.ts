import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeReadingPayload, parseTopic, topics } from '@basin/schemas';
import { startMosquitto, type TestMosquitto } from '@basin/platform/testing';
import { selectStations } from '../src/stations.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts');
const T0 = Date.UTC(2026, 6, 1);
const SEED = 7;
const COUNT = 40;

let broker: TestMosquitto;
let dir: string;
beforeAll(async () => {
  broker = await startMosquitto();
  dir = mkdtempSync(path.join(tmpdir(), 'sim-outage-crash-'));
});
afterAll(async () => {
  await broker?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (cond: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('gateway outage with backfill', () => {
  it('keeps the readings a gateway stores during its outage across a kill -9 of the simulator', async () => {
    // gw-han is down from hour 0.5 to hour 2.5 of a 3 h window; at 3600x that is wall seconds 0.5-2.5.
    const scenarioFile = path.join(dir, 'han-outage.json');
    writeFileSync(
      scenarioFile,
      JSON.stringify({ name: 'han-outage', title: 'Han gateway outage', durationH: 3, gatewayOutages: [{ gateways: ['gw-han'], fromH: 0.5, toH: 2.5, backfill: true }] }),
    );
    const outbox = path.join(dir, 'outbox');
    const manifest = path.join(dir, 'manifest.json');
    const args = [
      ...['--import', 'tsx', CLI, 'run', '--scenario', scenarioFile, '--stations', String(COUNT), '--seed', String(SEED)],
      ...['--start', new Date(T0).toISOString(), '--duration', '3h', '--speed', '3600', '--url', broker.url, '--client-id', 'it-outage-crash'],
      ...['--outbox', outbox, '--manifest', manifest, '--quiet', '--confirm', 'puback'],
    ];

    // A QoS 1 subscriber, connected before the simulator starts and for the whole test.
    const seqs = new Map<string, number[]>();
    let maxTs = 0;
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'it-outage-crash-sub', clean: true, protocolVersion: 4 });
    sub.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      if (!t || t.kind !== 'station_readings') return;
      for (const r of decodeReadingPayload(payload, t.station).readings) {
        const list = seqs.get(r.station) ?? [];
        list.push(r.seq!);
        seqs.set(r.station, list);
        maxTs = Math.max(maxTs, r.ts);
      }
    });
    await sub.subscribeAsync([...topics.filters.readings], { qos: 1 });

    // First run: killed with SIGKILL in the middle of the outage (no clean stop, nothing flushed on exit).
    const first = spawn(process.execPath, args, { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => first.on('exit', (_code, sig) => r(sig)));
    // Killed as soon as gw-han's held file has data: inside the outage whatever the subscriber's lag
    // (waiting for the subscriber to see hour 1.5 first missed the outage on a loaded machine).
    const heldFile = () => (existsSync(outbox) ? readdirSync(outbox).find((f) => f.startsWith('held-')) : undefined);
    await until(() => {
      const f = heldFile();
      return !!f && statSync(path.join(outbox, f)).size > 0;
    });
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(manifest)).toBe(false); // it really died before its summary
    const heldBefore = statSync(path.join(outbox, heldFile()!)).size;
    expect(heldBefore).toBeGreaterThan(0);

    // Second run, same options: resumes from the outbox and its held file.
    const second = spawn(process.execPath, args, { stdio: 'ignore' });
    const code = await new Promise<number | null>((r) => second.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(heldFile()).toBeUndefined(); // released into the log and deleted

    const stations = selectStations({ seed: SEED, count: COUNT });
    const han = stations.filter((s) => s.gateway === 'gw-han');
    expect(han.length).toBeGreaterThan(0);
    const m = (JSON.parse(readFileSync(manifest, 'utf8')) as { stations: Record<string, { published: { last: number; count: number } }> }).stations;
    const expected = (id: string) => 180 * stations.find((s) => s.id === id)!.metrics.length;
    await until(() => stations.every((s) => new Set(seqs.get(s.id)).size >= expected(s.id)), 30_000);
    await sub.endAsync();
    for (const s of stations) {
      const uniq = [...new Set(seqs.get(s.id))].sort((a, b) => a - b);
      // every reading of every station of the 3 h window, including all readings gw-han stored: 1..N, no gaps
      expect(uniq.length, `${s.id} received`).toBe(expected(s.id));
      expect(uniq[0]).toBe(1);
      expect(uniq.at(-1), `${s.id} has no gaps`).toBe(uniq.length);
      expect(m[s.id]!.published.last).toBe(uniq.length);
    }
  });
});
