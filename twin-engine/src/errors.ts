import { BasinError } from '@basin/platform';

/**
 * Twin-engine API error catalogue: stable codes with their HTTP status. Every error body is
 * `{status, code, message, details?}` (schemas `ApiError`); catch by `code`, never by message.
 */
export const TwinErrors = {
  BAD_REQUEST: (message: string, details?: unknown) => new BasinError('BAD_REQUEST', message, 400, details),
  /** Request validation failed; details: [{field, message, location}] naming each offending field. */
  VALIDATION_FAILED: (message: string, details: { field: string; location: string; message: string }[]) => new BasinError('VALIDATION_FAILED', message, 400, details),
  UNAUTHENTICATED: (why: string) => new BasinError('UNAUTHENTICATED', `authentication required: ${why}`, 401),
  FORBIDDEN: (need: string, have: string) => new BasinError('FORBIDDEN', `this needs the ${need} role; you have ${have}`, 403),
  NOT_FOUND: (what: string) => new BasinError('NOT_FOUND', `${what} not found`, 404),
  STATION_NOT_FOUND: (id: string) => new BasinError('STATION_NOT_FOUND', `station ${id} is not registered`, 404),
  ALERT_NOT_FOUND: (id: number | string) => new BasinError('ALERT_NOT_FOUND', `alert ${id} not found`, 404),
  TASK_NOT_FOUND: (id: number | string) => new BasinError('TASK_NOT_FOUND', `task ${id} not found`, 404),
  SUBSCRIPTION_NOT_FOUND: (id: number | string) => new BasinError('SUBSCRIPTION_NOT_FOUND', `webhook subscription ${id} not found`, 404),
  DELIVERY_NOT_FOUND: (id: number | string) => new BasinError('DELIVERY_NOT_FOUND', `webhook delivery ${id} not found`, 404),
  FORECAST_NOT_FOUND: (id: string) => new BasinError('FORECAST_NOT_FOUND', `forecast ${id} not found`, 404),
  API_KEY_NOT_FOUND: (id: string) => new BasinError('API_KEY_NOT_FOUND', `API key ${id} not found`, 404),
  ROUTE_NOT_FOUND: (method: string, url: string) => new BasinError('ROUTE_NOT_FOUND', `no route ${method} ${url}`, 404),
  /** A lifecycle transition not allowed from the current state (e.g. a second acknowledge). */
  INVALID_TRANSITION: (what: string, from: string, action: string) =>
    new BasinError('INVALID_TRANSITION', `${what} is ${from}: cannot ${action}`, 409, { state: from, action }),
  CURSOR_EXPIRED: (cursor: number, oldest: number) =>
    new BasinError('CURSOR_EXPIRED', `cursor ${cursor} is older than the retained events (oldest ${oldest}); reload and resume from the latest`, 410, { oldest }),
  URL_NOT_ALLOWED: (url: string, why: string) => new BasinError('URL_NOT_ALLOWED', `webhook URL ${url} is not allowed: ${why}`, 400, { field: 'url' }),
  PAYLOAD_TOO_LARGE: (limit: number) => new BasinError('PAYLOAD_TOO_LARGE', `request body exceeds ${limit} bytes`, 413),
  URI_TOO_LONG: (limit: number) => new BasinError('URI_TOO_LONG', `request URL exceeds ${limit} bytes`, 414),
  UNSUPPORTED_MEDIA_TYPE: (type: string) => new BasinError('UNSUPPORTED_MEDIA_TYPE', `content type ${type} is not supported`, 415),
  RATE_LIMITED: (retryAfterS: number) => new BasinError('RATE_LIMITED', `too many requests; retry in ${retryAfterS} s`, 429, { retryAfterS }),
  DB_UNAVAILABLE: () => new BasinError('DB_UNAVAILABLE', 'the database is not reachable; retry shortly', 503),
  NOT_READY: (failing: string[]) => new BasinError('NOT_READY', `not ready: ${failing.join(', ')}`, 503, { failing }),
  /** A rule or plan file (or API body) that does not validate: details name the file and the field. */
  DEFINITION_INVALID: (what: string, details: { file?: string; field: string; message: string }[]) =>
    new BasinError('DEFINITION_INVALID', `invalid ${what}: ${details.map((d) => `${d.file ? d.file + ': ' : ''}${d.field || '(root)'}: ${d.message}`).join('; ')}`, 400, details),
  INTERNAL: () => new BasinError('INTERNAL', 'internal error', 500),
} as const;
