import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@basin/platform';
import { startMqttSource } from '../src/mqtt-source.js';
import { silentLog, testConfig, waitFor } from './helpers.js';

/**
 * ingest's MQTT client over TLS (mqtts://) against a Mosquitto TLS listener that requires a client
 * certificate, with a CA and certificates this test makes (openssl).
 */
describe('mqtts:// with CA and client certificate', () => {
  let dir: string;
  let port: number;
  let broker: ChildProcess;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'basin-tls-'));
    const f = (n: string) => path.join(dir, n);
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=basin test CA', '-keyout', f('ca.key'), '-out', f('ca.crt'));
    for (const [name, cn, ext] of [
      ['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
      ['client', 'ingest', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
      writeFileSync(f(`${name}.ext`), `${ext}\n`);
      ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`));
    }
    port = await freePort();
    writeFileSync(
      f('mosquitto.conf'),
      [
        `listener ${port} 127.0.0.1`,
        `user ${userInfo().username}`,
        `cafile ${f('ca.crt')}`,
        `certfile ${f('server.crt')}`,
        `keyfile ${f('server.key')}`,
        'require_certificate true',
        'use_identity_as_username true',
        'allow_anonymous false',
        'log_dest none',
        '',
      ].join('\n'),
    );
    broker = spawn('mosquitto', ['-c', f('mosquitto.conf')], { stdio: 'ignore' });
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect(port, '127.0.0.1');
          s.once('connect', () => (s.destroy(), resolve(true)));
          s.once('error', () => resolve(false));
        }),
      10_000,
      50,
    );
  });
  afterAll(async () => {
    if (broker && broker.exitCode === null) await new Promise((r) => (broker.once('exit', r), broker.kill()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects and subscribes with the CA, client certificate and key from the configuration', async () => {
    const config = testConfig({
      INGEST_CLIENT_ID: 'ingest-tls-test',
      INGEST_MQTT_CA: path.join(dir, 'ca.crt'),
      INGEST_MQTT_CERT: path.join(dir, 'client.crt'),
      INGEST_MQTT_KEY: path.join(dir, 'client.key'),
    });
    const src = await startMqttSource({ url: `mqtts://127.0.0.1:${port}`, config, log: silentLog, onMessage: () => undefined, onConnected: () => undefined });
    expect(src.isConnected).toBe(true);
    await src.stop();
  });
});
