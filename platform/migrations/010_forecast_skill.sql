-- 预报 skill ledger: the outcome of every level a flood run could have predicted crossing, once decided
-- (hit / miss / false alarm / correct negative), with the timing error and the warning lead time.
-- Forecast-value errors are in skill_ledger (006).
CREATE TABLE crossing_skill (
  forecast_id     text        NOT NULL,
  station         text        NOT NULL,
  level           text        NOT NULL,
  issued_at       timestamptz NOT NULL,
  threshold       double precision NOT NULL,
  predicted_at    timestamptz,
  observed_at     timestamptz,
  outcome         text        NOT NULL CHECK (outcome IN ('hit', 'miss', 'false_alarm', 'correct_negative')),
  timing_error_h  real,
  lead_h          real,
  scored_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (forecast_id, station, level)
);
CREATE INDEX crossing_skill_station_idx ON crossing_skill (station, issued_at DESC);
CREATE INDEX skill_ledger_station_idx ON skill_ledger (station, metric, lead_h);
