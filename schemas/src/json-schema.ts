import { z } from 'zod';
import { ReadingBatch, SenmlPack } from './reading.js';
import { DeviceStatus } from './topics.js';
import { Station } from './station.js';
import { ApiError } from './api.js';
import { WebhookPayload } from './webhooks.js';

/** The wire formats exported as JSON Schema (draft 2020-12) for clients in other languages. */
export const WIRE_SCHEMAS = {
  'reading-batch': { schema: ReadingBatch, title: 'Reading batch (JSON wire payload, v1)' },
  'senml-pack': { schema: SenmlPack, title: 'SenML pack (RFC 8428) accepted on reading topics' },
  'device-status': { schema: DeviceStatus, title: 'Device status (birth / last will), retained' },
  station: { schema: Station, title: 'Station document (registry topic and API)' },
  'api-error': { schema: ApiError, title: 'API error body' },
  'webhook-payload': { schema: WebhookPayload, title: 'Webhook delivery body (Standard Webhooks), by event type' },
} as const;

/** Render every wire schema as pretty-printed JSON text, keyed by file name. */
export function renderJsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, { schema, title }] of Object.entries(WIRE_SCHEMAS)) {
    const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const doc = { $id: `https://basin-twin.dev/schemas/${name}.json`, title, ...js };
    out[`${name}.schema.json`] = `${JSON.stringify(doc, null, 2)}\n`;
  }
  return out;
}
