import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SimErrors } from '../errors.js';

/**
 * The outbox's single-process lock: a file `lock` holding the owner's pid, created by a hard link
 * of a private file that already holds it (link fails with EEXIST like O_CREAT|O_EXCL, and the
 * lock is never seen empty: an empty `lock` read between an exclusive create and its write looked
 * stale and let a second process take it), so of processes starting at once exactly one takes it.
 * A lock whose owner is dead (kill -9) is taken over at once (the next run must not wait for a
 * timeout), under a second exclusive file `lock.takeover` so that two processes finding the same
 * stale lock cannot both take it. proper-lockfile's mtime-based staleness was not used: it would
 * make a restart after a crash wait for the stale period.
 */
export function takeLock(dir: string): () => void {
  const file = path.join(dir, 'lock');
  if (createExclusive(file)) return () => rmSync(file, { force: true });
  const owner = readPid(file);
  if (owner !== null && owner !== process.pid && isAlive(owner)) throw SimErrors.OUTBOX_LOCKED(dir, owner);
  // Stale (or ours): take it over, one process at a time.
  const takeover = `${file}.takeover`;
  if (!createExclusive(takeover)) {
    const other = readPid(takeover);
    if (other !== null && isAlive(other)) throw SimErrors.OUTBOX_LOCKED(dir, other);
    rmSync(takeover, { force: true }); // left by a process that died during a takeover
    if (!createExclusive(takeover)) throw SimErrors.OUTBOX_LOCKED(dir, readPid(takeover) ?? 0);
  }
  try {
    const now = readPid(file);
    if (now !== owner && now !== null && isAlive(now)) throw SimErrors.OUTBOX_LOCKED(dir, now);
    writeAtomically(file, String(process.pid));
  } finally {
    rmSync(takeover, { force: true });
  }
  return () => rmSync(file, { force: true });
}

function createExclusive(file: string): boolean {
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    linkSync(mine, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(mine, { force: true });
  }
}

/** Replaces the file's content in one step (rename), so a reader sees the old pid or the new one. */
function writeAtomically(file: string, text: string): void {
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, text);
  renameSync(mine, file);
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
