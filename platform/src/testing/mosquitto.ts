import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from '../net.js';

/**
 * A real Mosquitto broker for integration tests, on a free port, with persistence in a temp
 * directory so tests can stop (or kill) and restart it and keep retained / queued messages.
 * The limits are raised: Mosquitto's defaults (20 in flight, 1000 queued) drop QoS 1 messages
 * from fast publishers.
 */
export interface TestMosquitto {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and delete the persistence directory. */
  dispose(): Promise<void>;
}

export const MOSQUITTO_BIN = 'mosquitto';

/** A secured test broker: password file, ACL file and/or a TLS listener (see makeTestCertificates()). */
export interface MosquittoOptions {
  port?: number;
  /** Mosquitto password file (`user:$7$…` lines); anonymous clients are then refused. */
  passwordFile?: string;
  /** Mosquitto ACL file. */
  aclFile?: string;
  /** Make the listener TLS-only (url becomes mqtts://). */
  tls?: { caFile: string; certFile: string; keyFile: string; requireClientCertificate?: boolean };
}

export function mosquittoConfig(port: number, dir: string, opts: MosquittoOptions = {}): string {
  const tls = opts.tls
    ? [
        `cafile ${opts.tls.caFile}`,
        `certfile ${opts.tls.certFile}`,
        `keyfile ${opts.tls.keyFile}`,
        `require_certificate ${opts.tls.requireClientCertificate ? 'true' : 'false'}`,
      ]
    : [];
  return [
    `listener ${port} 127.0.0.1`,
    ...tls,
    `allow_anonymous ${opts.passwordFile ? 'false' : 'true'}`,
    ...(opts.passwordFile ? [`password_file ${opts.passwordFile}`] : []),
    ...(opts.aclFile ? [`acl_file ${opts.aclFile}`] : []),
    // Started as root, Mosquitto drops to user "mosquitto", which cannot write the (0700) temp
    // directory: persistence would silently do nothing. Keep the current user.
    `user ${userInfo().username}`,
    'persistence true',
    `persistence_location ${dir}/`,
    'autosave_interval 1',
    'max_inflight_messages 0',
    'max_queued_messages 1000000',
    'max_queued_bytes 0',
    'message_size_limit 1048576',
    'log_dest none',
    '',
  ].join('\n');
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<TestMosquitto> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), 'basin-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, mosquittoConfig(port, dir, opts));
  let proc: ChildProcess | null = null;
  const start = async () => {
    if (proc) return;
    const p = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<never>((_, reject) => p.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${stderr}`))));
    exited.catch(() => undefined);
    proc = p;
    p.once('exit', () => {
      if (proc === p) proc = null;
    });
    await Promise.race([waitForPort(port, 10_000), exited]);
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const p = proc;
    if (!p) return;
    proc = null;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  };
  await start();
  return {
    port,
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    dir,
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
