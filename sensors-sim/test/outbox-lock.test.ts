/**
 * The outbox lock across processes: of several processes opening the same outbox at once exactly
 * one gets it; a lock left by a killed process is taken over at once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../src/outbox.js';

const OUTBOX = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'outbox.ts');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'outbox-lock-'));
  dirs.push(d);
  return d;
};

/** A process that waits for `go` (a file's mtime), opens the outbox, reports, holds it for a while. */
function contender(dir: string, startAt: number): Promise<string> {
  const code = `
    const { Outbox } = await import(${JSON.stringify(OUTBOX)});
    while (Date.now() < ${startAt}) {}
    try { const ob = Outbox.open(${JSON.stringify(dir)}); process.stdout.write('got'); setTimeout(() => ob.close(), 3000); }
    catch (e) { process.stdout.write(e.code ?? String(e)); }`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', () => resolve(out));
  });
}

describe('outbox lock', () => {
  it('of four processes opening one outbox at the same instant, exactly one gets it', async () => {
    const dir = fresh();
    // Start together well after every process has loaded (a loaded machine takes seconds).
    const startAt = Date.now() + 15_000;
    const results = await Promise.all([0, 1, 2, 3].map(() => contender(dir, startAt)));
    expect(results.filter((r) => r === 'got')).toHaveLength(1);
    expect(results.filter((r) => r === 'SIM_OUTBOX_LOCKED')).toHaveLength(3);
  }, 120_000);

  it('takes over a lock whose process is dead, and refuses one whose process lives', () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'lock'), '2147483646'); // no such process
    const ob = Outbox.open(dir);
    ob.close();
    writeFileSync(path.join(dir, 'lock'), String(process.ppid));
    expect(() => Outbox.open(dir)).toThrow(expect.objectContaining({ code: 'SIM_OUTBOX_LOCKED' }));
  });
});
