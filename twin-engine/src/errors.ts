import { BasinError } from '@basin/platform';

/** Twin-engine API error catalogue: stable codes with their HTTP status. */
export const TwinErrors = {
  BAD_REQUEST: (message: string, details?: unknown) => new BasinError('BAD_REQUEST', message, 400, details),
  NOT_FOUND: (what: string) => new BasinError('NOT_FOUND', `${what} not found`, 404),
  STATION_NOT_FOUND: (id: string) => new BasinError('STATION_NOT_FOUND', `station ${id} is not registered`, 404),
  ROUTE_NOT_FOUND: (method: string, url: string) => new BasinError('ROUTE_NOT_FOUND', `no route ${method} ${url}`, 404),
  PAYLOAD_TOO_LARGE: (limit: number) => new BasinError('PAYLOAD_TOO_LARGE', `request body exceeds ${limit} bytes`, 413),
  UNSUPPORTED_MEDIA_TYPE: (type: string) => new BasinError('UNSUPPORTED_MEDIA_TYPE', `content type ${type} is not supported`, 415),
  DB_UNAVAILABLE: () => new BasinError('DB_UNAVAILABLE', 'the database is not reachable; retry shortly', 503),
  INTERNAL: () => new BasinError('INTERNAL', 'internal error', 500),
} as const;
