import { ReconnectBackoff, type DatabaseSettings, type Db, type EmbeddedDb, type Logger } from '@basin/platform';

/** Channels notified by the migration's triggers (platform/migrations/006_twin.sql) and by stored forecast runs (forecast/store.ts). */
export const CHANNELS = { readings: 'basin_readings', stations: 'basin_stations', devices: 'basin_devices', forecasts: 'basin_forecasts' } as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

export interface Listener {
  /** True while notifications can arrive (the LISTEN connection is up). */
  connected(): boolean;
  close(): Promise<void>;
}

/**
 * LISTEN on the twin's channels. Embedded PGlite: its own `listen` (one connection, delivered at
 * commit). Server: one dedicated `pg` client (not from the pool) that reconnects with backoff and
 * calls `onReconnect` so the caller can catch up on what it missed while disconnected.
 */
export async function listen(
  db: Db,
  settings: DatabaseSettings,
  onNotify: (channel: Channel, payload: string) => void,
  opts: { log: Logger; onReconnect: () => Promise<void> | void },
): Promise<Listener> {
  const channels = Object.values(CHANNELS);
  if (db.kind === 'embedded') {
    const pgl = (db as EmbeddedDb).pglite;
    const offs = await Promise.all(channels.map((c) => pgl.listen(c, (p) => onNotify(c, p))));
    return { connected: () => true, close: async () => void (await Promise.all(offs.map((off) => off()))) };
  }
  if (settings.mode !== 'server') throw new Error('server database without server settings');
  const { default: pg } = await import('pg');
  let closed = false;
  let client: InstanceType<typeof pg.Client> | null = null;
  let retry: NodeJS.Timeout | null = null;
  // Jittered (platform backoff.ts): twin-engine processes that lose one server do not all return at once.
  const backoff = new ReconnectBackoff({ baseMs: 250, maxMs: 10_000 });
  const connect = async (first: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString: settings.connectionString, host: settings.host, port: settings.port, user: settings.user, password: settings.password, database: settings.database });
    c.on('notification', (m) => onNotify(m.channel as Channel, m.payload ?? ''));
    c.on('error', (err) => {
      opts.log.warn({ err: err.message }, 'LISTEN connection lost; reconnecting');
      schedule();
    });
    c.on('end', () => schedule());
    try {
      await c.connect();
      for (const ch of channels) await c.query(`LISTEN ${ch}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      if (first) throw e;
      schedule();
      return;
    }
    client = c;
    backoff.reset();
    if (!first) await opts.onReconnect();
  };
  const schedule = () => {
    if (closed || retry) return;
    client = null;
    retry = setTimeout(() => {
      retry = null;
      void connect(false);
    }, backoff.next());
  };
  await connect(true);
  return {
    connected: () => client !== null,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await (client as InstanceType<typeof pg.Client> | null)?.end().catch(() => undefined);
    },
  };
}
