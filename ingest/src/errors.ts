/** Ingest error catalogue: stable dead-letter reason codes. */
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
} as const;
export type DeadLetterReason = keyof typeof DEAD_LETTER_REASONS;
