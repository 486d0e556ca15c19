import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SimErrors } from './errors.js';
import { Manifest } from './manifest.js';

/**
 * The run's resume state in the outbox directory (`state.json`): the simulated clock, the
 * sequence numbers per station and the manifest. Validated on load: a damaged file is reported
 * (SIM_OUTBOX_CORRUPT), one of another run refused (SIM_OUTBOX_MISMATCH).
 */
export const RunState = z.object({
  v: z.literal(1),
  /** scenario|seed|stations|interval|mode|format: a restart must continue the same run. */
  runKey: z.string(),
  t0: z.number().int(),
  nextTick: z.number().int(),
  /** Stations of the tick at nextTick already generated (a tick is generated in slices). */
  stationCursor: z.number().int().min(0).optional(),
  seq: z.record(z.string(), z.number().int().min(0)),
  manifest: Manifest,
});
export type RunState = z.infer<typeof RunState>;

const FILE = 'state.json';

/** The saved state of this run, or a fresh one; `resumed` tells which. */
export function loadRunState(dir: string, runKey: string, t0: number): { state: RunState; resumed: boolean } {
  const file = path.join(dir, FILE);
  if (!existsSync(file)) return { state: { v: 1, runKey, t0, nextTick: t0, seq: {}, manifest: {} }, resumed: false };
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw SimErrors.OUTBOX_CORRUPT(file, `not JSON: ${(e as Error).message}`);
  }
  const r = RunState.safeParse(doc);
  if (!r.success) throw SimErrors.OUTBOX_CORRUPT(file, r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  if (r.data.runKey !== runKey) throw SimErrors.OUTBOX_MISMATCH(dir, `was "${r.data.runKey}", now "${runKey}"`);
  return { state: r.data, resumed: true };
}

/** Write the state atomically (temp file + rename). */
export function saveRunState(dir: string, state: RunState): void {
  const file = path.join(dir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}
