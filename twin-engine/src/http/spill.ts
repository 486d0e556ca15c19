import { z } from 'zod';
import { SpillRequest } from '@basin/schemas';
import { TwinErrors } from '../errors.js';
import { randomUUID } from 'node:crypto';
import { spillForecast, type SpillForecast } from '../forecast/spill-request.js';
import { SPILL_MODEL_VERSION, spillCrossings } from '../forecast/spill-run.js';
import { saveSpillRun } from '../forecast/store.js';
import { audit } from '../ops/audit.js';
import type { TwinState } from '../state/twin.js';
import { errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const Arrival = z.object({
  station: z.string(),
  kind: z.string(),
  river: z.string(),
  km: z.number(),
  bank: z.string().nullable(),
  distanceKm: z.number(),
  arrivalAt: z.string().describe('when the threshold is reached (or the leading edge, peak − 2σ, when it is not)'),
  peakAt: z.string(),
  peakMgL: z.number().describe('peak on the station’s side of the river'),
  meanPeakMgL: z.number().describe('peak of the cross-section mean'),
  durationH: z.number().describe('hours above the threshold (or the passage, 4σ)'),
  exceedsThreshold: z.boolean(),
  dischargeM3s: z.number(),
  dischargeFrom: z.string().describe('gauge whose latest discharge dilutes the plume, or "estimate"'),
});
const SpillResponse = z.object({
  forecastId: z.string().describe('the stored run (GET /api/forecasts/:id); its class crossings go to the rules (e.g. nh3n:IV at an intake)'),
  origin: z.object({ river: z.string(), km: z.number() }),
  params: z.looseObject({ metric: z.string(), thresholdMgL: z.number().nullable(), velocityMs: z.number(), dispersionM2s: z.number(), decayPerDay: z.number() }),
  arrivals: z.array(Arrival),
});

const iso = (t: number) => new Date(t).toISOString();

/** The run as stored: the plume's passage at the farthest target bounds its horizon. */
function spillRun(f: SpillForecast, issuedAt: number, request: unknown) {
  const id = `spill-${iso(issuedAt).slice(0, 19)}-${randomUUID().slice(0, 8)}`;
  const end = Math.max(issuedAt, ...f.arrivals.map((a) => a.peakAt + 2 * a.sigmaH * 3_600_000));
  const horizonH = Math.max(1, Math.ceil((end - issuedAt) / 3_600_000));
  return { id, issuedAt, horizonH, modelVersion: SPILL_MODEL_VERSION, inputs: { request, arrivals: f.arrivals }, crossings: spillCrossings(id, issuedAt, f.params.metric, f.arrivals) };
}

/**
 * 预报 pollutant travel: a declared spill's arrival, peak and duration at each downstream intake and
 * water-quality station, stored as a spill run (audited) and announced like a flood run, so the
 * rules see its class crossings.
 */
export const spillPlugin: ApiPlugin<{ twin: TwinState }> = async (app, { db, twin }) => {
  app.post('/forecasts/spill', { config: { access: 'operator' }, schema: { tags: ['forecasts'], summary: 'Pollutant travel from a spill to the drinking-water intakes and stations downstream', body: SpillRequest, response: { 200: SpillResponse, ...errorResponses } } }, async (req) => {
    const f = spillForecast(twin.model, twin.live, req.body);
    if (!f) throw TwinErrors.BAD_REQUEST(`station ${req.body.station} is not on the river network`, [{ field: 'body.station', message: 'not on the network' }]);
    const run = spillRun(f, twin.clock.now(), req.body);
    await db.transaction(async (tx) => {
      await saveSpillRun(tx, run);
      await audit(tx, { actor: req.principal, action: 'forecast.spill', subjectType: 'forecast', subjectId: run.id, detail: req.body });
    });
    return {
      forecastId: run.id,
      origin: f.origin,
      params: { ...f.params, at: f.origin, releaseAt: iso(f.params.releaseAt) },
      arrivals: f.arrivals.map((a) => ({ ...a, arrivalAt: iso(a.arrivalAt), peakAt: iso(a.peakAt) })),
    };
  });
};
