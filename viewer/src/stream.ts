/**
 * The API's live stream (server-sent events, GET /api/stream). EventSource cannot send an
 * Authorization header, so with an API key the stream is opened with a short-lived ticket
 * (`POST /api/stream/tickets`, then `?ticket=`). EventSource reconnects by itself and resumes from
 * the last event id; when it gives up (an expired ticket is refused, the server restarted, or a
 * server without the endpoint answered 404) the stream is opened again with a fresh ticket from the
 * last event's cursor, with backoff, while the caller keeps polling.
 */
export interface StreamHandlers {
  onEvent: (type: string) => void;
  onOpen: () => void;
  onClosed: () => void;
}

/** Ticket for the next connection, or null to connect without one (anonymous read). */
export type TicketSource = () => Promise<string | null>;

const TYPES = ['alert.opened', 'alert.escalated', 'alert.acknowledged', 'alert.dispatched', 'alert.resolved', 'task.created', 'task.overdue', 'task.done', 'station.online', 'station.offline'];
// readings and state changes arrive under their own event names; any named event refreshes
const GENERIC = ['reading', 'state', 'reading.sampled', 'state.changed', 'forecast.issued', 'forecast.crossing', 'dropped'];

/** The URL of the next connection: the ticket, and the cursor to resume after (pure). */
export function streamUrl(base: string, ticket: string | null, cursor: string | null): string {
  const params = [ticket ? `ticket=${encodeURIComponent(ticket)}` : '', cursor ? `cursor=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&');
  if (!params) return base;
  return `${base}${base.includes('?') ? '&' : '?'}${params}`;
}

export function openStream(url: string, h: StreamHandlers, ticket: TicketSource = async () => null): () => void {
  if (typeof EventSource === 'undefined') {
    h.onClosed();
    return () => undefined;
  }
  let es: EventSource | null = null;
  let cursor: string | null = null;
  let stopped = false;
  let delay = 2_000;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const seen = (e: MessageEvent) => {
    if (e.lastEventId) cursor = e.lastEventId;
  };
  const connect = async () => {
    let t: string | null = null;
    try {
      t = await ticket();
    } catch {
      // no ticket now (key revoked, server down): try without; the retry asks again
    }
    if (stopped) return;
    const s = new EventSource(streamUrl(url, t, cursor));
    es = s;
    s.onopen = () => {
      delay = 2_000;
      h.onOpen();
    };
    s.onmessage = (e) => (seen(e), h.onEvent(e.type));
    for (const type of [...TYPES, ...GENERIC]) s.addEventListener(type, (e) => (seen(e as MessageEvent), h.onEvent(type)));
    s.onerror = () => {
      h.onClosed();
      if (s.readyState !== EventSource.CLOSED || stopped) return;
      s.close();
      retry = setTimeout(() => void connect(), delay);
      delay = Math.min(delay * 2, 60_000);
    };
  };
  void connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    es?.close();
  };
}
