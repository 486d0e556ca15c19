import type { LatestReading, Station } from '@basin/schemas';

async function get<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  if (!r.ok) {
    const body = (await r.json().catch(() => ({}))) as { message?: string };
    throw new Error(`${r.status} ${body.message ?? r.statusText}`);
  }
  return (await r.json()) as T;
}

export const api = {
  stations: () => get<Station[]>('api/stations'),
  latest: () => get<LatestReading[]>('api/readings/latest'),
};
