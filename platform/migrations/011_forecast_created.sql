-- When each forecast run was stored: orders runs of the same issue hour (the newest inputs last), so a
-- run is compared with the one before it (forecast.crossing events are sent on changes only).
ALTER TABLE forecasts ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
