import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));

/** Start the child, wait for `ready`, send signals on cue; resolve with exit code and output. */
function runChild(timeoutMs: number, signals: NodeJS.Signals[], o: { windowMs?: number; step?: 'hang' | 'slow'; secondAfterMs?: number } = {}): Promise<{ code: number | null; out: string; ms: number }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, String(timeoutMs), String(o.windowMs ?? 0), o.step ?? 'hang'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let t0 = 0;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready') && t0 === 0) {
        t0 = Date.now();
        p.kill(signals[0]);
      }
      if (out.includes('stopping') && signals[1]) {
        const second = signals.splice(1, 1)[0]!;
        setTimeout(() => p.kill(second), o.secondAfterMs ?? 0);
      }
    });
    p.once('exit', (code) => resolve({ code, out, ms: Date.now() - t0 }));
  });
}

describe('onShutdown', () => {
  it('a second signal after the repeat window exits at once with code 1', async () => {
    const r = await runChild(600_000, ['SIGTERM', 'SIGINT'], { windowMs: 100, secondAfterMs: 300 });
    expect(r.out).toContain('stopping');
    expect(r.out).not.toContain('done');
    expect(r.code).toBe(1);
  });

  it('the same Ctrl-C delivered again (npm and tsx relay it) does not cut the shutdown short', async () => {
    const r = await runChild(600_000, ['SIGINT', 'SIGINT'], { windowMs: 60_000, step: 'slow' });
    expect(r.out).toContain('done');
    expect(r.code).toBe(0);
  });

  it('a shutdown that hangs is cut short by the timeout (code 1)', async () => {
    const r = await runChild(300, ['SIGTERM']);
    expect(r.out).toContain('stopping');
    expect(r.code).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(300);
  });
});
