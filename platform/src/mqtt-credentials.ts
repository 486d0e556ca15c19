import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { mosquittoAclBlock, type MqttRole } from './mqtt-acl.js';

/**
 * Device credentials for Mosquitto 2: password-file lines in its `$7$` format (PBKDF2-SHA512,
 * 12-byte salt, 64-byte key, base64; what `mosquitto_passwd` writes) and ACL blocks, plus the text
 * edits that put them into existing files. No I/O.
 */
export const MOSQUITTO_PBKDF2_ITERATIONS = 101; // mosquitto_passwd's default

export function hashMosquittoPassword(password: string, opts: { salt?: Buffer; iterations?: number } = {}): string {
  const salt = opts.salt ?? randomBytes(12);
  const iterations = opts.iterations ?? MOSQUITTO_PBKDF2_ITERATIONS;
  const key = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Check a password against a `$7$` hash (false for any other format). */
export function verifyMosquittoPassword(hash: string, password: string): boolean {
  const m = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return false;
  const expected = Buffer.from(m[3]!, 'base64');
  const key = pbkdf2Sync(password, Buffer.from(m[2]!, 'base64'), Number(m[1]), expected.length, 'sha512');
  return timingSafeEqual(key, expected);
}

/** A random password: 24 bytes, base64url (32 characters). */
export const randomPassword = (): string => randomBytes(24).toString('base64url');

export interface IssuedCredentials {
  username: string;
  password: string;
  /** The password-file line (`user:$7$…`). */
  passwdLine: string;
  /** The ACL block (`user …` and its `topic` lines). */
  aclBlock: string;
}

export function issueCredentials(username: string, roles: readonly MqttRole[], opts: { password?: string; comment?: string } = {}): IssuedCredentials {
  const aclBlock = mosquittoAclBlock(username, roles, opts.comment); // validates the user name
  const password = opts.password ?? randomPassword();
  return { username, password, passwdLine: `${username}:${hashMosquittoPassword(password)}`, aclBlock };
}

const lines = (text: string) => text.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''));

/** Password-file text with `user`'s line replaced (or appended). */
export function upsertPasswdLine(text: string, username: string, line: string): string {
  const kept = lines(text).filter((l) => !l.startsWith(`${username}:`));
  return `${[...kept, line].join('\n')}\n`;
}

/**
 * ACL-file text with `user`'s block replaced (or appended at the end). A block runs from its
 * `user <name>` line up to the next `user`/`pattern` line or a blank line.
 */
export function upsertAclBlock(text: string, username: string, block: string): string {
  const out: string[] = [];
  let skipping = false;
  for (const l of lines(text)) {
    const t = l.trim();
    if (skipping && (t === '' || /^(user|pattern)\s/.test(t))) skipping = false;
    if (!skipping && t === `user ${username}`) {
      skipping = true;
      continue;
    }
    if (!skipping) out.push(l);
  }
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  return `${out.join('\n')}${out.length ? '\n\n' : ''}${block.trimEnd()}\n`;
}
