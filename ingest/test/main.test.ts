import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO, logTo, spawnTs } from './processes.js';

/** The standalone process: --help, and a prompt exit on SIGTERM when idle. */
describe('ingest process (src/main.ts)', () => {
  it('--help describes every variable, INGEST_HJ212_MN_MAP as MN=station pairs', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(REPO, 'ingest/src/main.ts'), '--help'], { cwd: REPO });
    const line = stdout.split('\n').find((l) => l.includes('INGEST_HJ212_MN_MAP')) ?? '';
    expect(line).toContain('MN=station');
    expect(line).not.toMatch(/JSON/);
    expect(stdout).toContain('INGEST_MQTT_CA');
  });

  it('stops promptly on SIGTERM when idle', async () => {
    const child = spawnTs(
      'ingest/src/main.ts',
      [],
      { DATA_DIR: 'memory', INGEST_METRICS_PORT: '0', MQTT_EMBEDDED_PORT: '0', LOG_LEVEL: 'info', MQTT_URL: '' },
      /ingest ready/,
      logTo(path.join(tmpdir(), `basin-ingest-main-test-${process.pid}.log`)),
    );
    await child.ready;
    const t0 = Date.now();
    child.proc.kill('SIGTERM');
    const code = await child.exited;
    // Idle shutdown takes well under a second here; the bound only catches a return of the old
    // fixed 5 s wait without being fragile on a loaded machine.
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(4000);
  });
});
