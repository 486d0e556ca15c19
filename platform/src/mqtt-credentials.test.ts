import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashMosquittoPassword, issueCredentials, upsertAclBlock, upsertPasswdLine, verifyMosquittoPassword } from './mqtt-credentials.js';

describe('Mosquitto $7$ passwords', () => {
  it('verifies the lines mosquitto_passwd wrote (deploy/mosquitto/passwd, dev password)', () => {
    const lines = readFileSync(new URL('../../deploy/mosquitto/passwd', import.meta.url), 'utf8').trim().split('\n');
    for (const l of lines) {
      const hash = l.slice(l.indexOf(':') + 1);
      expect(verifyMosquittoPassword(hash, 'basin-dev-change-me')).toBe(true);
      expect(verifyMosquittoPassword(hash, 'basin-dev-change-mE')).toBe(false);
    }
  });

  it('hashes in the same format, with a fresh salt each time', () => {
    const a = hashMosquittoPassword('pw');
    expect(a).toMatch(/^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(hashMosquittoPassword('pw')).not.toBe(a);
    expect(verifyMosquittoPassword(a, 'pw')).toBe(true);
    expect(verifyMosquittoPassword('$6$x$y', 'pw')).toBe(false);
  });

  it('issues a random password, its file line and ACL block', () => {
    const c = issueCredentials('hankou', [{ kind: 'station', id: 'hankou' }]);
    expect(c.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(c.passwdLine.startsWith('hankou:$7$')).toBe(true);
    expect(verifyMosquittoPassword(c.passwdLine.slice('hankou:'.length), c.password)).toBe(true);
    expect(c.aclBlock.split('\n')[0]).toBe('user hankou');
  });
});

describe('file edits', () => {
  it.each([
    ['', 'a', 'a:new', 'a:new\n'],
    ['a:old\nb:x\n', 'a', 'a:new', 'b:x\na:new\n'],
    ['ab:x\n', 'a', 'a:new', 'ab:x\na:new\n'],
  ])('passwd %j upsert %s', (text, user, line, expected) => expect(upsertPasswdLine(text, user, line)).toBe(expected));

  it.each([
    ['', 'user a\ntopic read x\n', 'user a\ntopic read x\n'],
    ['# head\n\nuser a\ntopic read old\n\nuser b\ntopic read y\n', 'user a\ntopic read new\n', '# head\n\n\nuser b\ntopic read y\n\nuser a\ntopic read new\n'],
    ['user ab\ntopic read y\n', 'user a\ntopic read x\n', 'user ab\ntopic read y\n\nuser a\ntopic read x\n'],
    ['user a\ntopic read old\nuser b\ntopic read y\n', 'user a\ntopic read new\n', 'user b\ntopic read y\n\nuser a\ntopic read new\n'],
  ])('acl %j upsert', (text, block, expected) => expect(upsertAclBlock(text, 'a', block)).toBe(expected));
});
