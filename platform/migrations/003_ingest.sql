-- Ingest support tables.

-- HJ 212-2017 data loggers (数采仪): the MN (device code) of each logger and the station it reports
-- for. Ingest also accepts a mapping from its configuration (INGEST_HJ212_MN_MAP).
CREATE TABLE hj212_devices (
  mn          text PRIMARY KEY,
  station     text NOT NULL REFERENCES stations (id) ON UPDATE CASCADE ON DELETE CASCADE,
  -- access password (PW field); NULL accepts any
  password    text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Per-worker progress, written with each committed batch: lets operators see which workers are
-- alive, how far each is, and how much it stored (the MQTT session is the real checkpoint).
CREATE TABLE ingest_checkpoints (
  worker          text PRIMARY KEY,
  last_commit_at  timestamptz NOT NULL,
  last_reading_at timestamptz,
  batches         bigint NOT NULL DEFAULT 0,
  readings        bigint NOT NULL DEFAULT 0,
  duplicates      bigint NOT NULL DEFAULT 0,
  dead_letters    bigint NOT NULL DEFAULT 0
);
