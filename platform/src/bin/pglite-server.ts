/**
 * Serve embedded PGlite-TimescaleDB over the PostgreSQL wire protocol as its own process, so it
 * can be stopped and restarted like a database server (reliability tests, local experiments).
 *
 *   node --import tsx platform/src/bin/pglite-server.ts --data-dir ./data/pg --port 5433 [--host 127.0.0.1] [--migrate]
 *
 * One connection at a time (others queue): clients must use a pool of one (DATABASE_POOL_MAX=1).
 * Prints one JSON line {"ready":true,"url":...} on stdout when listening. SIGTERM / SIGINT close
 * the database cleanly. Not for production: PGlite does not fsync.
 *
 * PGlite runs a single backend session shared by every connection. servePglite()
 * (@electric-sql/pglite-socket) passes raw socket chunks straight into it, which breaks on
 * protocol messages larger than one socket read (about 64 KB: a 2,000-reading batch insert
 * crashes the wasm backend) and when a client dies mid-message or inside a transaction. This
 * server therefore frames the protocol itself: it hands PGlite only complete messages, serves one
 * connection at a time (others wait), and when a client goes away with a request or a
 * transaction open it ends it (Sync + ROLLBACK) before the next client gets the session.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { createTimescalePglite, migrate, wrapPglite } from '../db.js';
import { createLogger } from '../logger.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string', default: '5433' },
    host: { type: 'string', default: '127.0.0.1' },
    migrate: { type: 'boolean', default: false },
  },
});
const log = createLogger({ name: 'pglite-server', level: 'warn', destination: process.stderr });
const dataDir = values['data-dir'] ?? null;
const pgl = await createTimescalePglite(dataDir);
if (values.migrate) await migrate(wrapPglite(pgl), log);

const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const TERMINATE = 0x58;
function query(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  const b = Buffer.alloc(5 + text.length);
  b.write('Q', 0);
  b.writeInt32BE(4 + text.length, 1);
  text.copy(b, 5);
  return b;
}

/** Split complete messages off a buffer; the startup message has no type byte. */
function takeMessages(buf: Buffer, startup: boolean): { msgs: Buffer[]; rest: Buffer } {
  let at = 0;
  const msgs: Buffer[] = [];
  for (;;) {
    if (startup && msgs.length === 0) {
      if (buf.length - at < 4) break;
      const len = buf.readInt32BE(at);
      if (len < 8 || buf.length - at < len) break;
      msgs.push(buf.subarray(at, at + len));
      at += len;
      continue;
    }
    if (buf.length - at < 5) break;
    const len = buf.readInt32BE(at + 1);
    if (buf.length - at < 1 + len) break;
    msgs.push(buf.subarray(at, at + 1 + len));
    at += 1 + len;
  }
  return { msgs, rest: buf.subarray(at) };
}

/** Transaction status of the last ReadyForQuery in a response, or null if none. */
function lastReadyStatus(out: Uint8Array): string | null {
  let at = 0;
  let status: string | null = null;
  const b = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  while (b.length - at >= 5) {
    const len = b.readInt32BE(at + 1);
    if (b[at] === 0x5a && len === 5) status = String.fromCharCode(b[at + 5]!);
    at += 1 + len;
  }
  return status;
}

/** One connection at a time holds the PGlite session. */
let active: Promise<void> = Promise.resolve();
const sockets = new Set<net.Socket>();

function serve(client: net.Socket): void {
  sockets.add(client);
  let release!: () => void;
  const turn = active;
  active = new Promise<void>((r) => (release = r));
  let buf: Buffer = Buffer.alloc(0);
  let startup = true;
  let sslAnswered = false;
  let txStatus = 'I';
  let busy = false;
  let closed = false;
  let work: Promise<void> = turn;
  const run = (msgs: Buffer[]) => {
    work = work.then(async () => {
      if (closed) return;
      busy = true;
      const out = await pgl.execProtocolRaw(Buffer.concat(msgs));
      const st = lastReadyStatus(out);
      if (st) {
        txStatus = st;
        busy = false;
      }
      if (!closed && out.length > 0) client.write(out);
    });
    work.catch((e: unknown) => {
      log.error({ err: (e as Error).message }, 'protocol error; closing the connection');
      client.destroy();
    });
  };
  client.on('data', (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    // SSLRequest (8 bytes, code 80877103): answer "no SSL".
    if (startup && !sslAnswered && buf.length >= 8 && buf.readInt32BE(0) === 8 && buf.readInt32BE(4) === 80877103) {
      sslAnswered = true;
      buf = buf.subarray(8);
      client.write('N');
    }
    const { msgs, rest } = takeMessages(buf, startup);
    buf = Buffer.from(rest);
    if (msgs.length === 0) return;
    startup = false;
    const keep = msgs.filter((m) => m[0] !== TERMINATE);
    if (keep.length) run(keep);
    if (keep.length < msgs.length) work.finally(() => client.end());
  });
  client.on('error', () => undefined);
  client.on('close', () => {
    sockets.delete(client);
    void work
      .catch(() => undefined)
      .then(async () => {
        closed = true;
        // End whatever the client left open before the next client gets the session.
        if (!startup && (busy || txStatus !== 'I')) await pgl.execProtocolRaw(Buffer.concat([SYNC, query('ROLLBACK')]));
      })
      .catch((e: unknown) => log.error({ err: (e as Error).message }, 'cleanup after a client failed'))
      .finally(() => release());
  });
}

const server = net.createServer(serve);
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(values.port), values.host, () => resolve());
});
const url = `postgresql://postgres@${values.host}:${Number(values.port)}/postgres?sslmode=disable`;
process.stdout.write(`${JSON.stringify({ ready: true, url, dataDir })}\n`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      try {
        server.close();
        for (const c of sockets) c.destroy();
        await active;
        await pgl.close();
      } catch (e) {
        log.error({ err: (e as Error).message }, 'error while stopping');
      }
      process.exit(0);
    })();
  });
}
