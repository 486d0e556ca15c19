import type { Queryable } from '@basin/platform';
import { insertKey } from './auth/keys.js';
import type { Role } from './auth/roles.js';

/**
 * Test helpers (the `@basin/twin-engine/testing` subpath): an API key of a role, made the way the
 * `create-key` admin command makes it, for tests that drive the API or the viewer as an operator.
 */
export async function createApiKey(db: Queryable, name: string, role: Role): Promise<string> {
  return (await insertKey(db, { name, role, createdBy: 'test' })).token;
}
