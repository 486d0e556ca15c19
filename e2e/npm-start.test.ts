/**
 * `npm start` on embedded defaults: one process with broker, database, ingest, twin-engine and
 * simulator; the README's curl line returns stored readings within 60 s; Ctrl-C stops cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@basin/platform';

const root = path.resolve(import.meta.dirname, '..');

describe('npm start', () => {
  let proc: ChildProcess | null = null;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'basin-start-'));
  let output = '';

  afterAll(() => {
    proc?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves stored readings within 60 s and stops cleanly on SIGINT', async () => {
    const httpPort = await freePort();
    const mqttPort = await freePort();
    const started = Date.now();
    proc = spawn('npm', ['start'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, HTTP_PORT: String(httpPort), MQTT_EMBEDDED_PORT: String(mqttPort), LOG_LEVEL: 'warn', DATABASE_URL: '', MQTT_URL: '', PGHOST: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));

    let exited = false;
    proc.once('exit', () => (exited = true));
    let latest: unknown[] = [];
    while (Date.now() - started < 60_000 && !exited) {
      try {
        const r = await fetch(`http://127.0.0.1:${httpPort}/api/readings/latest`);
        latest = (await r.json()) as unknown[];
        if (Array.isArray(latest) && latest.length > 0) break;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(latest.length, output).toBeGreaterThan(0);
    expect(output).toContain(`http://localhost:${httpPort}/`);
    const page = await (await fetch(`http://127.0.0.1:${httpPort}/`)).text();
    expect(page).toContain('<section id="globe"');

    // Ctrl-C: the terminal signals the whole process group (npm and the system under it).
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc!.once('close', (code, signal) => resolve({ code, signal })),
    );
    process.kill(-proc.pid!, 'SIGINT');
    const { code, signal } = await exit;
    proc = null;
    expect(code === 0 || signal === 'SIGINT', `exit ${code} ${signal}`).toBe(true);
    expect(output).toContain('basin-twin stopped cleanly');
    await expect(fetch(`http://127.0.0.1:${httpPort}/api/health`)).rejects.toThrow();
  }, 120_000);
});
