/**
 * Field engineers' credentials command for the secured Mosquitto broker (deploy/mosquitto/).
 *
 *   npm run device -- issue <station-id>                                   a station
 *   npm run device -- issue <gateway-id> --gateway --stations s1,s2,...    a gateway and its stations
 *   npm run device -- issue <user> --role ingest|provisioner|simulator|monitor   a service account
 *
 * Options: --password <pw> (default: 32 random characters), --passwd-file <path> and --acl-file <path>
 * (update those files in place: the user's old line / block is replaced), --json (one JSON object).
 * Prints the user name, the password (shown once: give it to the device), the password-file line and
 * the ACL block. Mosquitto rereads both files on SIGHUP (`docker compose kill -s HUP mosquitto`).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { MqttRole } from '../mqtt-acl.js';
import { issueCredentials, upsertAclBlock, upsertPasswdLine } from '../mqtt-credentials.js';

const SERVICE_ROLES = ['ingest', 'provisioner', 'simulator', 'monitor'] as const;

function usage(msg?: string): never {
  if (msg) process.stderr.write(`${msg}\n\n`);
  process.stderr.write(readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]!.replace(/^\/\*\*\n/, '').replace(/^ \* ?/gm, ''));
  process.exit(msg ? 2 : 0);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    gateway: { type: 'boolean', default: false },
    stations: { type: 'string' },
    role: { type: 'string' },
    password: { type: 'string' },
    'passwd-file': { type: 'string' },
    'acl-file': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) usage();
const [command, id] = positionals;
if (command !== 'issue' || !id || positionals.length !== 2) usage('expected: issue <id>');

let role: MqttRole;
if (values.role) {
  const kind = values.role as (typeof SERVICE_ROLES)[number];
  if (!SERVICE_ROLES.includes(kind)) usage(`--role must be one of ${SERVICE_ROLES.join(', ')}`);
  role = { kind };
} else if (values.gateway) {
  const stations = (values.stations ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (stations.length === 0) usage('a gateway needs --stations s1,s2,... (the stations whose confirmations it reads)');
  role = { kind: 'gateway', id, stations };
} else {
  if (values.stations) usage('--stations is for --gateway');
  role = { kind: 'station', id };
}

let issued;
try {
  issued = issueCredentials(id, [role], { password: values.password, comment: `${role.kind}, issued ${new Date().toISOString()}` });
} catch (e) {
  usage((e as Error).message);
}
const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
if (values['passwd-file']) writeFileSync(values['passwd-file'], upsertPasswdLine(read(values['passwd-file']), issued.username, issued.passwdLine), { mode: 0o640 });
if (values['acl-file']) writeFileSync(values['acl-file'], upsertAclBlock(read(values['acl-file']), issued.username, issued.aclBlock));

if (values.json) {
  process.stdout.write(`${JSON.stringify({ ...issued, role: role.kind })}\n`);
} else {
  process.stdout.write(
    [
      `user name      ${issued.username}`,
      `password       ${issued.password}    (shown once: configure the device with it)`,
      '',
      `# password file line${values['passwd-file'] ? ` (written to ${values['passwd-file']})` : ''}`,
      issued.passwdLine,
      '',
      `# ACL block${values['acl-file'] ? ` (written to ${values['acl-file']})` : ''}`,
      issued.aclBlock,
    ].join('\n'),
  );
}
