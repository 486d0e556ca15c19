import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Child processes for the reliability tests: ingest (src/main.ts) run as its own process. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Child {
  readonly proc: ChildProcess;
  /** Resolves with the first stdout line matching `ready`. */
  readonly ready: Promise<string>;
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnTs(script: string, args: string[], env: Record<string, string>, ready: RegExp, logFile: WriteStream): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, script), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  let resolveReady!: (l: string) => void;
  let rejectReady!: (e: Error) => void;
  const readyP = new Promise<string>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  proc.stdout!.on('data', (d: Buffer) => {
    logFile.write(d);
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (ready.test(line)) resolveReady(line);
    }
  });
  proc.stderr!.on('data', (d: Buffer) => logFile.write(d));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      rejectReady(new Error(`${script} exited (${code}) before ready`));
      resolve(code);
    }),
  );
  readyP.catch(() => undefined);
  return {
    proc,
    ready: readyP,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await exited;
    },
  };
}

export function logTo(file: string): WriteStream {
  return createWriteStream(file, { flags: 'a' });
}
