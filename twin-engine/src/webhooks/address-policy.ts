import ipaddr from 'ipaddr.js';

/**
 * Outgoing-request safety (SSRF): a webhook may only reach public unicast addresses, unless an
 * operator CIDR allow-list permits the address. Refused: loopback, unspecified (0.0.0.0, ::),
 * private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 — cloud metadata —, fe80::/10),
 * CGNAT (100.64/10), multicast, broadcast, reserved, IPv4-mapped/translated IPv6 and 6to4/Teredo.
 * Checked on the address actually connected to (see sender.ts), so DNS rebinding cannot bypass it.
 */
export class AddressPolicy {
  private readonly allow: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  constructor(allowCidrs: readonly string[]) {
    this.allow = allowCidrs.map((c) => ipaddr.parseCIDR(c));
  }

  /** null when allowed, else why not. */
  check(address: string): string | null {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
    } catch {
      return `not an IP address: ${address}`;
    }
    const forms = [ip];
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) forms.push((ip as ipaddr.IPv6).toIPv4Address());
    if (forms.some((f) => this.allowed(f))) return null;
    const range = ip.range();
    if (range === 'unicast') return null;
    return `${address} is a ${range} address`;
  }

  private allowed(ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.allow.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
  }
}

/** Validate a URL for a subscription (scheme, credentials, literal address); null when fine. */
export function checkUrl(raw: string, policy: AddressPolicy): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'scheme must be http or https';
  if (u.username || u.password) return 'credentials in the URL are not allowed';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return policy.check(host);
  if (host === 'localhost' || host.endsWith('.localhost')) return policy.check('127.0.0.1');
  return null;
}
