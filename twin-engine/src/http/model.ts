import { z } from 'zod';
import { StationId } from '@basin/schemas';
import { TwinErrors } from '../errors.js';
import { RESERVOIRS } from '../model/network.js';
import type { TwinState } from '../state/twin.js';
import { errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const Loose = z.looseObject({});
const Any = z.array(z.unknown());

/** The basin model: reaches, nodes, reservoirs, a station's place on the network, paths between stations. */
export const modelPlugin: ApiPlugin<{ twin: TwinState }> = async (app, { twin }) => {
  app.get('/model/reaches', { schema: { tags: ['model'], summary: 'Reaches of the river network with their stations', response: { 200: Any, ...errorResponses } } }, async () =>
    [...twin.model.reaches.values()].map((r) => ({ ...r, stations: twin.model.stationsOf(r.id) })),
  );

  app.get('/model/nodes', { schema: { tags: ['model'], summary: 'Dams, gauges, confluences and inflows; reservoirs with storage-level relations', response: { 200: z.object({ nodes: Any, reservoirs: Any }), ...errorResponses } } }, async () => ({
    nodes: [...twin.model.nodes.values()],
    reservoirs: [...RESERVOIRS],
  }));

  app.get('/model/stations/:id', { schema: { tags: ['model'], summary: 'A station on the network: reach, river-km, reference levels, upstream and downstream stations', params: z.object({ id: StationId }), response: { 200: Loose, ...errorResponses } } }, async (req) => {
    const m = twin.model;
    if (!m.stationInfo.has(req.params.id)) throw TwinErrors.STATION_NOT_FOUND(req.params.id);
    const at = m.stations.get(req.params.id) ?? null;
    return {
      station: req.params.id,
      river: at?.river ?? null,
      km: at?.km ?? null,
      reach: at?.reach ?? null,
      reference: m.references.get(req.params.id) ?? null,
      upstream: at ? m.upstreamOf(at) : [],
      downstream: at ? m.downstreamOf(at) : [],
    };
  });

  app.get('/model/path', { schema: { tags: ['model'], summary: 'Channel distance and flood travel time from one station down to another', querystring: z.object({ from: StationId, to: StationId }), response: { 200: Loose, ...errorResponses } } }, async (req) => {
    const a = twin.model.pointOf(req.query.from);
    const b = twin.model.pointOf(req.query.to);
    if (!a) throw TwinErrors.STATION_NOT_FOUND(req.query.from);
    if (!b) throw TwinErrors.STATION_NOT_FOUND(req.query.to);
    const down = twin.model.path(a, b);
    const up = down ? null : twin.model.path(b, a);
    return { from: req.query.from, to: req.query.to, downstream: down !== null, connected: down !== null || up !== null, km: (down ?? up)?.km ?? null, travelHours: (down ?? up)?.hours ?? null };
  });
};
