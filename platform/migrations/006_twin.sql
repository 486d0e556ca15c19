-- Twin-engine: change notifications for the live state, forecasts and the skill ledger.

-- Committed readings -> LISTEN basin_readings. One statement-level trigger with a transition table
-- (ingest-agnostic: any writer's committed INSERT notifies; NOTIFY is delivered at commit, never on
-- rollback). Payload: {"s": [stations] | null, "from": ms, "to": ms, "n": rows}; when the station
-- list would pass the 8000-byte NOTIFY limit, "s" is null (listeners read the whole time range).
CREATE FUNCTION twin_notify_readings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p text;
  n bigint;
  t0 bigint;
  t1 bigint;
BEGIN
  SELECT count(*), (extract(epoch FROM min(time)) * 1000)::bigint, (extract(epoch FROM max(time)) * 1000)::bigint INTO n, t0, t1 FROM new_rows;
  IF n = 0 THEN RETURN NULL; END IF;
  SELECT json_build_object('s', array_agg(DISTINCT station), 'from', t0, 'to', t1, 'n', n)::text INTO p FROM new_rows;
  IF length(p) > 7900 THEN
    p := json_build_object('s', NULL, 'from', t0, 'to', t1, 'n', n)::text;
  END IF;
  PERFORM pg_notify('basin_readings', p);
  RETURN NULL;
END $$;
CREATE TRIGGER readings_notify AFTER INSERT ON readings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION twin_notify_readings();

-- Station registry changes (stations provisioned over MQTT) -> LISTEN basin_stations.
CREATE FUNCTION twin_notify_stations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('basin_stations', TG_OP);
  RETURN NULL;
END $$;
CREATE TRIGGER stations_notify AFTER INSERT OR UPDATE OR DELETE ON stations
  FOR EACH STATEMENT EXECUTE FUNCTION twin_notify_stations();

-- Device birth / last will -> LISTEN basin_devices (rare: one row each).
-- A device may report for many stations: past the NOTIFY limit the list is left out (listeners
-- then read device_status).
CREATE FUNCTION twin_notify_device() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p text;
BEGIN
  p := json_build_object('client', NEW.client, 'kind', NEW.kind, 'state', NEW.state,
    'since', (extract(epoch FROM NEW.since) * 1000)::bigint, 'stations', NEW.detail->'stations')::text;
  IF length(p) > 7900 THEN
    p := json_build_object('client', NEW.client, 'kind', NEW.kind, 'state', NEW.state, 'since', (extract(epoch FROM NEW.since) * 1000)::bigint, 'stations', NULL, 'truncated', true)::text;
  END IF;
  PERFORM pg_notify('basin_devices', p);
  RETURN NULL;
END $$;
CREATE TRIGGER device_status_notify AFTER INSERT OR UPDATE ON device_status
  FOR EACH ROW EXECUTE FUNCTION twin_notify_device();

-- 预报 forecasts: one row per run (flood routing or pollutant travel) with its inputs.
CREATE TABLE forecasts (
  issued_at   timestamptz NOT NULL,
  id          text        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('flood', 'spill')),
  inputs      jsonb       NOT NULL,
  -- predicted level crossings / plume arrivals: [{station, level, at, value}]
  events      jsonb       NOT NULL DEFAULT '[]'::jsonb,
  PRIMARY KEY (id, issued_at)
);
SELECT create_hypertable('forecasts', 'issued_at', chunk_time_interval => INTERVAL '7 days');

-- Forecast values per station and lead time.
CREATE TABLE forecast_points (
  valid_at     timestamptz      NOT NULL,
  forecast_id  text             NOT NULL,
  station      text             NOT NULL,
  metric       text             NOT NULL,
  lead_h       real             NOT NULL,
  value        double precision NOT NULL,
  PRIMARY KEY (forecast_id, station, metric, valid_at)
);
SELECT create_hypertable('forecast_points', 'valid_at', chunk_time_interval => INTERVAL '7 days');
CREATE INDEX forecast_points_station_idx ON forecast_points (station, metric, valid_at DESC);

-- Skill ledger: each forecast point scored once its observation arrived (error = forecast - observed),
-- and each predicted crossing once observed (timing error = predicted - observed, hours).
CREATE TABLE skill_ledger (
  valid_at     timestamptz      NOT NULL,
  forecast_id  text             NOT NULL,
  station      text             NOT NULL,
  metric       text             NOT NULL,
  lead_h       real             NOT NULL,
  forecast     double precision NOT NULL,
  observed     double precision NOT NULL,
  PRIMARY KEY (forecast_id, station, metric, valid_at)
);
SELECT create_hypertable('skill_ledger', 'valid_at', chunk_time_interval => INTERVAL '7 days');

CREATE TABLE crossing_ledger (
  observed_at  timestamptz NOT NULL,
  forecast_id  text        NOT NULL,
  station      text        NOT NULL,
  level        text        NOT NULL,
  issued_at    timestamptz NOT NULL,
  predicted_at timestamptz NOT NULL,
  PRIMARY KEY (forecast_id, station, level, observed_at)
);
SELECT create_hypertable('crossing_ledger', 'observed_at', chunk_time_interval => INTERVAL '30 days');
