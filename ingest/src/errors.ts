import { BasinError } from '@basin/platform';

/**
 * Ingest error catalogue: stable dead-letter reason codes. Every rejected reading or message is
 * stored in `dead_letters` with one of these codes and counted in
 * `basin_ingest_dead_letters_total{reason}`.
 */
export const DEAD_LETTER_REASONS = {
  undecodable: 'payload is not UTF-8 JSON',
  oversized: 'payload exceeds the size limit',
  invalid_payload: 'payload does not match the wire schema',
  unknown_metric: 'metric is not in the catalogue',
  non_finite_value: 'value is NaN, infinite or not a number',
  missing_station: 'no station named by the reading or topic',
  station_mismatch: 'reading station differs from topic station',
  unsupported_senml: 'SenML feature not supported',
  unknown_station: 'station is not registered',
  metric_not_at_station: 'station does not report this metric',
  out_of_range: 'value outside the metric physical range',
  future_timestamp: 'timestamp too far in the future',
  stale_timestamp: 'timestamp too far in the past',
  wrong_topic: 'topic outside the basin/v1 layout',
  hj212_bad_frame: 'HJ 212 frame is malformed (header, length, fields or terminator)',
  hj212_bad_crc: 'HJ 212 frame CRC16 does not match',
  hj212_unknown_mn: 'HJ 212 MN (device code) is not mapped to a station',
  hj212_bad_password: 'HJ 212 PW (access password) is wrong for this MN',
  hj212_unsupported: 'HJ 212 command (CN) carries no readings ingest accepts',
  unknown_unit: 'unit (SenML, or HJ 212 factor default / device override) is not the catalogue unit and has no conversion to it',
  catalogue_protected: 'registry document for a catalogue station (changes only with a release)',
  outside_basin: 'registry document places the station outside the basin',
  stale_version: 'changed registry document without a higher version',
  db_rejected: 'PostgreSQL rejected the message (data error); the rest of its batch was committed',
} as const;
export type DeadLetterReason = keyof typeof DEAD_LETTER_REASONS;

/** Ingest error catalogue (process-level failures, not per-message ones). */
export const IngestErrors = {
  CONFIG: (message: string) => new BasinError('INGEST_CONFIG', `invalid ingest configuration: ${message}`, 500),
  MQTT_REFUSED: (code: number, message: string) => new BasinError('INGEST_MQTT_REFUSED', `MQTT connection refused (${code}): ${message}`, 503, { reasonCode: code }),
  MQTT_BAD_CREDENTIALS: (code: number, message: string) => new BasinError('INGEST_MQTT_BAD_CREDENTIALS', `MQTT connection refused (${code}): ${message} — check the user name and password (MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD)`, 503, { reasonCode: code }),
  MQTT_PROTOCOL_UNSUPPORTED: (code: number) => new BasinError('INGEST_MQTT_PROTOCOL_UNSUPPORTED', `broker refused MQTT 5 (${code}): unsupported protocol version`, 503, { reasonCode: code }),
  MQTT_SHARED_UNAVAILABLE: (detail: string) => new BasinError('INGEST_MQTT_SHARED_UNAVAILABLE', `shared subscriptions unavailable: ${detail}`, 503),
  MQTT_SUBSCRIBE: (filters: string[]) => new BasinError('INGEST_MQTT_SUBSCRIBE', `broker refused subscriptions: ${filters.join(', ')}`, 503),
  STOPPED: () => new BasinError('INGEST_STOPPED', 'ingest is stopping', 503),
} as const;
