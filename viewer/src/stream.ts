/**
 * The API's live stream (server-sent events, GET /api/stream). EventSource reconnects by itself
 * and resumes from the last event id; a server without the endpoint (404) closes it for good and
 * the caller keeps polling instead.
 */
export interface StreamHandlers {
  onEvent: (type: string) => void;
  onOpen: () => void;
  onClosed: () => void;
}

export function openStream(url: string, h: StreamHandlers): () => void {
  if (typeof EventSource === 'undefined') {
    h.onClosed();
    return () => undefined;
  }
  const es = new EventSource(url);
  const types = ['alert.opened', 'alert.escalated', 'alert.acknowledged', 'alert.dispatched', 'alert.resolved', 'task.created', 'task.overdue', 'task.done', 'station.online', 'station.offline'];
  es.onopen = () => h.onOpen();
  es.onmessage = (e) => h.onEvent(e.type);
  for (const t of types) es.addEventListener(t, () => h.onEvent(t));
  // readings and state changes arrive under their own event names; any named event refreshes
  const generic = (e: Event) => h.onEvent(e.type);
  for (const t of ['reading', 'state', 'reading.sampled', 'state.changed', 'forecast.issued', 'forecast.crossing', 'dropped']) es.addEventListener(t, generic);
  es.onerror = () => {
    h.onClosed();
    if (es.readyState === EventSource.CLOSED) es.close();
  };
  return () => es.close();
}
