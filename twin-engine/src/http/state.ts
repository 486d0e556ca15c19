import { z } from 'zod';
import { StationId } from '@basin/schemas';
import { TwinErrors } from '../errors.js';
import { basinSummary, stationView } from '../state/summary.js';
import type { TwinState } from '../state/twin.js';
import { errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const StationView = z.looseObject({ station: z.string(), kind: z.string(), reach: z.string().nullable(), online: z.boolean(), ageS: z.number().nullable() });
const StateQuery = z.object({
  station: z.union([StationId, z.array(StationId)]).optional(),
  reach: z.string().max(200).optional().describe('only the stations of this reach'),
});

/** Live state: per station (latest values, trends, classes, flood status, AQI), per reach and basin summaries. */
export const statePlugin: ApiPlugin<{ twin: TwinState }> = async (app, { twin }) => {
  app.get('/state/stations', { schema: { tags: ['state'], summary: 'Live state of the stations, classified under the standards', querystring: StateQuery, response: { 200: z.array(StationView), ...errorResponses } } }, async (req) => {
    const now = twin.clock.now();
    const wanted = req.query.station === undefined ? null : new Set(Array.isArray(req.query.station) ? req.query.station : [req.query.station]);
    const ids = req.query.reach !== undefined ? twin.model.stationsOf(req.query.reach) : [...twin.live.stations.keys()].sort();
    const out = [];
    for (const id of ids) {
      if (wanted && !wanted.has(id)) continue;
      const s = twin.live.stations.get(id);
      if (s) out.push(stationView(twin.model, s, now));
    }
    return out;
  });

  app.get('/state/stations/:id', { schema: { tags: ['state'], summary: 'Live state of one station', params: z.object({ id: StationId }), response: { 200: StationView, ...errorResponses } } }, async (req) => {
    const s = twin.live.stations.get(req.params.id);
    if (!s) {
      if (!twin.model.stationInfo.has(req.params.id)) throw TwinErrors.STATION_NOT_FOUND(req.params.id);
      return stationView(twin.model, { station: req.params.id, metrics: new Map(), lastTs: null, changedAt: 0, device: null, online: false }, twin.clock.now());
    }
    return stationView(twin.model, s, twin.clock.now());
  });

  app.get('/state/summary', { schema: { tags: ['state'], summary: 'Basin and per-reach summary: worst water class, flood colour, AQI by city, stations online, readings behind', response: { 200: z.looseObject({ basin: z.looseObject({}), reaches: z.record(z.string(), z.looseObject({})) }), ...errorResponses } } }, async () =>
    basinSummary(twin.model, twin.live, twin.clock.now()),
  );
};
