import { z } from 'zod';
import { StationId } from './station.js';
import { RuleDefinition } from './rules.js';

/**
 * 预演 what-if rehearsal: a copy of the current state with modifiers, run forward through the
 * forecast and the rules — predicted series, the alerts that would fire and when, the tasks the
 * plans would create — without touching live state.
 */
export const RehearsalModifier = z.discriminatedUnion('type', [
  /** Reservoir release: e.g. Three Gorges outflow X m³/s for H hours from the start (+ offset). */
  z.object({ type: z.literal('reservoir_outflow'), station: StationId, outflow: z.number().min(0).max(150_000), hours: z.number().positive().max(240), startHours: z.number().min(0).max(240).default(0) }).strict(),
  /** A spill: mass (kg) of a pollutant entering at a station's section (or river-km) over T hours. */
  z.object({ type: z.literal('spill'), station: StationId, metric: z.enum(['nh3n', 'codmn', 'cod', 'tp']), massKg: z.number().positive().max(1e8), hours: z.number().positive().max(240), startHours: z.number().min(0).max(240).default(0) }).strict(),
  /** Rainfall on a sub-basin: extra inflow at the gauges of a river (mm over hours; the forecast converts it). */
  z.object({ type: z.literal('rainfall'), river: z.string().min(1), mm: z.number().positive().max(1000), hours: z.number().positive().max(240), startHours: z.number().min(0).max(240).default(0) }).strict(),
  /** A gauge offline: its readings are missing from the rehearsal (rules see staleness, forecasts lose an input). */
  z.object({ type: z.literal('gauge_offline'), station: StationId }).strict(),
  /** A rule changed for the rehearsal only. */
  z.object({ type: z.literal('rule'), rule: RuleDefinition }).strict(),
]);
export type RehearsalModifier = z.infer<typeof RehearsalModifier>;

export const RehearsalRequest = z
  .object({
    name: z.string().min(1).max(200),
    hours: z.number().int().min(1).max(240).default(72),
    modifiers: z.array(RehearsalModifier).max(50).default([]),
  })
  .strict();
export type RehearsalRequest = z.infer<typeof RehearsalRequest>;
export type RehearsalRequestInput = z.input<typeof RehearsalRequest>;
