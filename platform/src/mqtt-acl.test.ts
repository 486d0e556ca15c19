import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { filterCovered, grantsOf, mayPublish, maySubscribe, mosquittoAclBlock, topicMatches, type MqttRole } from './mqtt-acl.js';

const station: MqttRole = { kind: 'station', id: 'hankou' };
const gateway: MqttRole = { kind: 'gateway', id: 'gw-1', stations: ['yichang', 'shashi'] };

describe('topic matching', () => {
  it.each([
    ['basin/v1/readings/+/hankou', 'basin/v1/readings/water/hankou', true],
    ['basin/v1/readings/+/hankou', 'basin/v1/readings/water/wuhan', false],
    ['basin/v1/readings/+/hankou', 'basin/v1/readings/water/hankou/x', false],
    ['basin/v1/#', 'basin/v1/registry/hankou', true],
    ['#', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
  ])('%s matches %s: %s', (filter, topic, expected) => expect(topicMatches(filter, topic)).toBe(expected));

  it.each([
    ['basin/v1/committed/+', 'basin/v1/committed/hankou', true],
    ['basin/v1/committed/+', 'basin/v1/committed/+', true],
    ['basin/v1/committed/+', 'basin/v1/committed/#', false],
    ['basin/v1/committed/hankou', 'basin/v1/committed/+', false],
    ['basin/v1/#', 'basin/v1/readings/+/+', true],
    ['basin/v1/readings/+/+', '#', false],
  ])('grant %s covers subscription %s: %s', (grant, filter, expected) => expect(filterCovered(grant, filter)).toBe(expected));
});

describe('roles', () => {
  it.each([
    [station, 'basin/v1/readings/air/hankou', true],
    [station, 'basin/v1/readings/water/wuhan', false],
    [station, 'basin/v1/status/hankou', true],
    [station, 'basin/v1/registry/hankou', false],
    [station, 'basin/v1/committed/hankou', false],
    [gateway, 'basin/v1/gateways/gw-1/readings', true],
    [gateway, 'basin/v1/gateways/gw-2/readings', false],
    [gateway, 'basin/v1/readings/water/yichang', false],
    [{ kind: 'ingest' }, 'basin/v1/committed/hankou', true],
    [{ kind: 'ingest' }, 'basin/v1/registry/hankou', false],
    [{ kind: 'provisioner' }, 'basin/v1/registry/hankou', true],
    [{ kind: 'simulator' }, 'basin/v1/readings/water/wuhan', true],
    [{ kind: 'simulator' }, 'basin/v1/registry/wuhan', false],
  ] as [MqttRole, string, boolean][])('%j may publish %s: %s', (role, topic, expected) => expect(mayPublish(grantsOf(role), topic)).toBe(expected));

  it.each([
    [station, 'basin/v1/committed/hankou', true],
    [station, 'basin/v1/committed/+', false],
    [station, 'basin/v1/readings/+/+', false],
    [gateway, 'basin/v1/committed/shashi', true],
    [gateway, 'basin/v1/committed/hankou', false],
    [{ kind: 'ingest' }, '$share/ingest/basin/v1/readings/+/+', true],
    [{ kind: 'ingest' }, 'basin/v1/#', false],
    [{ kind: 'simulator' }, 'basin/v1/committed/+', true],
    [{ kind: 'simulator' }, 'basin/v1/readings/+/+', false],
  ] as [MqttRole, string, boolean][])('%j may subscribe %s: %s', (role, filter, expected) => expect(maySubscribe(grantsOf(role), filter)).toBe(expected));

  it.each([
    [{ kind: 'station', id: 'Hankou' }],
    [{ kind: 'station', id: 'a/b' }],
    [{ kind: 'gateway', id: 'gw+', stations: ['a'] }],
    [{ kind: 'gateway', id: 'gw', stations: ['#'] }],
  ] as [MqttRole][])('refuses ids that would widen a topic: %j', (role) => expect(() => grantsOf(role)).toThrow(RangeError));

  it('renders Mosquitto ACL blocks', () => {
    expect(mosquittoAclBlock('hankou', [station])).toBe(
      'user hankou\ntopic write basin/v1/readings/+/hankou\ntopic write basin/v1/status/hankou\ntopic read basin/v1/committed/hankou\n',
    );
    expect(() => mosquittoAclBlock('a b', [station])).toThrow(RangeError);
  });

  it('the shipped ACL template grants its service accounts exactly their roles', () => {
    const text = readFileSync(new URL('../../deploy/mosquitto/acl', import.meta.url), 'utf8');
    const blocks = new Map<string, string[]>();
    let user = '';
    for (const line of text.split('\n')) {
      if (line.startsWith('user ')) blocks.set((user = line.slice(5)), []);
      else if (line.startsWith('topic ')) blocks.get(user)!.push(line);
    }
    const roles: Record<string, MqttRole> = { basin: { kind: 'monitor' }, ingest: { kind: 'ingest' }, provisioner: { kind: 'provisioner' }, sensors: { kind: 'simulator' } };
    expect([...blocks.keys()].sort()).toEqual(Object.keys(roles).sort());
    for (const [u, role] of Object.entries(roles)) {
      expect(blocks.get(u)).toEqual(mosquittoAclBlock(u, [role]).split('\n').filter((l) => l.startsWith('topic ')));
    }
  });
});
