import { describe, expect, it } from 'vitest';
import { AddressPolicy, checkUrl } from './address-policy.js';

const deny = new AddressPolicy([]);
const allowLoop = new AddressPolicy(['127.0.0.0/8', '10.1.0.0/16']);

describe('webhook address policy (SSRF)', () => {
  it.each([
    '127.0.0.1', '127.1.2.3', '0.0.0.0', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:8.8.8.8', '64:ff9b::7f00:1', '2002:7f00:1::1',
  ])('refuses %s', (ip) => {
    expect(deny.check(ip)).not.toBeNull();
  });

  it.each(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '203.0.114.1'])('allows public %s', (ip) => {
    expect(deny.check(ip)).toBeNull();
  });

  it('lets an operator allow-list permit private ranges, also through IPv4-mapped IPv6', () => {
    expect(allowLoop.check('127.0.0.1')).toBeNull();
    expect(allowLoop.check('::ffff:127.0.0.1')).toBeNull();
    expect(allowLoop.check('10.1.2.3')).toBeNull();
    expect(allowLoop.check('10.2.0.1')).not.toBeNull();
    expect(allowLoop.check('169.254.169.254')).not.toBeNull();
  });

  it.each([
    ['http://127.1:8080/x', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'ipv4Mapped'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://localhost:9/', 'loopback'],
    ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['ftp://example.org/', 'scheme'],
    ['http://user:pw@example.org/', 'credentials'],
  ])('URL %s is refused (%s)', (url, why) => {
    expect(checkUrl(url, deny)).toContain(why);
  });

  it('accepts a public host name (its addresses are checked at connect time)', () => {
    expect(checkUrl('https://alerts.example.org/hook', deny)).toBeNull();
  });
});
