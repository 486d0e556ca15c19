/**
 * The secured field path on a real Mosquitto: the shipped ACL template (deploy/mosquitto/acl) plus
 * credentials issued by the device command (`npm run device -- issue`), over TLS with certificates
 * made by the shipped script.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@basin/schemas';
import { makeTestCertificates, startMosquitto, type TestCertificates, type TestMosquitto } from '../src/testing/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = path.join(root, 'deploy/mosquitto');

interface Issued {
  username: string;
  password: string;
  passwdLine: string;
}

/** Run the device command as a field engineer would (tsx, like `npm run device --`). */
async function device(args: string[]): Promise<Issued> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(root, 'platform/src/bin/device.ts'), ...args, '--json'], { cwd: root, timeout: 60_000 });
  return JSON.parse(stdout) as Issued;
}

describe('secured Mosquitto (password file + ACL + TLS)', () => {
  let certs: TestCertificates;
  let broker: TestMosquitto;
  const creds: Record<string, Issued> = {};
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    certs = await makeTestCertificates();
    const passwd = path.join(certs.dir, 'passwd');
    const acl = path.join(certs.dir, 'acl');
    copyFileSync(path.join(DEPLOY, 'acl'), acl);
    writeFileSync(passwd, '');
    const files = ['--passwd-file', passwd, '--acl-file', acl];
    creds.hankou = await device(['issue', 'hankou', ...files]);
    creds.gw = await device(['issue', 'gw-1', '--gateway', '--stations', 'yichang,shashi', ...files]);
    creds.ingest = await device(['issue', 'ingest', '--role', 'ingest', ...files]);
    creds.provisioner = await device(['issue', 'provisioner', '--role', 'provisioner', ...files]);
    // Reissuing replaces the old entry: the first hankou password stops working.
    const old = creds.hankou;
    creds.hankou = await device(['issue', 'hankou', ...files]);
    creds.hankouOld = old;
    expect(readFileSync(passwd, 'utf8').match(/^hankou:/gm)).toHaveLength(1);
    expect(readFileSync(acl, 'utf8').match(/^user hankou$/gm)).toHaveLength(1);
    broker = await startMosquitto({ passwordFile: passwd, aclFile: acl, tls: { caFile: certs.caFile, certFile: certs.certFile, keyFile: certs.keyFile } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker?.dispose();
  });

  const connect = async (who: string | null, opts: IClientOptions = {}): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: `t-${who}-${Math.random().toString(36).slice(2, 8)}`,
      ca: readFileSync(certs.caFile),
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...(who ? { username: creds[who]!.username, password: creds[who]!.password } : {}),
      ...opts,
    });
    clients.push(c);
    return c;
  };
  /** Reason code of a QoS 1 publish's PUBACK (0 = accepted; 135 = not authorised). */
  const pubackCode = (c: MqttClient, topic: string, payload = '{}') =>
    new Promise<number>((resolve) => {
      c.publish(topic, payload, { qos: 1 }, (err, packet) => {
        resolve(err ? ((err as { code?: number }).code ?? -1) : ((packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0));
      });
    });
  const subackCodes = async (c: MqttClient, filter: string) => (await c.subscribeAsync(filter, { qos: 1 })).map((g) => g.qos);

  it('refuses a wrong password, an old password and anonymous clients', async () => {
    await expect(connect(null, { username: 'hankou', password: 'not-the-password' })).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
    await expect(connect('hankouOld')).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
    await expect(connect(null)).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
  });

  it('TLS: a client that trusts the CA connects; one without it is refused', async () => {
    const ok = await connect('hankou');
    expect(ok.connected).toBe(true);
    await expect(connect('hankou', { ca: undefined })).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
    await expect(mqtt.connectAsync(broker.url.replace('mqtts:', 'mqtt:'), { reconnectPeriod: 0, connectTimeout: 3000, ...creds.hankou })).rejects.toThrow();
  });

  it('a station publishes only its own topics; ingest receives only those', async () => {
    const ingest = await connect('ingest');
    const received: string[] = [];
    ingest.on('message', (topic) => received.push(topic));
    expect(await subackCodes(ingest, `$share/ingest/${topics.filters.readings[0]}`)).toEqual([1]);
    expect(await subackCodes(ingest, topics.filters.registry)).toEqual([1]);
    const hankou = await connect('hankou');
    expect(await pubackCode(hankou, topics.stationReadings('water', 'hankou'))).toBe(0);
    expect(await pubackCode(hankou, topics.stationReadings('water', 'wuhan-guanqiao'))).toBe(135);
    expect(await pubackCode(hankou, topics.registry('hankou'))).toBe(135);
    expect(await pubackCode(hankou, topics.committed('hankou'))).toBe(135);
    const provisioner = await connect('provisioner');
    expect(await pubackCode(provisioner, topics.registry('hankou'))).toBe(0);
    await waitUntil(() => received.length >= 2);
    await new Promise((r) => setTimeout(r, 300)); // would a refused one trail behind?
    expect(received.sort()).toEqual([topics.stationReadings('water', 'hankou'), topics.registry('hankou')]);
  });

  // Mosquitto 2.0 accepts any subscription and checks the read ACL for each message it would deliver.
  it('a station reads only its own confirmations, a gateway only its stations’; ingest confirms', async () => {
    const hankou = await connect('hankou');
    const gw = await connect('gw');
    const got: Record<string, string[]> = { hankou: [], gw: [] };
    hankou.on('message', (topic) => got.hankou!.push(topic));
    gw.on('message', (topic) => got.gw!.push(topic));
    await hankou.subscribeAsync(['#', topics.filters.readings[0], topics.filters.committed], { qos: 1 });
    await gw.subscribeAsync(['#', topics.filters.committed], { qos: 1 });

    expect(await pubackCode(gw, topics.gatewayReadings('gw-1'))).toBe(0);
    expect(await pubackCode(gw, topics.gatewayReadings('gw-2'))).toBe(135);
    expect(await pubackCode(gw, topics.status('gw-1'))).toBe(0);
    expect(await pubackCode(gw, topics.status('hankou'))).toBe(135);
    expect(await pubackCode(hankou, topics.stationReadings('water', 'hankou'))).toBe(0);
    const ingest = await connect('ingest');
    expect(await pubackCode(ingest, topics.registry('yichang'))).toBe(135);
    for (const st of ['yichang', 'shashi', 'hankou', 'wuhan-guanqiao']) expect(await pubackCode(ingest, topics.committed(st))).toBe(0);
    await waitUntil(() => got.hankou!.length >= 1 && got.gw!.length >= 2);
    await new Promise((r) => setTimeout(r, 300)); // would anything else trail behind?
    // (overlapping subscriptions: a message can arrive once per matching filter)
    expect([...new Set(got.hankou)]).toEqual([topics.committed('hankou')]);
    expect([...new Set(got.gw)].sort()).toEqual([topics.committed('shashi'), topics.committed('yichang')]);
  });
});

async function waitUntil(fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
