-- 预报 runner: one elected producer per deployment, forecast provenance and uncertainty bands.

-- The forecast runner's lease (same pattern as rule_evaluator in 008): any twin-engine process may
-- take it once expired; each run is stored in a transaction that first re-checks it (fencing).
CREATE TABLE forecast_runner (
  id           integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  holder       text NOT NULL,
  lease_until  timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO forecast_runner (id, holder, lease_until) VALUES (1, '', '-infinity');

ALTER TABLE forecasts ADD COLUMN model_version text NOT NULL DEFAULT 'unknown';
ALTER TABLE forecasts ADD COLUMN horizon_h integer NOT NULL DEFAULT 72;
CREATE INDEX forecasts_kind_issued_idx ON forecasts (kind, issued_at DESC);

-- Uncertainty band around each forecast value (same unit), null when none was computed.
ALTER TABLE forecast_points ADD COLUMN lower double precision;
ALTER TABLE forecast_points ADD COLUMN upper double precision;
