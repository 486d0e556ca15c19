import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The shipped certificate script (deploy/mosquitto/make-certs.sh): tests use what users run. */
export const MAKE_CERTS_SCRIPT = fileURLToPath(new URL('../../../deploy/mosquitto/make-certs.sh', import.meta.url));

export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** A private CA, a server certificate for 127.0.0.1 / localhost and a client certificate (openssl). */
export async function makeTestCertificates(dir = mkdtempSync(path.join(tmpdir(), 'basin-certs-'))): Promise<TestCertificates> {
  await promisify(execFile)('sh', [MAKE_CERTS_SCRIPT, dir, 'localhost'], { timeout: 60_000 });
  const f = (name: string) => path.join(dir, name);
  return { dir, caFile: f('ca.crt'), certFile: f('server.crt'), keyFile: f('server.key'), clientCertFile: f('client.crt'), clientKeyFile: f('client.key') };
}
