import { z } from 'zod';
import { STATION_BY_ID, Station, deriveMn } from '@basin/schemas';
import type { DeadLetterReason } from './errors.js';

/**
 * Station provisioning over `basin/v1/registry/<station>` (retained), decided without I/O.
 *
 * - The sourced catalogue stations (schemas catalogue) are never changed by a registry document:
 *   they change only with a release (and are restored at every ingest start).
 * - A new station must be a valid Station document (id, catalogue metrics), on its own topic,
 *   and inside the Yangtze basin's bounding box.
 * - A changed document for a provisioned station is accepted only with a higher `version`; the
 *   same document again (a retained copy redelivered on every resubscription) changes nothing.
 * - Every accepted version is kept (station_versions) and every decision except "unchanged" is
 *   audited (station_audit, append-only).
 * The broker ACL (only the provisioning role may publish `basin/v1/registry/…`) is the first
 * gate; these rules hold even on an open broker.
 */

/**
 * Bounding box of the Yangtze (Changjiang) basin: 90°33′–122°25′ E, 24°30′–35°45′ N (Changjiang
 * Water Resources Commission, basin overview; the same extent is given in most basin
 * descriptions).
 */
export const BASIN_BBOX = { minLon: 90.55, maxLon: 122.42, minLat: 24.5, maxLat: 35.75 } as const;

/** A registry document: a Station with a version (1 when absent). */
export const RegistryDoc = Station.extend({ version: z.number().int().min(1).max(2_147_483_647).default(1) });
export type RegistryDoc = z.infer<typeof RegistryDoc>;

export interface ProvisionedStation {
  version: number;
  /** canonical JSON of the accepted Station document */
  canonical: string;
}

export type RegistryDecision =
  | { action: 'unchanged' }
  | { action: 'created' | 'updated'; station: Station; version: number; canonical: string }
  | { action: 'rejected'; reason: DeadLetterReason; detail: string; version: number | null };

export function decideRegistry(
  doc: RegistryDoc,
  topicStation: string,
  current: ProvisionedStation | undefined,
  catalogue: ReadonlyMap<string, unknown> = STATION_BY_ID,
): RegistryDecision {
  const { version, ...rest } = doc;
  const station: Station = rest;
  if (station.id !== topicStation) {
    return { action: 'rejected', reason: 'station_mismatch', detail: `station document ${station.id} on the topic of ${topicStation}`, version };
  }
  if (catalogue.has(station.id)) {
    return { action: 'rejected', reason: 'catalogue_protected', detail: `${station.id} is a catalogue station: it changes only with a release, not through the registry`, version };
  }
  const { lon, lat } = station.location;
  if (lon < BASIN_BBOX.minLon || lon > BASIN_BBOX.maxLon || lat < BASIN_BBOX.minLat || lat > BASIN_BBOX.maxLat) {
    return { action: 'rejected', reason: 'outside_basin', detail: `position ${lon},${lat} is outside the basin (${BASIN_BBOX.minLon}..${BASIN_BBOX.maxLon} E, ${BASIN_BBOX.minLat}..${BASIN_BBOX.maxLat} N)`, version };
  }
  const canonical = registryCanonical(station);
  if (!current) return { action: 'created', station, version, canonical };
  if (current.canonical === canonical) return { action: 'unchanged' };
  if (version <= current.version) {
    return { action: 'rejected', reason: 'stale_version', detail: `changed document for ${station.id} needs a version above ${current.version} (got ${version})`, version };
  }
  return { action: 'updated', station, version, canonical };
}

/**
 * The form documents are compared in: canonical JSON, with an MN equal to the one derived from
 * the id written as null (the database stores the derived MN; a document may leave it out).
 */
export function registryCanonical(station: Station): string {
  return canonicalJson(station.mn !== null && station.mn === deriveMn(station.id) ? { ...station, mn: null } : station);
}

/** JSON with object keys sorted (stable comparison of documents). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}
