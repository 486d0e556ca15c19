import type { Db } from '@basin/platform';
import { insertKey } from './keys.js';
import { isRole, systemPrincipal } from './roles.js';
import { audit } from '../ops/audit.js';

/**
 * `twin-engine create-key --name NAME --role viewer|operator|admin`: the way to the first admin key
 * (later keys are made over the API by an admin). Prints the key once; returns the exit code.
 */
export async function createKeyCommand(db: Db, args: string[], out: (s: string) => void): Promise<number> {
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const name = arg('name');
  const role = arg('role') ?? 'admin';
  if (!name || !isRole(role)) {
    out('usage: create-key --name NAME [--role viewer|operator|admin]\n');
    return 2;
  }
  const actor = systemPrincipal('cli');
  const { key, token } = await db.transaction(async (tx) => {
    const made = await insertKey(tx, { name, role, createdBy: actor.actor });
    await audit(tx, { actor, action: 'api_key.create', subjectType: 'api_key', subjectId: made.key.id, after: made.key });
    return made;
  });
  out(`API key ${key.id} (${key.role}, "${key.name}") — shown once, store it now:\n${token}\n`);
  return 0;
}
