import { describe, expect, it } from 'vitest';
import { parseTicket, signTicket, ticketProblem } from './tickets.js';

const hash = Buffer.alloc(32, 7);
const other = Buffer.alloc(32, 8);
const NOW = 1_800_000_000_000;
const TTL = 300_000;

describe('stream tickets', () => {
  it('round-trips the key id and expiry', () => {
    const t = parseTicket(signTicket('abcdef012345', hash, NOW + 1000))!;
    expect(t).toMatchObject({ keyId: 'abcdef012345', expMs: NOW + 1000 });
  });

  it.each([
    ['valid', hash, NOW + 60_000, NOW, null],
    ['valid up to the lifetime', hash, NOW + TTL, NOW, null],
    ['signed with another key hash', other, NOW + 60_000, NOW, 'stream ticket signature does not verify'],
    ['expired', hash, NOW - 1, NOW, 'stream ticket expired'],
    ['expiring exactly now', hash, NOW, NOW, 'stream ticket expired'],
    ['longer than the lifetime', hash, NOW + TTL + 1, NOW, 'stream ticket lifetime too long'],
  ] as const)('%s', (_name, signedWith, exp, now, problem) => {
    const t = parseTicket(signTicket('abcdef012345', signedWith, exp))!;
    expect(ticketProblem(t, hash, now, TTL)).toBe(problem);
  });

  it('refuses a ticket whose expiry or key id was changed', () => {
    const good = signTicket('abcdef012345', hash, NOW + 1000);
    const [head, exp, mac] = good.split('.') as [string, string, string];
    const later = `${head}.${(NOW + 200_000).toString(36)}.${mac}`;
    expect(ticketProblem(parseTicket(later)!, hash, NOW, TTL)).toBe('stream ticket signature does not verify');
    const otherKey = `stk_abcdef012346.${exp}.${mac}`;
    expect(ticketProblem(parseTicket(otherKey)!, hash, NOW, TTL)).toBe('stream ticket signature does not verify');
  });

  it.each(['', 'stk_', 'btk_abcdef012345.AAAA', 'stk_ABCDEF012345.1.' + 'A'.repeat(43), 'stk_abcdef012345.1.' + 'A'.repeat(42)])('does not parse %j', (s) => {
    expect(parseTicket(s)).toBeNull();
  });
});
