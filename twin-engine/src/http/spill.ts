import { z } from 'zod';
import { SpillRequest } from '@basin/schemas';
import { TwinErrors } from '../errors.js';
import { spillForecast } from '../forecast/spill-request.js';
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
  origin: z.object({ river: z.string(), km: z.number() }),
  params: z.looseObject({ metric: z.string(), thresholdMgL: z.number().nullable(), velocityMs: z.number(), dispersionM2s: z.number(), decayPerDay: z.number() }),
  arrivals: z.array(Arrival),
});

const iso = (t: number) => new Date(t).toISOString();

/** 预报 pollutant travel: a declared spill's arrival, peak and duration at each downstream intake and water-quality station. */
export const spillPlugin: ApiPlugin<{ twin: TwinState }> = async (app, { twin }) => {
  app.post('/forecasts/spill', { config: { access: 'operator' }, schema: { tags: ['forecasts'], summary: 'Pollutant travel from a spill to the drinking-water intakes and stations downstream', body: SpillRequest, response: { 200: SpillResponse, ...errorResponses } } }, async (req) => {
    const f = spillForecast(twin.model, twin.live, req.body);
    if (!f) throw TwinErrors.BAD_REQUEST(`station ${req.body.station} is not on the river network`, [{ field: 'body.station', message: 'not on the network' }]);
    return {
      origin: f.origin,
      params: { ...f.params, at: f.origin, releaseAt: iso(f.params.releaseAt) },
      arrivals: f.arrivals.map((a) => ({ ...a, arrivalAt: iso(a.arrivalAt), peakAt: iso(a.peakAt) })),
    };
  });
};
