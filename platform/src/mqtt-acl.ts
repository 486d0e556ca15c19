import { STATION_ID_RE, TOPIC_ROOT } from '@basin/schemas';

/**
 * Who may do what on the broker: one table of roles, rendered as Mosquitto ACL lines
 * (deploy/mosquitto/acl, `npm run device -- issue`) and enforced by the embedded aedes broker.
 * Pure: no I/O.
 *
 *   station <id>    publish its readings and status, read its own commit confirmations
 *   gateway <id>    publish its gateway batches and status, read the confirmations of its stations
 *   ingest          read readings, gateway batches, status and registry; publish confirmations
 *   provisioner     write (and read) the station registry — the only role that may
 *   simulator       a fleet of simulated devices (development, tests): every device topic, no registry
 *   monitor         read $SYS and status (health checks, dashboards)
 */
export type MqttRole =
  | { kind: 'station'; id: string }
  | { kind: 'gateway'; id: string; stations: readonly string[] }
  | { kind: 'ingest' }
  | { kind: 'provisioner' }
  | { kind: 'simulator' }
  | { kind: 'monitor' };

export type MqttAccess = 'read' | 'write' | 'readwrite';
export interface MqttGrant {
  readonly access: MqttAccess;
  readonly filter: string;
}

/** Gateway and other non-station client ids: the topic layout's segment rule. */
export const CLIENT_ID_RE = /^[A-Za-z0-9._-]{1,128}$/;

const r = (filter: string): MqttGrant => ({ access: 'read', filter });
const w = (filter: string): MqttGrant => ({ access: 'write', filter });
const rw = (filter: string): MqttGrant => ({ access: 'readwrite', filter });

function checkId(what: string, id: string, re: RegExp): string {
  if (!re.test(id)) throw new RangeError(`invalid ${what} id ${JSON.stringify(id)} (must match ${re})`);
  return id;
}

export function grantsOf(role: MqttRole): MqttGrant[] {
  const T = TOPIC_ROOT;
  switch (role.kind) {
    case 'station': {
      const id = checkId('station', role.id, STATION_ID_RE);
      return [w(`${T}/readings/+/${id}`), w(`${T}/status/${id}`), r(`${T}/committed/${id}`)];
    }
    case 'gateway': {
      const id = checkId('gateway', role.id, CLIENT_ID_RE);
      const stations = [...new Set(role.stations)].map((s) => checkId('station', s, STATION_ID_RE));
      return [w(`${T}/gateways/${id}/readings`), w(`${T}/status/${id}`), ...stations.map((s) => r(`${T}/committed/${s}`))];
    }
    case 'ingest':
      return [r(`${T}/readings/+/+`), r(`${T}/gateways/+/readings`), r(`${T}/status/+`), r(`${T}/registry/+`), w(`${T}/committed/+`)];
    case 'provisioner':
      return [rw(`${T}/registry/+`)];
    case 'simulator':
      return [w(`${T}/readings/+/+`), w(`${T}/gateways/+/readings`), w(`${T}/status/+`), r(`${T}/committed/+`)];
    case 'monitor':
      return [r('$SYS/#'), r(`${T}/status/+`)];
  }
}

/** Mosquitto ACL file block for one user (acl_file syntax; Mosquitto 2). */
export function mosquittoAclBlock(username: string, roles: readonly MqttRole[], comment?: string): string {
  if (!/^[^\s:#]{1,128}$/.test(username)) throw new RangeError(`invalid MQTT user name ${JSON.stringify(username)}`);
  const lines = [`user ${username}`];
  if (comment) lines.push(`# ${comment.replace(/[\r\n]+/g, ' ')}`);
  for (const g of roles.flatMap(grantsOf)) lines.push(`topic ${g.access} ${g.filter}`);
  return `${lines.join('\n')}\n`;
}

/** Does an MQTT topic name match a filter (+ one level, # the rest)? */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') !== filter.startsWith('$')) return false; // [MQTT-4.7.2-1]
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Is every topic that `filter` matches also matched by `grant` (filter ⊆ grant)? */
export function filterCovered(grant: string, filter: string): boolean {
  if (filter.startsWith('$') !== grant.startsWith('$')) return false;
  const g = grant.split('/');
  const f = filter.split('/');
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '#') return true;
    if (i >= f.length) return false;
    if (f[i] === '#') return false;
    if (g[i] !== '+' && (f[i] === '+' || f[i] !== g[i])) return false;
  }
  return g.length === f.length;
}

/** The filter without a `$share/<group>/` prefix. */
export function unshared(filter: string): string {
  const m = /^\$share\/[^/]+\/(.+)$/.exec(filter);
  return m ? m[1]! : filter;
}

export function mayPublish(grants: readonly MqttGrant[], topic: string): boolean {
  return grants.some((g) => g.access !== 'read' && topicMatches(g.filter, topic));
}

export function maySubscribe(grants: readonly MqttGrant[], filter: string): boolean {
  const f = unshared(filter);
  return grants.some((g) => g.access !== 'write' && filterCovered(g.filter, f));
}
