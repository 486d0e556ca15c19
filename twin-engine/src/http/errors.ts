import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { BasinError } from '@basin/platform';
import { TwinErrors } from '../errors.js';

/** Field path of a validation issue: "query.limit", "body.filters.severity[0]", "params.id". */
function fieldOf(location: string, instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  const path = parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  return `${location === 'querystring' ? 'query' : location}${path}`;
}

/** Maps every error to the catalogue body {status, code, message, details}. */
export function toBasinError(err: FastifyError | BasinError, limits: { bodyLimit: number }, contentType: string | undefined): BasinError {
  if (err instanceof BasinError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const location = (err as { validationContext?: string }).validationContext ?? 'request';
    const details = err.validation.map((v) => ({ field: fieldOf(location, v.instancePath), location, message: v.message ?? 'invalid' }));
    return TwinErrors.VALIDATION_FAILED(details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return TwinErrors.PAYLOAD_TOO_LARGE(limits.bodyLimit);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return TwinErrors.UNSUPPORTED_MEDIA_TYPE(String(contentType));
  if (err.statusCode === 429) return TwinErrors.RATE_LIMITED(Number((err as { retryAfterS?: number }).retryAfterS ?? 60));
  if (isResponseSerializationError(err)) return TwinErrors.INTERNAL();
  if (err.statusCode && err.statusCode < 500) return TwinErrors.BAD_REQUEST(err.message);
  if (isDbDown(err)) return TwinErrors.DB_UNAVAILABLE();
  return TwinErrors.INTERNAL();
}

function isDbDown(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === '57P01' || code === 'DB_UNAVAILABLE' || code === '08006' || code === '08001';
}

/** The error handler and the 404 handler of the whole app (encapsulation skipped with fastify-plugin). */
export const errorHandling = fp(async (app: FastifyInstance, opts: { bodyLimit: number }) => {
  app.setErrorHandler((err: FastifyError | BasinError, req, reply) => {
    const e = toBasinError(err, opts, req.headers['content-type']);
    if (e.code === 'INTERNAL') req.log.error({ err }, 'request failed');
    void reply.status(e.status).send(e.toJSON());
  });
});
