import type { StreamTopic } from '../ops/events.js';

export interface StreamEvent {
  id: number;
  at: string;
  topic: StreamTopic;
  type: string;
  station: string | null;
  data: unknown;
}

export interface StreamFilter {
  topics: ReadonlySet<string> | null;
  stations: ReadonlySet<string> | null;
}

/** Whether a client with this filter receives the event (pure). */
export function wants(f: StreamFilter, e: StreamEvent): boolean {
  if (f.topics && !f.topics.has(e.topic)) return false;
  if (f.stations && (e.station === null || !f.stations.has(e.station))) return false;
  return true;
}

/** One server-sent event: the id is the resume cursor. */
export function sseFrame(e: StreamEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ id: e.id, at: e.at, topic: e.topic, type: e.type, station: e.station, data: e.data })}\n\n`;
}
