-- Core schema: station registry, readings hypertable, latest values, device status, dead letters.
-- Runs unchanged on a TimescaleDB server and on embedded PGlite-TimescaleDB.
CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE stations (
  id            text PRIMARY KEY,
  name_zh       text NOT NULL,
  name_en       text NOT NULL,
  kind          text NOT NULL,
  lon           double precision NOT NULL,
  lat           double precision NOT NULL,
  elevation     double precision,
  approximate   boolean NOT NULL DEFAULT true,
  river         text,
  river_km      double precision,
  lake          text,
  metrics       text[] NOT NULL,
  jurisdiction  jsonb NOT NULL,
  levels        jsonb,
  synthetic     boolean NOT NULL DEFAULT false,
  source        text,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- quality: QARTOD flag codes 1 pass, 2 not evaluated, 3 suspect, 4 fail.
CREATE TABLE readings (
  time         timestamptz      NOT NULL,
  station      text             NOT NULL,
  metric       text             NOT NULL,
  value        double precision NOT NULL,
  quality      smallint         NOT NULL DEFAULT 2,
  seq          bigint,
  received_at  timestamptz      NOT NULL DEFAULT now(),
  -- the unique key includes time, so a redelivered reading is absorbed by ON CONFLICT DO NOTHING
  PRIMARY KEY (station, metric, time)
);
SELECT create_hypertable('readings', 'time', chunk_time_interval => INTERVAL '1 day');

-- Latest value per station and metric, maintained by ingest in the same transaction as readings.
CREATE TABLE latest_readings (
  station      text             NOT NULL,
  metric       text             NOT NULL,
  time         timestamptz      NOT NULL,
  value        double precision NOT NULL,
  quality      smallint         NOT NULL,
  received_at  timestamptz      NOT NULL,
  PRIMARY KEY (station, metric)
);

CREATE TABLE device_status (
  client      text PRIMARY KEY,
  state       text NOT NULL CHECK (state IN ('online', 'offline')),
  kind        text NOT NULL,
  since       timestamptz NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dead_letters (
  id          bigint GENERATED ALWAYS AS IDENTITY,
  time        timestamptz NOT NULL DEFAULT now(),
  topic       text NOT NULL,
  reason      text NOT NULL,
  detail      text NOT NULL,
  payload     text,
  payload_bytes integer NOT NULL,
  PRIMARY KEY (id)
);
CREATE INDEX dead_letters_time_idx ON dead_letters (time DESC);
CREATE INDEX dead_letters_reason_idx ON dead_letters (reason, time DESC);
