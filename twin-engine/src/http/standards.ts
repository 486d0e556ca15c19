import { z } from 'zod';
import { classify, ClassifyRequest, NotClassifiable } from '../standards/classify.js';
import { TwinErrors } from '../errors.js';
import { errorResponses } from './common.js';
import type { ApiPlugin } from './types.js';

const ClassifyResponse = z
  .looseObject({ standard: z.string(), metric: z.string(), value: z.number(), unit: z.string() })
  .describe('GB3838-2002: class, limit, direction, waterBody, inSectionClass; HJ633-*: iaqi, category; GB15618-2018: risk, riskZh, screening, intervention, phBand');

/** POST /api/standards/classify: one value under one standard (GB 3838-2002, HJ 633-2012/2026, GB 15618-2018). */
export const standardsPlugin: ApiPlugin = async (app) => {
  app.post(
    '/standards/classify',
    {
      schema: { tags: ['standards'], summary: 'Classify one value under a Chinese environmental standard', body: ClassifyRequest, response: { 200: ClassifyResponse, ...errorResponses } },
      config: { access: 'viewer' },
    },
    async (req) => {
      try {
        return classify(req.body);
      } catch (e) {
        if (!(e instanceof NotClassifiable)) throw e;
        const field = `body.${e.field}`;
        throw TwinErrors.VALIDATION_FAILED(`${field}: ${e.message}`, [{ field, location: 'body', message: e.message }]);
      }
    },
  );
};
