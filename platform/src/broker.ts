import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { AedesOptions, Client } from 'aedes';
import { PlatformErrors } from './errors.js';
import type { Logger } from './logger.js';
import { grantsOf, mayPublish, maySubscribe, type MqttGrant, type MqttRole } from './mqtt-acl.js';

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Who may do what on the embedded broker: the roles of src/mqtt-acl.ts (the Mosquitto ACL's table).
 * Users log in with a password; everyone else (no or unknown user name) gets the `anonymous` roles,
 * or is refused when that list is empty.
 */
export interface EmbeddedBrokerAccess {
  users: Readonly<Record<string, { password: string; roles: readonly MqttRole[] }>>;
  anonymous: readonly MqttRole[];
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** aedes hooks enforcing `access` (without it the broker is open, except $SYS). */
export function accessHooks(access: EmbeddedBrokerAccess, log?: Logger): Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> {
  const users = new Map(Object.entries(access.users).map(([name, u]) => [name, { hash: digest(u.password), grants: u.roles.flatMap(grantsOf) }]));
  const anonymous = access.anonymous.flatMap(grantsOf);
  const grantsOfClient = new WeakMap<Client, MqttGrant[]>();
  return {
    authenticate(client, username, password, done) {
      const user = username === undefined ? undefined : users.get(username);
      if (user) {
        if (password && timingSafeEqual(digest(password.toString()), user.hash)) {
          grantsOfClient.set(client, user.grants);
          return done(null, true);
        }
        log?.warn({ client: client.id, username }, 'mqtt login refused: wrong password');
        return done(Object.assign(new Error('bad user name or password'), { returnCode: 4 as const }), false);
      }
      if (anonymous.length === 0) return done(Object.assign(new Error('not authorised'), { returnCode: 5 as const }), false);
      grantsOfClient.set(client, anonymous);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      // client is null only for the will of a client gone with another broker instance
      if (client && !mayPublish(grantsOfClient.get(client) ?? [], packet.topic)) {
        log?.warn({ client: client.id, topic: packet.topic }, 'mqtt publish refused (not authorised); connection closed');
        return done(new Error(`not authorised to publish to ${packet.topic}`));
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      if (maySubscribe(grantsOfClient.get(client) ?? [], sub.topic)) return done(null, sub);
      log?.warn({ client: client.id, filter: sub.topic }, 'mqtt subscription refused (not authorised)');
      done(null, null); // SUBACK 128
    },
  };
}

/**
 * Start an embedded aedes MQTT broker (MQTT 3.1.1, no shared subscriptions) on host:port.
 * Port 0 picks a free port. For development and single-process deployments only. With `access`,
 * clients get the roles of the Mosquitto ACL (deploy/mosquitto/README.md says where aedes differs).
 */
export async function startEmbeddedBroker(opts: {
  host: string;
  port: number;
  log?: Logger;
  fallbackToFreePort?: boolean;
  access?: EmbeddedBrokerAccess;
}): Promise<EmbeddedBroker> {
  const log = opts.log;
  const listen = (server: net.Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    const { Aedes } = await import('aedes'); // loaded on first use, not with @basin/platform
    const aedes = await Aedes.createBroker({ concurrency: 1000, queueLimit: 100_000, ...(opts.access ? accessHooks(opts.access, log) : {}) });
    aedes.on('clientError', (client, err) => log?.debug({ client: client?.id, err: err.message }, 'mqtt client error'));
    aedes.on('connectionError', (_client, err) => log?.debug({ err: err.message }, 'mqtt connection error'));
    const server = net.createServer(aedes.handle);
    try {
      await listen(server, opts.port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !(opts.fallbackToFreePort ?? true) || opts.port === 0) throw e;
      log?.warn({ port: opts.port }, 'MQTT port in use (another broker?); the embedded broker takes a free port instead');
      await listen(server, 0);
    }
    const port = (server.address() as net.AddressInfo).port;
    const url = `mqtt://${opts.host}:${port}`;
    log?.info({ url }, 'embedded MQTT broker (aedes) listening');
    return {
      url,
      port,
      async close() {
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  } catch (e) {
    throw PlatformErrors.BROKER_START_FAILED(e);
  }
}
