import { BASIN_STATIONS } from '@basin/schemas';
import { createLogger, migrate, openEmbeddedDb, openServerDb, upsertStations, type Db, type Env } from '@basin/platform';
import { startTimescale, type TestTimescale } from '@basin/platform/testing';
import { buildApp, loadConfig } from '../src/index.js';
import { insertKey } from '../src/auth/keys.js';
import type { Role } from '../src/auth/roles.js';
import type { TwinState } from '../src/state/twin.js';

export const silent = createLogger({ level: 'silent' });

/** A migrated database with the basin stations: embedded, or a fresh database on a TimescaleDB server. */
export async function testDb(kind: 'embedded' | 'server', ts?: TestTimescale): Promise<Db> {
  const db = kind === 'embedded' ? await openEmbeddedDb(null) : openServerDb({ mode: 'server', connectionString: await ts!.createDatabase(), poolMax: 8 });
  await migrate(db);
  await upsertStations(db, BASIN_STATIONS);
  return db;
}

export { startTimescale };

/** One API key per role, for `authorization` headers. */
export async function roleKeys(db: Db): Promise<Record<Role, string>> {
  const out = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin'] as const) out[role] = (await insertKey(db, { name: `test ${role}`, role, createdBy: 'test' })).token;
  return out;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The app on `db`; with a twin (live state and model) its state, model and spill routes are registered too. */
export async function testApp(db: Db, env: Env = {}, twin?: TwinState) {
  return buildApp({ config: loadConfig({ VIEWER_DIR: '/nonexistent', ...env }), db, log: silent, ...(twin ? { twin } : {}) });
}
