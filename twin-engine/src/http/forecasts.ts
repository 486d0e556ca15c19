import { z } from 'zod';
import { ForecastCrossing, StationForecast, StationId } from '@basin/schemas';
import { TwinErrors } from '../errors.js';
import { forecastById, latestPerStation, skillSummary } from '../forecast/queries.js';
import { IsoTime, errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const Stations = z.union([StationId, z.array(StationId)]).optional().describe('only these stations');
const list = (s: string | string[] | undefined) => (s === undefined ? null : Array.isArray(s) ? s : [s]);

const Stats = z.object({ n: z.number().int(), mae: z.number(), rmse: z.number(), bias: z.number().describe('mean of forecast − observed') });
const Skill = z.object({
  values: z.array(Stats.extend({ station: z.string(), metric: z.string(), leadBucket: z.string() })),
  crossings: z.array(
    z.object({
      station: z.string(),
      level: z.string(),
      hits: z.number().int(),
      misses: z.number().int(),
      falseAlarms: z.number().int(),
      correctNegatives: z.number().int(),
      meanTimingErrorH: z.number().nullable().describe('predicted − observed crossing time, hours (hits)'),
      meanAbsTimingErrorH: z.number().nullable(),
      meanLeadH: z.number().nullable().describe('observed crossing − issue time: the warning the forecast gave, hours (hits)'),
    }),
  ),
});

/** 预报: stored flood forecasts and the skill ledger (errors by lead time, crossing outcomes). */
export const forecastsPlugin: ApiPlugin = async (app, { db }) => {
  app.get('/forecasts', { schema: { tags: ['forecasts'], summary: 'Newest flood forecast of each gauge: 72 h stage and discharge with bands, predicted crossings', querystring: z.object({ station: Stations }), response: { 200: z.array(StationForecast), ...errorResponses } } }, async (req) =>
    latestPerStation(db, list(req.query.station)),
  );

  app.get('/forecasts/skill', { schema: { tags: ['forecasts'], summary: 'Skill ledger: MAE, RMSE and bias per gauge, metric and lead bucket; crossing hits, misses, false alarms, timing error and lead time', querystring: z.object({ station: Stations, from: IsoTime.optional().describe('runs issued at or after'), to: IsoTime.optional().describe('runs issued before') }), response: { 200: Skill, ...errorResponses } } }, async (req) =>
    skillSummary(db, { stations: list(req.query.station), from: req.query.from ?? null, to: req.query.to ?? null }),
  );

  app.get('/forecasts/:id', { schema: { tags: ['forecasts'], summary: 'One forecast run: inputs, model version, crossings and every station’s series', params: z.object({ id: z.string().min(1).max(200) }), response: { 200: z.object({ id: z.string(), kind: z.string(), issuedAt: z.string(), modelVersion: z.string(), horizonH: z.number(), inputs: z.unknown(), crossings: z.array(ForecastCrossing), stations: z.array(StationForecast) }), ...errorResponses } } }, async (req) => {
    const f = await forecastById(db, req.params.id);
    if (!f) throw TwinErrors.FORECAST_NOT_FOUND(req.params.id);
    return f;
  });
};
